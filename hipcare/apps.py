from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HipcareConfig(AppConfig):
    name = "hipcare"
    verbose_name = _("Accounts")
