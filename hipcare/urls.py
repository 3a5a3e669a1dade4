from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hipcare import clinic_views, erasure_views, pwa, two_factor_views, views
from hipcare.access import second_factor_required
from hipcare.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The app on the phone (hipcare/pwa.py): manifest, service worker (at the root, so that it
    # may control every page), its offline page.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline_page, name="offline"),
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
    # Before Django's own: the log-out also clears what the browser kept (hipcare/pwa.py).
    path("accounts/logout/", pwa.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/text-size/", views.text_size, name="text-size"),
    path("catalogue/", include("exercises.urls")),
    # The clinic admin's pages, each on a clinic they administer; the patient's access log.
    path("clinic/", clinic_views.clinic_home, name="clinic-home"),
    path("clinic/access-log/", clinic_views.access_log_pick, name="clinic-access-log-pick"),
    path(
        "clinic/<int:clinic_pk>/physios/invite/",
        clinic_views.physio_invite,
        name="clinic-physio-invite",
    ),
    path(
        "clinic/<int:clinic_pk>/physios/<int:user_pk>/deactivate/",
        clinic_views.physio_deactivate,
        name="clinic-physio-deactivate",
    ),
    path(
        "clinic/<int:clinic_pk>/physios/<int:user_pk>/reactivate/",
        clinic_views.physio_reactivate,
        name="clinic-physio-reactivate",
    ),
    path("clinic/<int:clinic_pk>/settings/", clinic_views.clinic_settings, name="clinic-settings"),
    path("clinic/<int:clinic_pk>/access-log/", clinic_views.access_log, name="clinic-access-log"),
    path("my-data/access/", clinic_views.my_data_access, name="my-data-access"),
    # Erasure: the patient asks (the account closes at once), the clinic admin decides.
    path("account/erase/", erasure_views.account_erase, name="account-erase"),
    path("account/erase/done/", erasure_views.account_erase_done, name="account-erase-done"),
    path("clinic/erasures/", erasure_views.clinic_erasures, name="clinic-erasures"),
    path(
        "clinic/erasures/<int:pk>/",
        erasure_views.clinic_erasure_decide,
        name="clinic-erasure-decide",
    ),
    path("", include("plans.urls")),
    path("", include("courses.urls")),
    path("", include("reminders.urls")),
    path("admin/", admin.site.urls),
]

# A database outage outside a view (a middleware, an error page) answers 503, not 500.
handler500 = "hipcare.middleware.server_error"
