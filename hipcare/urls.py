from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hipcare import two_factor_views, views
from hipcare.access import second_factor_required
from hipcare.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/invite/<uidb64>/<token>/",
        views.InviteAcceptView.as_view(),
        name="invite-accept",
    ),
    path("accounts/start/", views.account_start, name="account-start"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/two-factor/", two_factor_views.verify, name="two-factor"),
    path("accounts/two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path(
        "accounts/password_change/",
        second_factor_required(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordSetView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("catalogue/", include("exercises.urls")),
    path("", include("plans.urls")),
    path("admin/", admin.site.urls),
]

# A database outage outside a view (a middleware, an error page) answers 503, not 500.
handler500 = "hipcare.middleware.server_error"
