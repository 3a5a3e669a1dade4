from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hipcare import audit
from plans.forms import RED_FLAG_CHOICES
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


class LoggedAdmin(admin.ModelAdmin):
    """A program or session opened or changed here is in the access log, as in the app."""

    def _patient(self, obj):
        return obj.patient if isinstance(obj, Plan) else obj.plan.patient

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "GET":
            audit.record(request.user, self._patient(obj), audit.What.PROGRAM)
        return obj

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(request.user, self._patient(obj), audit.What.PROGRAM, audit.Action.CHANGE)


@admin.register(Plan)
class PlanAdmin(LoggedAdmin):
    # Programs are written by physios through the app; the admin shows them for support.
    list_display = ["patient", "physio", "condition", "start_date", "end_date", "status"]
    list_filter = ["status", "condition"]
    list_select_related = ["patient", "physio", "condition"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__email"]
    readonly_fields = ["patient", "physio", "template", "created_at"]
    inlines = [PrescriptionInline]

    def get_queryset(self, request):
        # Health data: staff status never widens what anyone sees (a staff physio sees their
        # own patients' programs here, a clinic admin none).
        return super().get_queryset(request).filter(pk__in=Plan.objects.for_user(request.user))

    def has_delete_permission(self, request, obj=None):
        return False


class SessionAdminForm(forms.ModelForm):
    # The patient's answers as the boxes they ticked, not JSON: clearing them all is "none"
    # (the column is never NULL) and only known red flags can be saved.
    red_flags = forms.MultipleChoiceField(
        label=_("red flags reported"),
        choices=RED_FLAG_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Session
        fields = [
            "date",
            "pain_before",
            "red_flags",
            "pain_after",
            "effort",
            "note",
            "completed_at",
            "eased_at",
            "created_at",
        ]


@admin.register(Session)
class SessionAdmin(LoggedAdmin):
    form = SessionAdminForm
    list_display = ["plan", "date", "pain_before", "pain_after", "completed_at"]
    list_select_related = ["plan__patient", "plan__condition"]
    list_filter = ["date"]
    readonly_fields = ["plan"]
    verbose_name = _("session")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan__in=Plan.objects.for_user(request.user))

    def has_delete_permission(self, request, obj=None):
        return False
