from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HipcareConfig(AppConfig):
    name = "hipcare"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from hipcare.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="hipcare-idle-clock")
