from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Programs and sessions")

    def ready(self):
        from plans import history
        from plans.models import Plan

        # A deleted program (a patient's erasure) takes its change history with it.
        pre_delete.connect(history.forget_program, sender=Plan, dispatch_uid="plans.forget")
