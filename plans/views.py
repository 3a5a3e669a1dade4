from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, Q, Value, When, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import outcomes
from courses import services as course_services
from exercises.models import CatalogueVersion, Condition, ProgramTemplate, pictures_prefetch
from hipcare import audit, cache, clinics
from hipcare.access import patient_required, physio_required
from hipcare.forms import add_errors
from hipcare.models import CLINIC_ADMIN, Cover, User
from plans import describe, progress, rules, services
from plans.forms import (
    AddExerciseForm,
    ContactForm,
    DoseChangeForm,
    PainModeForm,
    PlanForm,
    SuggestionDecisionForm,
    assign_formset,
    with_added_row,
)
from plans.history import dose_history, plan_changes
from plans.models import Contact, Plan, Prescription, Side
from plans.session_views import history_html

CASELOAD_PAGE_SIZE = 25
CHANGE = audit.Action.CHANGE


def _patients(physio):
    """The patients a physio may open: their clinics' patients (the caseload lists their own)."""
    return User.objects.patients_for(physio).select_related("condition")


def _recent_contacts():
    return Prefetch(
        "contacts",
        queryset=Contact.objects.select_related("recorded_by").order_by("-recorded_at")[:5],
        to_attr="recent_contacts",
    )


def _current_prescriptions(*, pictures=False):
    """The plan's current doses; with pictures=True also their exercises' pictures (one more
    query, without the bytes) for the pages that show them."""
    lookups = ["exercise__condition_notes"]
    if pictures:
        lookups.append(pictures_prefetch("exercise__pictures"))
    return Prefetch(
        "prescriptions",
        queryset=Prescription.objects.current()
        .select_related("exercise", "eased_after")
        .prefetch_related(*lookups)
        .order_by("order", "pk"),
        to_attr="current_prescriptions",
    )


def _course_of(plan):
    """The course of care of a plan fetched with select_related("course", "maintains"): its own,
    or the one it is the maintenance program of; None without (a reverse one-to-one with no row
    raises RelatedObjectDoesNotExist, an AttributeError, on access)."""
    return getattr(plan, "course", None) or getattr(plan, "maintains", None)


CASELOAD_SCOPES = ("mine", "clinic")


@physio_required
def caseload(request):
    """Own patients (and those of a colleague covered for today), the most urgent flags first;
    or every patient of the physio's clinics, own first. Flags come from one pass over 28 days."""
    # PostgreSQL text cannot hold NUL; a pasted one would otherwise be a 500.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    scope = request.GET.get("scope") if request.GET.get("scope") in CASELOAD_SCOPES else "mine"
    today = timezone.localdate()
    if scope == "mine":  # in care: a closed account (an erasure request) is not
        patients = clinics.my_patients(request.user, today).filter(is_active=True)
    else:
        patients = _patients(request.user)
    patients = patients.select_related("condition", "physio").prefetch_related(
        Prefetch(
            "plans",
            # The course joined: a "review due" flag of a course links to its review page.
            queryset=Plan.objects.active().with_marks().select_related("condition", "course"),
            to_attr="active_plans",
        )
    )
    if query:
        patients = patients.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    own_first = Case(When(physio=request.user, then=Value(0)), default=Value(1))
    patients = list(patients.order_by(own_first, "last_name", "first_name", "pk"))
    rows = progress.caseload(patients, today=today)
    if scope == "clinic":  # own patients first, then by urgency
        rows.sort(key=lambda row: row.patient.physio_id != request.user.pk)
    page = Paginator(rows, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_many(request.user, [row.patient for row in page], audit.What.CASELOAD)
    for row in page:
        row.course = getattr(row.plan, "course", None)  # see _course_of
    params = {k: v for k, v in (("scope", scope if scope != "mine" else ""), ("q", query)) if v}
    context = {
        "page": page,
        "q": query,
        "scope": scope,
        "query": urlencode(params),
        "covers": Cover.objects.on(today).filter(covering=request.user).select_related("absent"),
        # A physio who also runs the clinic reaches its pages from here.
        "clinic_admin": clinics.clinics_of(request.user, CLINIC_ADMIN).exists(),
        "adherence_window_days": rules.ADHERENCE_WINDOW_DAYS,
    }
    return render(request, "plans/caseload.html", context)


@physio_required
def patient_detail(request, pk):
    patient = get_object_or_404(
        _patients(request.user).select_related(
            "invitation", "start_code__created_by", "physio", "erasure_request"
        ),
        pk=pk,
    )
    audit.record(request.user, patient, audit.What.PATIENT)
    today = timezone.localdate()
    # The programs with what their progress reads from them: the physio's last decisions and
    # the sessions done (subqueries of this one query).
    plans = progress.with_done_counts(
        Plan.objects.for_user(request.user)
        .filter(patient=patient)
        .with_marks()
        .annotate(catalogue_version=CatalogueVersion.subquery()),
        today=today,
    )
    plans = list(
        # The course of care a program runs, or the one it keeps up after discharge: joined
        # (reverse one-to-ones, read with _course_of).
        plans.select_related("condition", "course", "maintains").prefetch_related(
            _current_prescriptions(), _recent_contacts()
        )
    )
    for plan in plans:
        plan.patient = patient  # fetched above, not twice
    active = next((p for p in plans if p.status == Plan.Status.ACTIVE), None)
    shown = active
    if "plan" in request.GET:
        shown = next((p for p in plans if str(p.pk) == request.GET["plan"]), None)
        if shown is None:
            raise Http404
    shown = shown or (plans[0] if plans else None)
    context = {
        "patient": patient,
        # A colleague's patient at the clinic: marked, with the way to take them over.
        "not_yours": patient.physio_id != request.user.pk,
        "plan": active,
        "past_plans": [p for p in plans if p is not active],
        # Until the patient chooses a password: the invitation's state, never its link.
        "invitation_pending": not patient.has_usable_password(),
        "invitation": getattr(patient, "invitation", None),
        # The in-clinic start's record (who made the last code, until when), never the code.
        "start_code": getattr(patient, "start_code", None),
    }
    if active is not None:
        context["course"] = course = _course_of(active)
        if course is not None and course.plan_id == active.pk and not course.discharged:
            # Where the course stands: the instruments in use and the points measured (1 query).
            course_state = outcomes.standing(course, clinic_id=patient.clinic_id)
            context["course_stage"] = course_state.stage(today)
            context["today"] = today
            # The review from a week before it is due; the discharge once reviewed or near the end.
            context["course_point"] = course_state.tests_point(today)
            context["review_open"] = course_state.review_open(today)
        context["progress"] = plan_progress = progress.for_plan(active, today=today)
        if plan_progress.dose_decision_pending:
            context["changes"] = progress.proposed_changes(
                plan_progress.suggestion.kind, active.current_prescriptions
            )
        if plan_progress.contact_reason:
            context["contact_form"] = ContactForm(
                initial={
                    "reason": plan_progress.contact_reason,
                    "covers_through": plan_progress.latest_session_date,
                }
            )
        context["pain_mode_form"] = PainModeForm(initial={"pain_mode": active.pain_mode})
        # The change history: each current dose's, and the pain rule's (1 query each).
        context["dose_history"] = dose_history(active.current_prescriptions, viewer=request.user)
        context["pain_rule_changes"] = plan_changes(active, viewer=request.user)
    if shown is not None:
        known = context["progress"].summary if shown is active else None
        context["history_plan"] = shown
        context["history_html"] = history_html(
            request, shown, page_number=request.GET.get("page"), today=today, summary=known
        )
    return render(request, "plans/patient_detail.html", context)


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
        ProgramTemplate.objects.starting_for(condition, patient.clinic_id)
        .prefetch_related("items__exercise")
        .first()
    )
    side = patient.affected_side or Side.BOTH
    added_row = None
    if request.method == "POST":
        form = PlanForm(request.POST)
        formset = assign_formset(
            condition, clinic_id=patient.clinic_id, data=request.POST, template=template
        )
        add_form = AddExerciseForm(request.POST, catalogue=formset.catalogue)
        adding = add_form.chosen()
        if adding is not None or "add_row" in request.POST:
            # "Add an exercise" saves nothing: the page comes back with the rows as typed and
            # the new one at the catalogue's dose, to adjust (also when Save was pressed with
            # an exercise chosen there: the physio sees its dose before it is saved).
            if adding is not None:
                posted_side = request.POST.get("side")
                data = with_added_row(
                    request.POST,
                    adding,
                    side=posted_side if posted_side in Side.values else side,
                    add_form=add_form,
                )
                if data is not request.POST:
                    added_row = int(data["rx-TOTAL_FORMS"]) - 1
                    formset = assign_formset(
                        condition,
                        clinic_id=patient.clinic_id,
                        data=data,
                        template=template,
                        catalogue=formset.catalogue,
                    )
                    add_form = AddExerciseForm(catalogue=formset.catalogue)
            elif not add_form.errors:
                add_form.add_error("exercise", _("Choose the exercise to add."))
        elif form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            items = [spec for f in formset.forms if (spec := f.item_spec())]
            plan = None
            try:
                # The program starts its course of care: the patient's goals, the baseline.
                plan = course_services.course_assign(
                    goals=data["goals"],
                    physio=request.user,
                    patient=patient,
                    condition=data["condition"],
                    side=data["side"],
                    start_date=data["start_date"],
                    weeks=data["weeks"],
                    sessions_per_week=data["sessions_per_week"],
                    pain_mode=data["pain_mode"],
                    items=items,
                    template=template if data["condition"] == condition else None,
                    submission_key=data["submission_key"],
                )
            except ValidationError as error:
                # The same form submitted twice at once (a double click, two tabs): the other
                # submit saved the plan while this one waited for the patient's lock.
                plan = (
                    Plan.objects.for_user(request.user)
                    .filter(patient=patient, submission_key=data["submission_key"])
                    .first()
                )
                if plan is None and "submission_key" in getattr(error, "error_dict", {}):
                    # Its key belongs to another patient's program (a copied or forged form).
                    error = ValidationError(
                        _("This form was already used. Open the page again to assign a program.")
                    )
                if plan is None:
                    add_errors(form, error)
            if plan is not None:
                audit.record(request.user, patient, audit.What.PROGRAM, audit.Action.CHANGE)
                messages.success(request, _("The program is saved."))
                return redirect(plan)
    else:
        form = PlanForm(
            initial={
                "condition": condition,
                "side": side,
                "start_date": timezone.localdate(),
                "weeks": template.weeks if template else 12,
                "sessions_per_week": template.sessions_per_week if template else 3,
            }
        )
        formset = assign_formset(
            condition, clinic_id=patient.clinic_id, template=template, side=side
        )
        add_form = AddExerciseForm(catalogue=formset.catalogue)
    active = Plan.objects.for_user(request.user).active().filter(patient=patient).first()
    audit.record(request.user, patient, audit.What.PROGRAM)
    context = {
        "patient": patient,
        "form": form,
        "formset": formset,
        "add_form": add_form,
        "added_row": added_row,
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
    form = DoseChangeForm(request.POST or None, prescription=prescription)
    if request.method == "POST" and form.is_valid():
        try:
            services.prescription_change_dose(
                prescription=prescription,
                by=request.user,
                **{
                    k: form.cleaned_data[k] for k in ("dose", "load", "note", "next_step", "reason")
                },
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            audit.record(request.user, prescription.plan.patient, audit.What.PROGRAM, CHANGE)
            messages.success(request, _("The new dose applies from today."))
            return redirect("plans:patient-detail", prescription.plan.patient_id)
    audit.record(request.user, prescription.plan.patient, audit.What.PROGRAM)
    context = {"prescription": prescription, "form": form, "patient": prescription.plan.patient}
    return render(request, "plans/prescription_change.html", context)


def _handout(request, plan):
    audit.record(request.user, plan.patient, audit.What.HANDOUT)
    return render(request, "plans/plan_handout.html", {"plan": plan, "patient": plan.patient})


@physio_required
def plan_handout(request, pk):
    plan = get_object_or_404(
        Plan.objects.for_user(request.user)
        .select_related("patient", "physio", "condition")
        .prefetch_related(_current_prescriptions(pictures=True)),
        pk=pk,
    )
    return _handout(request, plan)


def _own_active_plan(user):
    return (
        Plan.objects.for_user(user)
        .active()
        # The course it runs or keeps up (joined; read with _course_of).
        .select_related("condition", "physio", "course", "maintains")
        .prefetch_related(_current_prescriptions(pictures=True))
        .first()
    )


@patient_required
def my_program(request):
    plan = (
        Plan.objects.for_user(request.user)
        .active()
        .select_related("condition", "physio", "course", "maintains")
        .annotate(catalogue_version=CatalogueVersion.subquery())
        .first()
    )
    audit.record(request.user, request.user, audit.What.PROGRAM)
    if plan is None:
        return render(request, "plans/my_program.html", {"plan": None})
    course = _course_of(plan)

    def render_program():
        prefetch_related_objects([plan], _current_prescriptions(pictures=True))
        context = {"plan": plan, "course": course}
        return render_to_string("plans/_my_program.html", context, request=request)

    # The doses (the program's revision), the exercises' texts and pictures (the catalogue's
    # version), the course's state and the day.
    parts = (
        plan.pk,
        plan.revision,
        plan.catalogue_version,
        course and (course.pk, course.discharged),
        timezone.localdate().isoformat(),
    )
    content = cache.fragment("my-program", parts, render_program)
    return render(request, "plans/my_program.html", {"plan": plan, "content": content})


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
    plan_progress = progress.for_plan(plan, today=timezone.localdate())
    form = SuggestionDecisionForm(request.POST, plan=plan)
    suggestion_url = f"{reverse('plans:patient-detail', args=[patient.pk])}#suggestion"
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect(suggestion_url)
    decision = form.cleaned_data
    if not plan_progress.pending or decision["latest_session_date"] != (
        plan_progress.latest_session_date
    ):
        messages.info(
            request, _("The suggestion changed or was already decided; here is the latest.")
        )
        return redirect(suggestion_url)
    if plan_progress.suggestion.kind == rules.STOP:  # answered by a contact (contact_record)
        messages.info(request, _("Contact the patient and record it below."))
        return redirect(suggestion_url)
    approve = decision["decision"] == SuggestionDecisionForm.APPROVE
    try:
        services.suggestion_decide(
            plan=plan,
            by=request.user,
            kind=plan_progress.suggestion.kind,
            reason=describe.suggestion_text(plan_progress.suggestion),
            latest_session_date=plan_progress.latest_session_date,
            approve=approve,
            prescription_ids=[rx.pk for rx in decision["rx"]],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit.record(request.user, patient, audit.What.PROGRAM, CHANGE)
        if approve:
            messages.success(
                request, _("The new doses apply from today. The patient sees the change.")
            )
        else:
            messages.info(request, _("Suggestion dismissed."))
    return redirect("plans:patient-detail", patient.pk)


@require_POST
@physio_required
def contact_record(request, pk):
    patient = get_object_or_404(_patients(request.user), pk=pk)
    plan = get_object_or_404(Plan.objects.for_user(request.user).active(), patient=patient)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what was agreed with the patient."))
        return redirect(f"{reverse('plans:patient-detail', args=[patient.pk])}#suggestion")
    try:
        services.contact_record(plan=plan, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit.record(request.user, patient, audit.What.PATIENT, CHANGE)
        messages.success(request, _("Recorded. The flag is cleared until a new session needs it."))
    return redirect("plans:patient-detail", patient.pk)


@require_POST
@physio_required
def plan_pain_mode(request, pk):
    plan = get_object_or_404(
        Plan.objects.for_user(request.user).active().select_related("patient"), pk=pk
    )
    form = PainModeForm(request.POST)
    if form.is_valid():
        try:
            services.plan_set_pain_mode(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            audit.record(request.user, plan.patient, audit.What.PROGRAM, CHANGE)
            messages.success(request, _("The pain rule is saved; the patient's pages show it."))
    else:
        messages.error(request, _("Choose a pain rule."))
    return redirect("plans:patient-detail", plan.patient_id)
