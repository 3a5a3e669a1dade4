"""Writes of a course of care: start it with a program, record each instrument's answers, the
review, the discharge with its maintenance program, and the texts a patient has read. Keyword-
only, atomic, checked like the plans' services (plans/services.py)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses import rules, scoring
from courses.models import (
    ClinicInstrument,
    Course,
    EducationRead,
    EducationText,
    Instrument,
    Result,
)
from plans import services as plan_services
from plans.models import Contact, Plan
from plans.services import ItemSpec


def course_start(*, plan: Plan, goals: str = "") -> Course:
    course = Course(plan=plan, goals=goals.strip(), review_on=rules.review_on(plan.start_date))
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def course_assign(*, goals: str = "", **assign) -> Plan:
    """Assigns a program (plans.services.plan_assign, same arguments) and starts its course:
    the patient is asked for the baseline questionnaire before the first session."""
    plan = plan_services.plan_assign(**assign)
    if not Course.objects.filter(plan=plan).exists():  # not a double submit of the same form
        course_start(plan=plan, goals=goals)
    return plan


def instruments_for(clinic_id, *, kind=None, keep=()) -> list[Instrument]:
    """The instruments a clinic's courses use, in order, with their items: every free one, and
    each licensed one the clinic loaded. A licensed instrument's items carry the clinic's texts.
    keep: ids of licensed instruments to return even when the clinic does not use them (or no
    longer does), for the answers a course holds; they come without texts and with
    `in_use = False` (every other one has `in_use = True`).
    4 queries (the clinic's licences, the instruments, their items, their measures)."""
    licensed = {
        ci.instrument_id: ci for ci in ClinicInstrument.objects.in_use().filter(clinic_id=clinic_id)
    }
    rows = Instrument.objects.prefetch_related("items", "measures")
    if kind:
        rows = rows.filter(kind=kind)
    result = []
    for instrument in rows:
        instrument.in_use = True
        if instrument.is_licensed:
            loaded = licensed.get(instrument.pk)
            if loaded is None:
                if instrument.pk not in keep:
                    continue
                instrument.in_use = False
                result.append(instrument)
                continue
            add_clinic_texts(instrument, loaded.texts)
        result.append(instrument)
    return result


def clinic_texts(clinic_id):
    """A subquery annotation of rows with an `instrument` (results): the item texts the clinic
    loaded for it under its licence and still uses (ClinicInstrument.texts), else None. Put
    them on the instrument's items with add_clinic_texts."""
    loaded = ClinicInstrument.objects.in_use().filter(
        clinic_id=clinic_id, instrument=OuterRef("instrument")
    )
    return Subquery(loaded.values("texts")[:1])


def add_clinic_texts(instrument, texts):
    """A licensed instrument's items (prefetched) with the texts its clinic loaded (item number
    → CLINIC_TEXT_KEYS); a free instrument's items keep their own."""
    if not instrument.is_licensed:
        return
    for item in instrument.items.all():
        for key, value in (texts or {}).get(str(item.number), {}).items():
            setattr(item, key, value)


def _answer(instrument, value):
    """One answer as a number within the instrument's range, or a ValidationError."""
    if value in (None, ""):
        raise ValidationError(_("Answer every question."))
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    # The range first: rounding "1e30" to the decimals would raise InvalidOperation.
    if not instrument.answer_min <= number <= instrument.answer_max:
        raise ValidationError(
            _("Answer between %(low)s and %(high)s.")
            # ":f": Decimal("600.0").normalize() alone reads "6E+2".
            % {
                "low": f"{instrument.answer_min.normalize():f}",
                "high": f"{instrument.answer_max.normalize():f}",
            }
        )
    if number != round(number, instrument.decimals):
        raise ValidationError(
            _("Give whole numbers.")
            if instrument.decimals == 0
            else ngettext(
                "Give at most %(n)s decimal.", "Give at most %(n)s decimals.", instrument.decimals
            )
            % {"n": instrument.decimals}
        )
    return int(number) if instrument.decimals == 0 else float(number)


def _check_recorder(course, instrument, by):
    patient = course.plan.patient
    if instrument.kind == Instrument.Kind.QUESTIONNAIRE:
        if by.pk != patient.pk:
            raise ValidationError(_("Only the patient answers this questionnaire."))
        if not patient.is_active:
            raise ValidationError(_("This account is closed."))
    else:
        plan_services._check_may_treat(by, patient)
    if course.plan.status != Plan.Status.ACTIVE and not course.discharged:
        raise ValidationError(_("This program has ended."))


@transaction.atomic
def result_record(*, course, instrument, point, answers: dict, by, week: int = 0) -> Result:
    """Saves one instrument's answers at one point of the course (a second save replaces the
    first, so a patient can correct an answer) with the scores its rule gives."""
    course = Course.objects.select_for_update().select_related("plan__patient").get(pk=course.pk)
    _check_recorder(course, instrument, by)
    if point not in Result.Point.values or (point == rules.WEEK) != (week >= 1):
        raise ValidationError(_("Unknown point of the course."))
    if point == rules.WEEK and not instrument.weekly:
        raise ValidationError(_("This measure is not asked weekly."))
    items = {item.number: item.subscale for item in instrument.items.all()}
    clean = {}
    errors = {}
    for number in items:
        try:
            clean[str(number)] = _answer(instrument, answers.get(number, answers.get(str(number))))
        except ValidationError as error:
            errors[str(number)] = error.messages
    if errors:
        raise ValidationError(errors)
    scores = scoring.score(instrument.scoring, items, {int(n): v for n, v in clean.items()})
    result, _created = Result.objects.update_or_create(
        course=course,
        instrument=instrument,
        point=point,
        week=week,
        defaults={"answers": clean, "scores": scores, "recorded_by": by,
                  "recorded_at": timezone.now()},
    )  # fmt: skip
    return result


@transaction.atomic
def course_ask_discharge(*, course, by) -> Course:
    """Asks the patient for the discharge questionnaire now, before the program's last week."""
    course = Course.objects.select_for_update().select_related("plan__patient").get(pk=course.pk)
    plan_services._check_may_treat(by, course.plan.patient)
    if course.discharged:
        raise ValidationError(_("This course is already discharged."))
    if course.plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This program has ended."))
    if course.discharge_asked_at is None:
        course.discharge_asked_at = timezone.now()
        course.save(update_fields=["discharge_asked_at"])
    return course


@transaction.atomic
def course_review(*, course, by, decision, note="") -> Course:
    """The 6-week review: the decision and a note. It is also the program review the caseload
    asks for, so the "review due" flag clears."""
    course = Course.objects.select_for_update().select_related("plan__patient").get(pk=course.pk)
    plan_services._check_may_treat(by, course.plan.patient)
    if course.discharged:
        raise ValidationError(_("This course is already discharged."))
    if course.plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This program has ended."))
    if decision not in Course.Decision.values:
        raise ValidationError({"decision": _("Choose what happens next.")})
    course.reviewed_at = timezone.now()
    course.review_decision = decision
    course.review_note = note.strip()
    course.full_clean()
    course.save()
    plan_services.contact_record(
        plan=course.plan,
        by=by,
        reason=Contact.Reason.REVIEW,
        note=course.review_note or Course.Decision(decision).label,
        covers_through=timezone.localdate(),
    )
    if decision == Course.Decision.END and course.discharge_asked_at is None:
        course.discharge_asked_at = timezone.now()
        course.save(update_fields=["discharge_asked_at"])
    return course


@transaction.atomic
def course_discharge(
    *,
    course,
    by,
    note="",
    sessions_per_week: int = rules.MAINTENANCE_SESSIONS_PER_WEEK,
    weeks: int = rules.MAINTENANCE_WEEKS,
    confirmed_cautions=(),
) -> Course:
    """Ends the course: the program ends and a maintenance program with the same exercises and
    current doses starts today at a lower frequency, so the patient keeps ticking.
    confirmed_cautions: ids of the exercises whose caution the physio confirmed on the discharge
    form (outcomes.discharge_cautions); plan_assign refuses one not confirmed."""
    course = (
        Course.objects.select_for_update()
        .select_related("plan__patient", "plan__condition")
        .get(pk=course.pk)
    )
    plan = course.plan
    plan_services._check_may_treat(by, plan.patient)
    if course.discharged:
        raise ValidationError(_("This course is already discharged."))
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This program has ended."))
    if not rules.maintenance_sessions_allowed(
        sessions_per_week, course_sessions_per_week=plan.sessions_per_week
    ):
        raise ValidationError(
            {
                "sessions_per_week": _(
                    "A maintenance program has fewer sessions a week than the course "
                    "(%(n)s a week)."
                )
                % {"n": plan.sessions_per_week}
            }
        )
    items = [
        ItemSpec(
            exercise=rx.exercise,
            dose=rx.dose,
            side=rx.side,
            load=rx.load,
            note=rx.note,
            caution_confirmed=rx.caution_confirmed or rx.exercise_id in confirmed_cautions,
            guide_en=rx.guide_en,
            guide_da=rx.guide_da,
        )
        for rx in plan.prescriptions.current().select_related("exercise").order_by("order", "pk")
        # One retired from the catalogue cannot be prescribed again (plan_assign): it stays in
        # the course's program, not in the maintenance program.
        if rx.exercise.is_active
    ]
    if not items:
        raise ValidationError(
            _(
                "None of the program's exercises is in the catalogue any more: assign a new "
                "program instead."
            )
        )
    maintenance = plan_services.plan_assign(
        physio=by,
        patient=plan.patient,
        condition=plan.condition,
        side=plan.side,
        start_date=timezone.localdate(),
        weeks=weeks,
        sessions_per_week=sessions_per_week,
        items=items,
        template=plan.template,
        pain_mode=plan.pain_mode,
    )
    course.discharged_at = timezone.now()
    course.discharge_note = note.strip()
    course.maintenance_plan = maintenance
    course.full_clean()
    course.save()
    return course


def course_of(plan) -> Course | None:
    """The course a plan belongs to: its own, or the one it is the maintenance program of."""
    return (
        Course.objects.filter(plan=plan).first()
        or Course.objects.filter(maintenance_plan=plan).first()
    )


@transaction.atomic
def education_mark_read(*, patient, text: EducationText) -> EducationRead:
    read, _created = EducationRead.objects.get_or_create(patient=patient, text=text)
    return read


# --- A clinic's licensed measures ---------------------------------------------------------------

# The keys of one item's texts in ClinicInstrument.texts (instruments_for sets them on the item).
CLINIC_TEXT_KEYS = (
    "text_en",
    "text_da",
    "low_label_en",
    "low_label_da",
    "high_label_en",
    "high_label_da",
)


def instruments_in_use(clinic_id):
    """The instruments a clinic's courses use, as a queryset without texts (one query where it
    is used): every free one and each licensed one the clinic loaded and still uses."""
    loaded = ClinicInstrument.objects.in_use().filter(clinic_id=clinic_id).values("instrument_id")
    return Instrument.objects.filter(Q(licence=Instrument.Licence.FREE) | Q(pk__in=loaded))


def _check_clinic_admin(by, clinic):
    from hipcare.models import CLINIC_ADMIN, Membership

    if not Membership.objects.filter(
        user=by, clinic=clinic, role=CLINIC_ADMIN, is_active=True
    ).exists():
        raise ValidationError(_("Only an admin of the clinic manages its licensed measures."))


@transaction.atomic
def clinic_instrument_load(
    *, clinic, instrument, by, licence_reference: str, texts: dict
) -> ClinicInstrument:
    """Loads (or loads again) a licensed instrument's item texts under the clinic's licence: from
    now on the clinic's patients are asked it. texts: item number → the CLINIC_TEXT_KEYS."""
    _check_clinic_admin(by, clinic)
    if not instrument.is_licensed:
        raise ValidationError(_("This measure ships with hipcare: there is nothing to load."))
    licence_reference = licence_reference.strip()
    if not licence_reference:
        raise ValidationError({"licence_reference": _("Give the licence your clinic holds.")})
    clean = {}
    errors = {}
    for item in instrument.items.all():
        given = texts.get(item.number, texts.get(str(item.number))) or {}
        row = {key: str(given.get(key) or "").strip() for key in CLINIC_TEXT_KEYS}
        missing = [key for key in ("text_en", "text_da") if not row[key]]
        if missing:
            errors[str(item.number)] = _("Give the text of item %(n)s in both languages.") % {
                "n": item.number
            }
        clean[str(item.number)] = row
    if errors:
        raise ValidationError(errors)
    loaded, _created = ClinicInstrument.objects.update_or_create(
        clinic=clinic,
        instrument=instrument,
        defaults={
            "licence_reference": licence_reference,
            "texts": clean,
            "is_active": True,
            "loaded_by": by,
            "loaded_at": timezone.now(),
        },
    )
    return loaded


@transaction.atomic
def clinic_instrument_stop(*, clinic, instrument, by) -> ClinicInstrument | None:
    """The clinic stops using a licensed instrument: its patients are no longer asked it. The
    answers given so far stay with their courses; the texts stay, so it can be used again."""
    _check_clinic_admin(by, clinic)
    loaded = (
        ClinicInstrument.objects.select_for_update()
        .filter(clinic=clinic, instrument=instrument)
        .first()
    )
    if loaded is not None and loaded.is_active:
        loaded.is_active = False
        loaded.save(update_fields=["is_active"])
    return loaded


def course_summary_deliver(*, course_id, base_url, language) -> str:
    """The worker's side of the discharge e-mail (hipcare.tasks.course_summary_mail_task): tells
    the patient their course summary is ready, with a link to it; they log in to read it. The
    mail carries no health data: no condition, no scores. Returns what happened, in a word."""
    from hipcare.accounts import account_closed

    course = (
        Course.objects.filter(pk=course_id, discharged_at__isnull=False)
        .select_related("plan__patient")
        .first()
    )
    if course is None:  # the patient was erased since
        return "gone"
    patient = course.plan.patient
    if account_closed(patient):  # deactivated, or asked to be erased: no e-mail
        return "closed"
    if not patient.email:
        return "no address"
    link = base_url.rstrip("/") + reverse("courses:summary", args=[course.pk])
    with translation.override(language):
        send_mail(
            subject=_("Your course summary is ready"),
            message=render_to_string(
                "courses/email/summary_ready.txt", {"patient": patient, "link": link}
            ),
            from_email=None,
            recipient_list=[patient.email],
        )
    return "sent"
