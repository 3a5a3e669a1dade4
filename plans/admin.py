from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plans.models import Plan, Prescription, Session


class PrescriptionInline(admin.TabularInline):
    model = Prescription
    extra = 0
    fields = [
        "exercise",
        "sets",
        "dose_min",
        "dose_max",
        "side",
        "load",
        "valid_from",
        "valid_until",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    # Programs are written by physios through the app; the admin shows them for support.
    list_display = ["patient", "physio", "condition", "start_date", "end_date", "status"]
    list_filter = ["status", "condition"]
    list_select_related = ["patient", "physio", "condition"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__email"]
    readonly_fields = ["patient", "physio", "template", "created_at"]
    inlines = [PrescriptionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["plan", "date", "pain_before", "pain_after", "completed_at"]
    list_select_related = ["plan__patient", "plan__condition"]
    list_filter = ["date"]
    readonly_fields = ["plan"]
    verbose_name = _("session")

    def has_delete_permission(self, request, obj=None):
        return False
