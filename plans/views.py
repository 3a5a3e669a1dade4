from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exercises.models import Condition, Exercise
from hipcare.access import patient_required, physio_required
from hipcare.models import User
from plans import describe, monitoring, services
from plans.forms import DoseChangeForm, PatientAddForm, PlanForm, PrescriptionFormSet
from plans.models import Plan, Prescription, ProgramTemplate
from plans.session_views import history_context

CASELOAD_PAGE_SIZE = 25
# Empty rows under the template's exercises, for adding more without JavaScript.
ASSIGN_BLANK_ROWS = 3


def add_errors(form, error):
    """A service's ValidationError onto the form: on the named field if the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _patients(physio):
    return User.objects.patients_of(physio).select_related("condition")


def _current_prescriptions():
    return Prefetch(
        "prescriptions",
        queryset=Prescription.objects.current()
        .select_related("exercise")
        .prefetch_related("exercise__condition_notes")
        .order_by("order", "pk"),
        to_attr="current_prescriptions",
    )


@physio_required
def caseload(request):
    """Own patients, the most urgent flags first; flags come from one pass over 28 days of data."""
    # PostgreSQL text cannot hold NUL; a pasted one would otherwise be a 500.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    patients = _patients(request.user).prefetch_related(
        Prefetch(
            "plans",
            queryset=Plan.objects.active().select_related("condition"),
            to_attr="active_plans",
        )
    )
    if query:
        patients = patients.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    patients = list(patients.order_by("last_name", "first_name", "pk"))
    today = timezone.localdate()
    plans = [p.active_plans[0] for p in patients if p.active_plans]
    monitors = monitoring.monitor_plans(plans, today=today)
    rows = []
    for patient in patients:
        plan = patient.active_plans[0] if patient.active_plans else None
        monitor = monitors.get(plan.pk) if plan else None
        flags = [(f, describe.flag_label(f)) for f in monitor.flags] if monitor else []
        rows.append({"patient": patient, "plan": plan, "monitor": monitor, "flags": flags})
    # Flagged first by urgency, then patients without a program, then the rest by name.
    rows.sort(key=lambda r: r["monitor"].urgency if r["monitor"] else (98 if not r["plan"] else 99))
    page = Paginator(rows, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "query": f"q={query}" if query else ""}
    return render(request, "plans/caseload.html", context)


@physio_required
def patient_add(request):
    form = PatientAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_invite(physio=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            services.invitation_send(patient=patient, base_url=request.build_absolute_uri("/"))
            messages.success(
                request,
                _("%(name)s is added and an invitation is sent to %(email)s.")
                % {"name": patient.get_full_name(), "email": patient.email},
            )
            return redirect("plans:patient-detail", patient.pk)
    return render(request, "plans/patient_add.html", {"form": form})


@physio_required
def patient_detail(request, pk):
    patient = get_object_or_404(_patients(request.user), pk=pk)
    plans = list(
        Plan.objects.for_user(request.user)
        .filter(patient=patient)
        .select_related("condition")
        .prefetch_related(_current_prescriptions())
    )
    active = next((p for p in plans if p.status == Plan.Status.ACTIVE), None)
    shown = active
    if "plan" in request.GET:
        shown = next((p for p in plans if str(p.pk) == request.GET["plan"]), None)
        if shown is None:
            raise Http404
    shown = shown or (plans[0] if plans else None)
    invitation = None
    if not patient.has_usable_password():
        invitation = request.build_absolute_uri(services.invitation_path(patient))
    context = {
        "patient": patient,
        "plan": active,
        "past_plans": [p for p in plans if p is not active],
        "invitation": invitation,
        "history_plan": shown,
    }
    if active is not None:
        monitor = monitoring.monitor_plans([active], today=timezone.localdate())[active.pk]
        context["monitor"] = monitor
        context["flags"] = [describe.flag_label(f) for f in monitor.flags]
        context["suggestion_kind"] = describe.kind_label(monitor.suggestion.kind)
        context["suggestion_text"] = describe.suggestion_text(monitor.suggestion)
        if monitor.pending:
            context["changes"] = services.proposed_changes(
                monitor.suggestion.kind, active.current_prescriptions
            )
    if shown is not None:
        history = history_context(shown, page_number=request.GET.get("page"))
        history["history_plan"] = history.pop("plan")
        context.update(history)
    return render(request, "plans/patient_detail.html", context)


@require_POST
@physio_required
def patient_invite_resend(request, pk):
    patient = get_object_or_404(_patients(request.user), pk=pk)
    if patient.has_usable_password():
        messages.info(request, _("%(name)s has already set a password.") % {"name": patient})
    else:
        services.invitation_send(patient=patient, base_url=request.build_absolute_uri("/"))
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": patient.email}
        )
    return redirect("plans:patient-detail", patient.pk)


def _exercise_catalogue(condition):
    """Active exercises for the assign form: suitable ones first, cautioned ones marked."""
    exercises = list(
        Exercise.objects.active().prefetch_related("condition_notes", "suits").order_by("name_en")
    )
    suited, other = [], []
    for exercise in exercises:
        label = exercise.name
        if exercise.caution_for(condition.pk):
            label = f"⚠ {label}"
        suits = any(c.pk == condition.pk for c in exercise.suits.all())
        (suited if suits else other).append((str(exercise.pk), label))
    choices = [("", "—")]
    if suited:
        choices.append((_("Suits %(condition)s") % {"condition": condition.name}, suited))
    if other:
        choices.append((_("Other exercises"), other))
    return {str(e.pk): e for e in exercises}, choices


def _template_initial(template, side):
    rows = []
    if template is not None:
        for item in template.items.all():
            rows.append(
                {
                    "keep": True,
                    "exercise": str(item.exercise_id),
                    "sets": item.sets,
                    "dose_min": item.dose_min,
                    "dose_max": item.dose_max,
                    "side": side,
                    "note": item.note,
                }
            )
    return rows + [{"keep": True, "side": side} for _ in range(ASSIGN_BLANK_ROWS)]


@physio_required
def plan_assign(request, pk):
    patient = get_object_or_404(_patients(request.user), pk=pk)
    conditions = {c.code: c for c in Condition.objects.all()}
    code = request.POST.get("condition_code") or request.GET.get("condition")
    condition = conditions.get(code) or patient.condition or next(iter(conditions.values()), None)
    if condition is None:
        messages.error(request, _("The catalogue is empty: ask your clinic admin to load it."))
        return redirect("plans:patient-detail", patient.pk)
    template = (
        ProgramTemplate.objects.filter(condition=condition)
        .prefetch_related("items__exercise")
        .first()
    )
    exercises, choices = _exercise_catalogue(condition)
    row_kwargs = {"exercises": exercises, "exercise_choices": choices, "condition": condition}
    today = timezone.localdate()
    if request.method == "POST":
        form = PlanForm(request.POST)
        formset = PrescriptionFormSet(request.POST, prefix="rx", form_kwargs=row_kwargs)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            items = [spec for f in formset.forms if (spec := f.item_spec())]
            try:
                plan = services.plan_assign(
                    physio=request.user,
                    patient=patient,
                    condition=data["condition"],
                    side=data["side"],
                    start_date=data["start_date"],
                    weeks=data["weeks"],
                    sessions_per_week=data["sessions_per_week"],
                    items=items,
                    template=template if data["condition"] == condition else None,
                    submission_key=data["submission_key"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The program is saved."))
                return redirect(plan)
    else:
        form = PlanForm(
            initial={
                "condition": condition,
                "side": patient.affected_side or "both",
                "start_date": today,
                "weeks": template.weeks if template else 12,
                "sessions_per_week": template.sessions_per_week if template else 3,
            }
        )
        formset = PrescriptionFormSet(
            prefix="rx",
            initial=_template_initial(template, patient.affected_side or "both"),
            form_kwargs=row_kwargs,
        )
    active = Plan.objects.for_user(request.user).active().filter(patient=patient).first()
    context = {
        "patient": patient,
        "form": form,
        "formset": formset,
        "condition": condition,
        "conditions": conditions.values(),
        "template": template,
        "active_plan": active,
    }
    return render(request, "plans/plan_assign.html", context)


@physio_required
def prescription_change(request, pk):
    prescription = get_object_or_404(
        Prescription.objects.for_user(request.user)
        .current()
        .filter(plan__status=Plan.Status.ACTIVE)
        .select_related("exercise", "plan__patient"),
        pk=pk,
    )
    initial = {
        f: getattr(prescription, f) for f in ("sets", "dose_min", "dose_max", "load", "note")
    }
    form = DoseChangeForm(request.POST or None, initial=initial, dose_unit=prescription.dose_unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.prescription_change_dose(prescription=prescription, by=request.user, **{
                k: form.cleaned_data[k] for k in ("sets", "dose_min", "dose_max", "load", "note", "reason")
            })  # fmt: skip
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The new dose applies from today."))
            return redirect("plans:patient-detail", prescription.plan.patient_id)
    context = {"prescription": prescription, "form": form, "patient": prescription.plan.patient}
    return render(request, "plans/prescription_change.html", context)


def _handout(request, plan):
    return render(request, "plans/plan_handout.html", {"plan": plan, "patient": plan.patient})


@physio_required
def plan_handout(request, pk):
    plan = get_object_or_404(
        Plan.objects.for_user(request.user)
        .select_related("patient", "physio", "condition")
        .prefetch_related(_current_prescriptions()),
        pk=pk,
    )
    return _handout(request, plan)


def _own_active_plan(user):
    return (
        Plan.objects.for_user(user)
        .active()
        .select_related("condition", "physio")
        .prefetch_related(_current_prescriptions())
        .first()
    )


@patient_required
def my_program(request):
    plan = _own_active_plan(request.user)
    return render(request, "plans/my_program.html", {"plan": plan})


@patient_required
def my_program_print(request):
    plan = _own_active_plan(request.user)
    if plan is None:
        return redirect("plans:my-program")
    return _handout(request, plan)


@require_POST
@physio_required
def suggestion_decide(request, pk):
    patient = get_object_or_404(_patients(request.user), pk=pk)
    plan = get_object_or_404(
        Plan.objects.for_user(request.user).active().prefetch_related(_current_prescriptions()),
        patient=patient,
    )
    monitor = monitoring.monitor_plans([plan], today=timezone.localdate())[plan.pk]
    posted = request.POST.get("latest_session_date", "")
    if not monitor.pending or str(monitor.latest_session_date) != posted:
        messages.info(
            request, _("The suggestion changed or was already decided; here is the latest.")
        )
        return redirect(f"{reverse('plans:patient-detail', args=[patient.pk])}#suggestion")
    approve = request.POST.get("decision") == "approve"
    # ASCII digits only: "²".isdigit() is true but int("²") fails.
    ids = [v for v in request.POST.getlist("rx") if v.isascii() and v.isdigit() and len(v) < 19]
    if approve and not ids:
        messages.error(request, _("Choose at least one exercise to change, or dismiss."))
        return redirect(f"{reverse('plans:patient-detail', args=[patient.pk])}#suggestion")
    try:
        services.suggestion_decide(
            plan=plan,
            by=request.user,
            kind=monitor.suggestion.kind,
            reason=describe.suggestion_text(monitor.suggestion),
            latest_session_date=monitor.latest_session_date,
            approve=approve,
            prescription_ids=ids,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if approve:
            messages.success(
                request, _("The new doses apply from today. The patient sees the change.")
            )
        else:
            messages.info(request, _("Suggestion dismissed."))
    return redirect("plans:patient-detail", patient.pk)
