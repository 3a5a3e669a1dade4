"""The clinic admin's pages (physios, settings, the access log) and the patient's "who has looked
at my data".

A clinic admin reads no health data here: physios' names, e-mails and patient counts, patients'
names in the access log, never a condition, a pain score or adherence. Every clinic page works
only on a clinic where the user is an active clinic admin now (404 for any other).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from hipcare import accounts, audit, clinics
from hipcare.access import clinic_admin_required, patient_required
from hipcare.filters import AccessLogFilter
from hipcare.forms import ClinicSettingsForm, PhysioDeactivateForm, PhysioInviteForm, add_errors
from hipcare.models import CLINIC_ADMIN, PHYSIO, AccessEvent, Clinic, Membership, User

ACCESS_LOG_PAGE_SIZE = 25

Relation = AccessEvent.Relation
# The relation as the clinic admin reads it (AccessEvent.Relation's labels speak to the patient).
RELATION_FOR_CLINIC = {
    Relation.SELF: gettext_lazy("The patient"),
    Relation.TREATING: gettext_lazy("Treating physiotherapist"),
    Relation.COLLEAGUE: gettext_lazy("Physiotherapist at the clinic, not treating"),
    Relation.CLINIC_ADMIN: gettext_lazy("Clinic admin"),
    Relation.STAFF: gettext_lazy("hipcare administrator"),
}


def _admin_clinics(user):
    return Clinic.objects.filter(pk__in=Membership.objects.clinics_of(user, CLINIC_ADMIN))


def _clinic(request, clinic_pk):
    """The clinic, if the user is its admin now; else 404."""
    return get_object_or_404(_admin_clinics(request.user), pk=clinic_pk)


def _physio_membership(clinic, user_pk):
    """The physio's membership at the clinic, active or not; 404 for anyone else."""
    return get_object_or_404(
        Membership.objects.select_related("user"),
        clinic=clinic,
        user_id=user_pk,
        role=PHYSIO,
        user__role=User.Role.PHYSIO,
    )


def _posted(request):
    """The form's data on a POST, even an empty one (a confirmation without fields)."""
    return request.POST if request.method == "POST" else None


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@clinic_admin_required
def clinic_home(request):
    """Each clinic the user administers, with its physios. Two queries, whatever the size."""
    clinic_list = list(_admin_clinics(request.user).order_by("name", "pk"))
    patients_here = Q(user__patients__clinic=F("clinic"), user__patients__role=User.Role.PATIENT)
    memberships = (
        Membership.objects.filter(clinic__in=[c.pk for c in clinic_list], role=PHYSIO)
        .select_related("user__invitation")
        .annotate(patient_count=Count("user__patients", filter=patients_here))
        .order_by("-is_active", "user__last_name", "user__first_name", "user__pk")
    )
    by_clinic = {clinic.pk: [] for clinic in clinic_list}
    for membership in memberships:
        membership.works_here = membership.is_active and membership.user.is_active
        membership.pending = not membership.user.has_usable_password()
        by_clinic[membership.clinic_id].append(membership)
    rows = [(clinic, by_clinic[clinic.pk]) for clinic in clinic_list]
    return render(request, "hipcare/clinic/home.html", {"rows": rows})


@clinic_admin_required
def physio_invite(request, clinic_pk):
    clinic = _clinic(request, clinic_pk)
    form = PhysioInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            physio, outcome = accounts.physio_invite(
                clinic=clinic,
                by=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            names = {"name": physio.get_full_name(), "email": physio.email, "clinic": clinic}
            if outcome == accounts.PhysioInvite.JOINED:
                message = _(
                    "%(name)s works at %(clinic)s again. No e-mail is sent: they log in as before."
                )
            elif outcome == accounts.PhysioInvite.INVITED_AGAIN:
                message = _(
                    "%(name)s works at %(clinic)s; the invitation to %(email)s goes out again in "
                    "a moment."
                )
            else:
                message = _(
                    "%(name)s is invited to %(clinic)s. The invitation to %(email)s goes out in "
                    "a moment."
                )
            messages.success(request, message % names)
            return redirect("clinic-home")
    return render(request, "hipcare/clinic/physio_invite.html", {"clinic": clinic, "form": form})


@clinic_admin_required
def physio_deactivate(request, clinic_pk, user_pk):
    """A confirmation page; when the physio treats patients here, it asks who takes them over."""
    clinic = _clinic(request, clinic_pk)
    membership = _physio_membership(clinic, user_pk)
    physio = membership.user
    if not membership.is_active:
        messages.info(request, _("%(name)s no longer works at this clinic.") % {"name": physio})
        return redirect("clinic-home")
    patient_count = User.objects.filter(
        role=User.Role.PATIENT, clinic=clinic, physio=physio
    ).count()
    colleagues = (
        User.objects.physios_of_clinic(clinic)
        .exclude(pk=physio.pk)
        .order_by("last_name", "first_name", "pk")
    )
    form = PhysioDeactivateForm(
        _posted(request), colleagues=colleagues, needs_colleague=patient_count > 0
    )
    if request.method == "POST" and form.is_valid():
        try:
            handed = clinics.physio_deactivate(
                clinic=clinic,
                physio=physio,
                hand_to=form.cleaned_data.get("hand_to"),
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            names = {"name": physio, "clinic": clinic, "count": handed}
            if handed:
                names["colleague"] = form.cleaned_data["hand_to"]
                message = ngettext(
                    "%(name)s no longer works at %(clinic)s. Their %(count)s patient is now "
                    "treated by %(colleague)s.",
                    "%(name)s no longer works at %(clinic)s. Their %(count)s patients are now "
                    "treated by %(colleague)s.",
                    handed,
                )
            else:
                message = _("%(name)s no longer works at %(clinic)s.")
            messages.success(request, message % names)
            return redirect("clinic-home")
    context = {
        "clinic": clinic,
        "physio": physio,
        "patient_count": patient_count,
        "form": form,
        "no_colleague": patient_count > 0 and not form.fields["hand_to"].queryset.exists(),
        # Whether the account stays open (they work at another clinic) or closes.
        "works_elsewhere": Membership.objects.filter(user=physio, is_active=True)
        .exclude(pk=membership.pk)
        .exists(),
    }
    return render(request, "hipcare/clinic/physio_deactivate.html", context)


@require_POST
@clinic_admin_required
def physio_reactivate(request, clinic_pk, user_pk):
    clinic = _clinic(request, clinic_pk)
    physio = _physio_membership(clinic, user_pk).user
    if accounts.physio_reactivate(clinic=clinic, physio=physio, by=request.user):
        messages.success(
            request,
            _(
                "%(name)s works at %(clinic)s again. Patients handed over stay with their new "
                "physiotherapist."
            )
            % {"name": physio, "clinic": clinic},
        )
    else:
        messages.info(request, _("%(name)s already works at this clinic.") % {"name": physio})
    return redirect("clinic-home")


@clinic_admin_required
def clinic_settings(request, clinic_pk):
    clinic = _clinic(request, clinic_pk)
    form = ClinicSettingsForm(_posted(request), instance=clinic)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("The settings of %(clinic)s are saved.") % {"clinic": clinic})
        return redirect("clinic-home")
    return render(request, "hipcare/clinic/settings.html", {"clinic": clinic, "form": form})


@clinic_admin_required
def access_log_pick(request):
    """The navigation's "Access log": the clinic's log when the user runs one clinic, else the
    clinic page to choose from."""
    clinic_list = list(_admin_clinics(request.user).order_by("name", "pk")[:2])
    if len(clinic_list) == 1:
        return redirect("clinic-access-log", clinic_list[0].pk)
    return redirect("clinic-home")


@clinic_admin_required
def access_log(request, clinic_pk):
    """The clinic's access log, newest first, without the patients' own looks. A fixed number of
    queries: the people to filter by, the count, a page of entries with who looked, and the page's
    patients (fetched apart: an erased patient's entries stay, as a number)."""
    clinic = _clinic(request, clinic_pk)
    events = (
        audit.for_clinic(clinic)
        .exclude(relation=Relation.SELF)
        .prefetch_related("patient")
        .order_by("-at", "-pk")
    )
    filterset = AccessLogFilter(request.GET or None, queryset=events, clinic=clinic)
    page = Paginator(filterset.qs, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, RELATION_FOR_CLINIC.get(event.relation, "")) for event in page]
    context = {
        "clinic": clinic,
        "filter": filterset,
        "page": page,
        "rows": rows,
        "query": _query_without_page(request),
        "filtered": any(request.GET.get(name) for name in ("physio", "patient")),
    }
    return render(request, "hipcare/clinic/access_log.html", context)


@patient_required
def my_data_access(request):
    """Who has looked at the patient's data: two queries (the count and a page)."""
    events = audit.for_patient(request.user)
    page = Paginator(events, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{**row, **audit.label(row)} for row in page]
    return render(request, "hipcare/my_data_access.html", {"page": page, "rows": rows, "query": ""})
