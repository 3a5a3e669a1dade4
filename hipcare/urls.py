from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hipcare import views
from hipcare.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/invite/<uidb64>/<token>/",
        views.InviteAcceptView.as_view(),
        name="invite-accept",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("catalogue/", include("exercises.urls")),
    path("", include("plans.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "hipcare"
admin.site.site_title = "hipcare"
