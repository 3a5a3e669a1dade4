from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_forget_phone, dispatch_uid="reminders-forget-phone")


def _forget_phone(sender, request, user, **kwargs):
    from reminders import services

    if request is not None and hasattr(request, "session"):
        services.phone_forget(patient=user, session=request.session)
