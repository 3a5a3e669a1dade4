"""The admin site: staff reach it through the same log-in and second factor as everyone."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


class HipcareAdminSite(admin.AdminSite):
    site_header = site_title = "hipcare"

    # The app config imports this module before models are ready: import the gate when used.
    def has_permission(self, request):
        from hipcare.access import second_factor_redirect

        return super().has_permission(request) and second_factor_redirect(request) is None

    def login(self, request, extra_context=None):
        from hipcare.access import second_factor_redirect

        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index")
        if request.user.is_authenticated and request.user.is_staff:
            return second_factor_redirect(request) or redirect(target)
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


class HipcareAdminConfig(AdminConfig):
    default_site = "hipcare.admin_site.HipcareAdminSite"
