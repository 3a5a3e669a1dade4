"""Writes: each service is atomic, validates with full_clean(), and takes keyword arguments."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from exercises.dose import Dose
from exercises.models import Exercise, ProgramTemplate
from hipcare.models import User
from plans import progress, rules
from plans.limits import ENTRY_REPS_MAX, ENTRY_SETS_MAX, PAIN_MAX, PAIN_MIN
from plans.models import (
    ClientSubmission,
    Contact,
    NextStep,
    Plan,
    Prescription,
    Review,
    Session,
    SessionAnswer,
    SessionEntry,
    plan_end_date,
)


@dataclass
class ItemSpec:
    """One exercise of a program being assigned, as the physio left it in the form."""

    exercise: Exercise
    dose: Dose
    side: str = "both"
    load: str = ""
    note: str = ""  # the physio's own words, kept as typed
    caution_confirmed: bool = False
    # The template's note in both languages; plan_assign fills it from the template when empty.
    guide_en: str = ""
    guide_da: str = ""


def template_items(template: ProgramTemplate) -> list[ItemSpec]:
    return [
        ItemSpec(
            exercise=item.exercise, dose=item.dose, guide_en=item.note_en, guide_da=item.note_da
        )
        for item in template.items.select_related("exercise").order_by("order", "pk")
    ]


def _template_guides(template) -> dict:
    """The template's notes by exercise id, as (English, Danish); uses prefetched items."""
    if template is None:
        return {}
    return {item.exercise_id: (item.note_en, item.note_da) for item in template.items.all()}


def _check_may_treat(physio, patient):
    """Any physio of the patient's clinic may change their care (each change is in the access
    log, which the patient reads); nobody else, and nobody once the account is closed."""
    if not User.objects.patients_for(physio).filter(pk=patient.pk).exists():
        raise ValidationError(_("This is not a patient of your clinic."))
    if not patient.is_active:
        raise ValidationError(_("This patient's account is closed: the program cannot change."))


@transaction.atomic
def plan_assign(
    *,
    physio,
    patient,
    condition,
    side,
    start_date: datetime.date,
    weeks: int,
    sessions_per_week: int,
    items: list[ItemSpec],
    template=None,
    submission_key=None,
    pain_mode=rules.PAIN_MODE_MONITORING,
) -> Plan:
    """Ends the patient's active program (its history stays) and starts a new one."""
    if submission_key is not None:
        existing = Plan.objects.filter(submission_key=submission_key, patient=patient).first()
        if existing:
            return existing  # the same form posted twice
    _check_may_treat(physio, patient)
    if not items:
        raise ValidationError(_("Add at least one exercise to the program."))
    foreign = [
        i.exercise.name for i in items if i.exercise.clinic_id not in (None, patient.clinic_id)
    ]
    if foreign:
        raise ValidationError(
            _("Not in your clinic's catalogue: %(names)s.") % {"names": ", ".join(foreign)}
        )
    slugs = [item.exercise.slug for item in items]
    if len(set(slugs)) != len(slugs):
        raise ValidationError(_("Each exercise can appear only once in a program."))

    today = timezone.localdate()
    # Lock the patient's row so two concurrent assigns cannot both end the same plan.
    User.objects.select_for_update().filter(pk=patient.pk).first()
    # One by one (there is at most one), so the change history records who ended it.
    for old in Plan.objects.filter(patient=patient, status=Plan.Status.ACTIVE):
        old.status, old.ended_on = Plan.Status.ENDED, today
        old._history_user = physio
        old.save(update_fields=["status", "ended_on"])
    plan = Plan(
        patient=patient,
        physio=physio,
        condition=condition,
        template=template,
        side=side,
        start_date=start_date,
        weeks=weeks,
        end_date=plan_end_date(start_date, weeks) if weeks and weeks > 0 else start_date,
        sessions_per_week=sessions_per_week,
        submission_key=submission_key,
        pain_mode=pain_mode,
    )
    plan._history_user = physio  # the change history's "who", also outside a request
    plan.full_clean()
    plan.save()
    prescriptions = []
    guides = _template_guides(template)
    for order, item in enumerate(items):
        if not item.exercise.is_active:
            raise ValidationError(
                _("“%(name)s” is no longer in the catalogue.") % {"name": item.exercise.name}
            )
        caution = item.exercise.caution_for(condition.pk)
        if caution and not item.caution_confirmed:
            raise ValidationError(
                _("“%(name)s” needs your confirmation: %(reason)s")
                % {"name": item.exercise.name, "reason": caution.reason}
            )
        guide_en, guide_da = (
            (item.guide_en, item.guide_da)
            if item.guide_en or item.guide_da
            else guides.get(item.exercise.pk, ("", ""))
        )
        prescription = Prescription(
            plan=plan,
            exercise=item.exercise,
            order=order,
            side=item.side,
            load=item.load,
            note=item.note,
            guide_en=guide_en,
            guide_da=guide_da,
            caution_confirmed=bool(caution),
            valid_from=start_date,
            created_by=physio,
        )
        if item.dose.unit != item.exercise.dose_unit:
            raise ValidationError(
                _("“%(name)s” is dosed in %(unit)s.")
                % {"name": item.exercise.name, "unit": item.exercise.get_dose_unit_display()}
            )
        prescription.dose = item.dose
        prescription.full_clean()
        prescriptions.append(prescription)
    bulk_create_with_history(prescriptions, Prescription, default_user=physio)
    return plan


@transaction.atomic
def prescription_change_dose(
    *,
    prescription,
    by,
    dose: Dose,
    load=None,
    note=None,
    reason="",
    effective=None,
    next_step=None,
) -> Prescription:
    """Closes the current dose and opens a new one from `effective` (today by default).

    Earlier sessions keep pointing at the old row, so history shows what was prescribed then.
    `load`, `note` and `next_step` (a NextStep code) left as None keep the current ones; the
    template's note (guide_en, guide_da) always carries over.
    """
    effective = effective or timezone.localdate()
    current = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if current.valid_until is not None:
        raise ValidationError(_("This dose has already been changed; reload the page."))
    if current.plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This program has ended."))
    if by is not None:  # None: hipcare eases a dose itself after a hard session
        _check_may_treat(by, current.plan.patient)
    new = Prescription(
        plan=current.plan,
        exercise=current.exercise,
        order=current.order,
        side=current.side,
        load=current.load if load is None else load,
        note=current.note if note is None else note,
        guide_en=current.guide_en,
        guide_da=current.guide_da,
        next_step=current.next_step if next_step is None else next_step,
        caution_confirmed=current.caution_confirmed,
        valid_from=max(effective, current.valid_from),
        change_reason=reason,
        created_by=by,
    )
    if dose.unit != current.dose_unit:
        raise ValidationError(_("The unit of a dose cannot change; assign a new program."))
    new.dose = dose
    # The change history's "who": the physio, or nobody when hipcare eased the dose itself
    # (not the patient whose request finished the session that eased it).
    current._history_user = new._history_user = by
    current.valid_until = new.valid_from
    current.save(update_fields=["valid_until"])
    new.full_clean()
    new.save()
    return new


def check_session_day(plan, day):
    """Refuses a day a session cannot be logged for (the future, too far back, outside or after
    the program)."""
    today = timezone.localdate()
    if day > today:
        raise ValidationError(_("A session cannot be logged for a future day."))
    if day not in rules.loggable_days(start=plan.start_date, last_day=plan.last_day, today=today):
        if not plan.accepts_session_on(day):
            raise ValidationError(_("This day is outside your program."))
        raise ValidationError(
            _("Sessions can be logged up to %(n)d days back.") % {"n": rules.BACKFILL_DAYS}
        )
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This program has ended."))


def _check_pain(value, label):
    if value is not None and not PAIN_MIN <= value <= PAIN_MAX:
        raise ValidationError(
            _("%(label)s must be between %(low)d and %(high)d.")
            % {"label": label, "low": PAIN_MIN, "high": PAIN_MAX}
        )


def _check_red_flags(red_flags):
    if set(red_flags) - set(rules.RED_FLAGS):
        raise ValidationError(_("Unknown answer."))


# --- Changes sent with the browser's key (plans/offline.py) ---------------------------------------


class AlreadyApplied(Exception):
    """A twin request with the same key was written first: nothing of this one is kept."""


def already_applied(*, key, plan, day, kind) -> bool:
    """True when the change with this key was applied to this plan's session of `day` before:
    the service answers without writing again. A key of another of the patient's sessions, or of
    another kind of change, is refused: a key names one change. Only the patient's own keys
    count (another patient's same key neither blocks nor answers for theirs). Call with the
    session locked, so a twin waits."""
    seen = (
        ClientSubmission.objects.filter(key=key, session__plan__patient_id=plan.patient_id)
        .values_list("session__plan_id", "session__date", "kind")
        .first()
    )
    if seen is None:
        return False
    if seen != (plan.pk, day, kind):
        raise ValidationError(_("This change was sent for something else. Reload the page."))
    return True


def record_key(*, key, session, kind):
    """Notes the key of a change, in the change's own transaction (call it inside)."""
    try:
        with transaction.atomic():
            ClientSubmission.objects.create(key=key, session=session, kind=kind)
    except IntegrityError as error:  # written by a twin since already_applied looked
        raise AlreadyApplied from error


@transaction.atomic
def session_start(*, plan, day, pain_before=None, red_flags=None, client_key=None) -> Session:
    """Opens the day's session with the safety questions' answers (pain now, red flags), or
    returns the one already open (two tabs, double clicks). New answers replace the shown ones;
    every answer stays in the session's answer history. With `client_key`, answers sent before
    under that key are not written again (plans/offline.py)."""
    kind = ClientSubmission.Kind.START
    if client_key is not None and already_applied(key=client_key, plan=plan, day=day, kind=kind):
        return Session.objects.get(plan=plan, date=day)
    check_session_day(plan, day)
    _check_pain(pain_before, _("Pain now"))
    _check_red_flags(red_flags or ())
    session, _created = _get_or_create_session(plan, day)
    if pain_before is None and red_flags is None:
        return session
    session = Session.objects.select_for_update().get(pk=session.pk)
    if client_key is not None and already_applied(key=client_key, plan=plan, day=day, kind=kind):
        return session  # a twin of this request was written while this one waited
    if pain_before is not None:
        session.pain_before = pain_before
    if red_flags is not None:
        session.red_flags = sorted(set(red_flags))
    # A stop stays on record for the physio even if the patient then changes the answers.
    if session.stopped_by_screen and session.screen_stopped_at is None:
        session.screen_stopped_at = timezone.now()
    session.full_clean()
    session.save(update_fields=["pain_before", "red_flags", "screen_stopped_at"])
    SessionAnswer.objects.create(
        session=session,
        step=SessionAnswer.Step.SCREEN,
        pain=session.pain_before,
        red_flags=session.red_flags,
    )
    if client_key is not None:
        record_key(key=client_key, session=session, kind=kind)
    return session


def _get_or_create_session(plan, day):
    try:
        with transaction.atomic():
            return Session.objects.get_or_create(plan=plan, date=day)
    except IntegrityError:  # another request created it between our read and write
        return Session.objects.get(plan=plan, date=day), False


@transaction.atomic
def entry_set(*, session, prescription_id, done, sets_done=None, reps_done=None, client_key=None):
    """Ticks (or unticks) one exercise of a session. Ticking twice still leaves one entry. With
    `client_key`, a tick sent before under that key is not written again (plans/offline.py)."""
    # The session's row is locked first, so the ticks of one session (from several devices)
    # run one after another: the read of the entry below and the write after it see no other
    # tick in between, and each change leaves its own row in the change history.
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("plan").get(pk=session.pk)
    )
    kind = ClientSubmission.Kind.TICK
    if client_key is not None and already_applied(
        key=client_key, plan=session.plan, day=session.date, kind=kind
    ):
        return SessionEntry.objects.filter(session=session, prescription_id=prescription_id).first()
    check_session_day(session.plan, session.date)
    prescription = (
        Prescription.objects.in_effect_on(session.date)
        .filter(plan=session.plan, pk=prescription_id)
        .select_related("exercise")
        .first()
    )
    if prescription is None:
        raise ValidationError(_("That exercise is not part of this session."))
    # The safety questions come before the first tick, and their answer can stop the session.
    if not session.screened:
        raise ValidationError(_("First answer the questions before the session."))
    if done and session.stopped_by_screen:
        raise ValidationError(_("Your answers say not to exercise today."))
    if client_key is not None:  # first: a failed write below rolls it back with the change
        record_key(key=client_key, session=session, kind=kind)
    entry = SessionEntry.objects.filter(session=session, prescription=prescription).first()
    if not done:
        if entry is not None:
            entry.delete()
        return None
    for value, limit in ((sets_done, ENTRY_SETS_MAX), (reps_done, ENTRY_REPS_MAX)):
        if value is not None and not 0 <= value <= limit:
            raise ValidationError(_("Enter a number between 0 and %(n)d.") % {"n": limit})
    # Inserted or updated under the session's lock; the entry returned is the one this tick left.
    if entry is not None and (entry.sets_done, entry.reps_done) == (sets_done, reps_done):
        return entry  # ticked twice: nothing changed, nothing to record
    entry = entry or SessionEntry(session=session, prescription=prescription)
    entry.sets_done, entry.reps_done = sets_done, reps_done
    entry.save()
    return entry


@transaction.atomic
def session_finish(
    *, session, pain_after, effort=None, note="", red_flags=None, client_key=None
) -> Session:
    """Records the answers after the session. One hard session (pain after above the plan's
    acceptable level) eases the next session's doses one step, once per session. With
    `client_key`, answers sent before under that key are not written again (plans/offline.py)."""
    session = Session.objects.select_for_update().select_related("plan").get(pk=session.pk)
    kind = ClientSubmission.Kind.FINISH
    if client_key is not None and already_applied(
        key=client_key, plan=session.plan, day=session.date, kind=kind
    ):
        return session
    check_session_day(session.plan, session.date)
    _check_pain(pain_after, _("Pain after"))
    _check_pain(effort, _("Effort"))
    _check_red_flags(red_flags or ())
    session.pain_after = pain_after
    session.effort = effort
    session.note = note
    if red_flags is not None:
        session.red_flags = sorted(set(red_flags))
    session.completed_at = session.completed_at or timezone.now()
    session.full_clean()
    session.save()
    SessionAnswer.objects.create(
        session=session,
        step=SessionAnswer.Step.FINISH,
        pain=pain_after,
        effort=effort,
        red_flags=session.red_flags,
        note=note,
    )
    if client_key is not None:
        record_key(key=client_key, session=session, kind=kind)
    if session.eased_at is None and rules.eases_next_session(pain_after, session.plan.pain_mode):
        _ease_next_session(session)
    return session


def _ease_next_session(session):
    """Each current dose one step down the ladder from the next day, until the physio decides."""
    # The next session: the day after the newest one logged (a missed day logged late after
    # today's session eases tomorrow's), never earlier, so logged sessions keep their dose.
    newest = (
        Session.objects.filter(plan=session.plan, entries__isnull=False).aggregate(
            newest=Max("date")
        )["newest"]
        or session.date
    )
    day = datetime.timedelta(days=1)
    effective = max(timezone.localdate(), session.date + day, newest + day)
    current = (
        Prescription.objects.current()
        .filter(plan=session.plan)
        .select_related("exercise")
        .order_by("order", "pk")
    )
    for rx in current:
        step = rules.ease_off_step(rx.dose)
        if step.dose == rx.dose:
            continue  # already at the bottom of the ladder: the physio chooses a variant
        new = prescription_change_dose(
            prescription=rx,
            by=None,
            dose=step.dose,
            reason=_("One step lighter after pain %(pain)d of 10 after the session of %(date)s.")
            % {"pain": session.pain_after, "date": date_format(session.date, "SHORT_DATE_FORMAT")},
            effective=effective,
        )
        new.eased_after = session
        new.save(update_fields=["eased_after"])
    session.eased_at = timezone.now()
    session.save(update_fields=["eased_at"])


@transaction.atomic
def contact_record(*, plan, by, reason, note, covers_through) -> Contact:
    """The physio contacted the patient after a stop, or reviewed the program."""
    _check_may_treat(by, plan.patient)
    if reason == Contact.Reason.REVIEW:  # a review is of the program as it stands today
        covers_through = max(covers_through or timezone.localdate(), timezone.localdate())
    contact = Contact(
        plan=plan,
        reason=reason,
        note=note.strip(),
        covers_through=covers_through or timezone.localdate(),
        recorded_by=by,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def plan_set_pain_mode(*, plan, by, pain_mode) -> Plan:
    plan = Plan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    _check_may_treat(by, plan.patient)
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This program has ended."))
    plan.pain_mode = pain_mode
    plan._history_user = by
    plan.full_clean()
    plan.save(update_fields=["pain_mode"])
    return plan


def _variant_note(rx, step):
    """The NextStep code a step leaves on the prescription: the variant it moves to, else the
    current one. A code, not words: Prescription.next_step_text words it for each reader, and
    the physio's own note stays as typed."""
    if step.variant == NextStep.HARDER:
        return NextStep.HARDER
    if step.variant == NextStep.EASIER:
        return NextStep.EASIER
    return rx.next_step


@transaction.atomic
def suggestion_decide(
    *, plan, by, kind, reason, latest_session_date, approve, prescription_ids=()
) -> Review:
    """Approves (changing the chosen doses from today) or dismisses a suggestion. Idempotent."""
    existing = Review.objects.filter(plan=plan, latest_session_date=latest_session_date).first()
    _check_may_treat(by, plan.patient)
    if existing:
        return existing  # the same decision posted twice
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("This program has ended."))
    review = Review(
        plan=plan,
        kind=kind,
        reason=reason[:300],
        latest_session_date=latest_session_date,
        decision=Review.Decision.APPROVED if approve else Review.Decision.DISMISSED,
        decided_by=by,
    )
    review.full_clean()
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        return Review.objects.get(plan=plan, latest_session_date=latest_session_date)
    if approve:
        current = list(
            Prescription.objects.current()
            .filter(plan=plan, pk__in=list(prescription_ids))
            .select_related("exercise")
        )
        for rx, step in progress.proposed_changes(kind, current):
            prescription_change_dose(
                prescription=rx,
                by=by,
                dose=step.dose,
                next_step=_variant_note(rx, step),
                reason=reason[:300],
            )
    return review
