from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exercises.admin import LabelledInlineFormSet
from hipcare import erasure
from hipcare.models import Clinic, ErasureRequest, Membership, User


def _is_patient(user):
    return user.role == User.Role.PATIENT and not user.is_staff


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "clinic", "is_staff"]
    list_filter = ["role", "is_staff", "is_active", "clinic"]
    list_select_related = ["clinic"]
    # Accounts, not health data: the condition, side and date of birth are the clinic's, seen by
    # its physios in the app (and logged there), never here.
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Care"), {"fields": ["role", "clinic", "physio"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Care"), {"fields": ["email", "role", "clinic", "physio"]}),
    ]

    # Deleting a patient is their erasure (hipcare/erasure.py): the account, the whole record,
    # and every copy of their name (sessions, lock-out records, this admin's log, the outbox).
    # The confirmation page lists what goes without showing the record's health data.

    def get_deleted_objects(self, objs, request):
        patients = [user for user in objs if _is_patient(user)]
        others = [user for user in objs if not _is_patient(user)]
        deleted, counts, perms_needed, protected = (
            super().get_deleted_objects(others, request) if others else ([], {}, set(), [])
        )
        counts = dict(counts)
        for patient in patients:
            deleted.append(
                gettext(
                    "Patient no. %(number)s, %(name)s: the account and the whole clinical record "
                    "(programs, sessions, answers, contacts, handovers, invitation, log-in "
                    "records). The access log keeps the number only."
                )
                % {"number": patient.pk, "name": patient}
            )
        if patients:
            plural = str(User._meta.verbose_name_plural)
            counts[plural] = counts.get(plural, 0) + len(patients)
        return deleted, counts, perms_needed, protected

    def log_deletions(self, request, queryset):
        # A patient's erasure is recorded on its ErasureRequest, without the name this log keeps.
        others = [user for user in queryset if not _is_patient(user)]
        if others:
            return super().log_deletions(request, others)
        return None

    def _erase(self, request, patient):
        number = patient.pk
        try:
            erasure.erase(patient=patient, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return False
        request._hipcare_erased = [*getattr(request, "_hipcare_erased", []), number]
        return True

    def delete_model(self, request, obj):
        if _is_patient(obj):
            self._erase(request, obj)
        else:
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        patients = [user for user in queryset if _is_patient(user)]
        for patient in patients:
            self._erase(request, patient)
        super().delete_queryset(request, queryset.exclude(pk__in=[p.pk for p in patients]))

    def response_delete(self, request, obj_display, obj_id):
        erased = getattr(request, "_hipcare_erased", None)
        if erased is None and not _is_patient_id(obj_id):
            return super().response_delete(request, obj_display, obj_id)
        if erased:
            self.message_user(
                request,
                gettext("Patient no. %(number)s is erased.") % {"number": erased[0]},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:hipcare_user_changelist"))


def _is_patient_id(pk):
    """After a failed erasure the patient is still there: no "deleted" message for them."""
    return User.objects.filter(pk=pk, role=User.Role.PATIENT, is_staff=False).exists()


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["user", "role", "is_active", "since"]
    raw_id_fields = ["user"]  # a select of every account would not scale


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    """Where hipcare's staff set up a clinic, appoint its clinic admin and add a physio who
    already works at another clinic; the clinic admin runs the rest from the clinic pages."""

    list_display = ["name", "retention_years"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Read-only: the clinic admin decides on the clinic pages."""

    list_display = ["patient_number", "clinic", "state", "requested_at", "erase_on", "erased_at"]
    list_filter = ["state", "clinic"]
    fields = list_display + ["decided_at", "retention_reason"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
