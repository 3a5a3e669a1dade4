from django.contrib import admin
from django.urls import include, path

from hipcare import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/invite/<uidb64>/<token>/",
        views.InviteAcceptView.as_view(),
        name="invite-accept",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("catalogue/", include("exercises.urls")),
    path("", include("plans.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "hipcare"
admin.site.site_title = "hipcare"
