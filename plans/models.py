import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from exercises.bounds import (
    DEFAULT_SESSIONS_PER_WEEK,
    PLAN_WEEKS_MAX,
    PLAN_WEEKS_MIN,
    SESSIONS_PER_WEEK_MAX,
    SESSIONS_PER_WEEK_MIN,
)
from exercises.models import Condition, DoseMixin, Exercise, dose_constraints, translated
from hipcare.models import User
from plans import rules
from plans.limits import ENTRY_REPS_MAX, ENTRY_SETS_MAX, PAIN_MAX, PAIN_MIN


class History(HistoricalRecords):
    """django-simple-history's change history (shown by plans/history.py), with one difference:
    a row deleted only because its program is deleted (a patient's erasure) records no deletion.
    The program's whole history goes with it (plans.history.forget_program); a tick removed on
    its own (an untick) is recorded as usual."""

    def post_delete(self, instance, using=None, origin=None, **kwargs):
        origin_model = origin.model if isinstance(origin, models.QuerySet) else type(origin)
        cascaded = origin is not None and origin_model is not type(instance)
        if cascaded and not self.cascade_delete_history:
            return
        super().post_delete(instance, using=using, origin=origin, **kwargs)


class PainMode(models.TextChoices):
    # The seed's FAQ stops at any pain; hipcare follows the pain-monitoring model [9][10] unless
    # the physio chooses pain-free for this patient (clinical-facts.md §4).
    MONITORING = rules.PAIN_MODE_MONITORING, _("Pain monitoring (up to 5 of 10)")
    PAIN_FREE = rules.PAIN_MODE_FREE, _("Pain-free (ease off at any pain)")


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both")


class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        """Plans the user may see: a patient their own, a physio those of their clinics'
        patients, nobody else any. Staff status never widens this, and a clinic admin who is
        not also a physio there sees none."""
        if user.is_physio:
            return self.filter(patient__in=User.objects.patients_for(user))
        if user.is_patient:
            return self.filter(patient=user)
        return self.none()

    def active(self):
        return self.filter(status=Plan.Status.ACTIVE)

    def with_marks(self):
        """The physio's latest decisions, read by plans/progress.py: the newest session a dose
        decision covered, the newest a stop contact covered, and the last program review."""

        def newest(model, field, **filters):
            rows = model.objects.filter(plan=OuterRef("pk"), **filters).order_by(f"-{field}")
            return Subquery(rows.values(field)[:1])

        return self.annotate(
            review_through=newest(Review, "latest_session_date"),
            stop_contact_through=newest(Contact, "covers_through", reason=Contact.Reason.STOP),
            program_review_on=newest(Contact, "covers_through", reason=Contact.Reason.REVIEW),
        )


class Plan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    # Erasing a patient (hipcare/erasure.py, or the admin's delete) takes their programs with them.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="plans",
    )
    physio = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("physiotherapist"),
        on_delete=models.PROTECT,
        related_name="prescribed_plans",
    )
    condition = models.ForeignKey(Condition, verbose_name=_("condition"), on_delete=models.PROTECT)
    template = models.ForeignKey(
        "exercises.ProgramTemplate",
        verbose_name=_("started from template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    side = models.CharField(_("affected side"), max_length=5, choices=Side, default=Side.BOTH)
    start_date = models.DateField(_("start date"))
    weeks = models.PositiveSmallIntegerField(_("length in weeks"), default=12)
    end_date = models.DateField(_("end date"))
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions per week"), default=DEFAULT_SESSIONS_PER_WEEK
    )
    pain_mode = models.CharField(
        _("pain rule"),
        max_length=12,
        choices=PainMode,
        default=PainMode.MONITORING,
        help_text=_(
            "Pain monitoring allows pain up to 5 of 10 that settles by the next morning; "
            "pain-free eases off at any pain."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # A random key from the assign form: a double submit finds the plan it already made.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Raised by the database itself (triggers, plans/revision.py) whenever the program, its doses,
    # sessions, ticks or answers change: the version of everything cached about the program.
    revision = models.BigIntegerField(default=0, editable=False)

    objects = PlanQuerySet.as_manager()
    # Every change (the pain rule among them) with who made it; deleting the program deletes it.
    history = History(cascade_delete_history=True, excluded_fields=["revision"])

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        indexes = [models.Index(fields=["physio", "status"], name="plan_physio_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status="active"),
                name="plan_one_active_per_patient",
                violation_error_message=_("This patient already has an active program."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="plan_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(weeks__gte=PLAN_WEEKS_MIN, weeks__lte=PLAN_WEEKS_MAX),
                name="plan_weeks_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    sessions_per_week__gte=SESSIONS_PER_WEEK_MIN,
                    sessions_per_week__lte=SESSIONS_PER_WEEK_MAX,
                ),
                name="plan_sessions_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True)
                | Q(status="ended", ended_on__isnull=False),
                name="plan_ended_on_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.patient} – {self.condition}"

    def get_absolute_url(self):
        return reverse("plans:patient-detail", args=[self.patient_id])

    @property
    def last_day(self):
        """The last day sessions may be logged: the planned end, or the day it was ended."""
        if self.ended_on and self.ended_on < self.end_date:
            return self.ended_on
        return self.end_date

    def accepts_session_on(self, day):
        return self.status == self.Status.ACTIVE and self.start_date <= day <= self.last_day


def plan_end_date(start_date, weeks):
    return start_date + datetime.timedelta(weeks=weeks, days=-1)


class PrescriptionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(plan__in=Plan.objects.for_user(user))

    def in_effect_on(self, day):
        """Doses valid on a day. valid_until is exclusive, so a same-day change is an empty span."""
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day), valid_from__lte=day
        )

    def current(self):
        return self.filter(valid_until__isnull=True)


class NextStep(models.TextChoices):
    NONE = "", _("As described")
    HARDER = "harder", _("Harder variant")
    EASIER = "easier", _("Easier variant")


def next_step_text(exercise, code):
    """A NextStep code in words, with the exercise's variant, in the active language."""
    if code == NextStep.HARDER:
        variant = exercise.harder or gettext("more resistance (a stronger band or a weight)")
        return gettext("Next step: %(variant)s.") % {"variant": variant}
    if code == NextStep.EASIER:
        variant = exercise.easier or gettext("a smaller range of movement")
        return gettext("Make it easier: %(variant)s.") % {"variant": variant}
    return ""


class Prescription(DoseMixin):
    """One exercise in a plan with its dose. A dose change closes this row and opens a new one,
    so a logged session always points at the dose that was prescribed that day."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prescriptions")
    exercise = models.ForeignKey(Exercise, verbose_name=_("exercise"), on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    side = models.CharField(_("side"), max_length=5, choices=Side, default=Side.BOTH)
    load = models.CharField(
        _("load"), max_length=100, blank=True, help_text=_("Band colour or weight, if any.")
    )
    note = models.CharField(_("note to the patient"), max_length=300, blank=True)
    # The template's note for this exercise, in both languages: the patient reads it in theirs.
    guide_en = models.CharField(_("template note (English)"), max_length=300, blank=True)
    guide_da = models.CharField(_("template note (Danish)"), max_length=300, blank=True)
    # An approved progression to the exercise's harder or easier variant, as a code: the words
    # come from the exercise in the reader's language when the page is shown.
    next_step = models.CharField(
        _("variant"), max_length=10, choices=NextStep, blank=True, default=NextStep.NONE
    )
    caution_confirmed = models.BooleanField(_("caution confirmed by the physio"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until (exclusive)"), null=True, blank=True)
    change_reason = models.CharField(_("reason for change"), max_length=300, blank=True)
    # Set when hipcare itself eased the dose after one hard session (created_by is then empty).
    eased_after = models.ForeignKey(
        "Session",
        verbose_name=_("eased after the session of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PrescriptionQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        constraints = [
            *dose_constraints("prescription"),
            models.UniqueConstraint(
                fields=["plan", "exercise"],
                condition=Q(valid_until__isnull=True),
                name="prescription_one_current_per_exercise",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="prescription_valid_span",
            ),
            models.CheckConstraint(
                condition=Q(next_step__in=NextStep.values), name="prescription_next_step_known"
            ),
        ]

    def __str__(self):
        return f"{self.exercise}: {self.sets} × {self.dose.range}"

    @property
    def guide(self):
        """The template's note in the reader's language."""
        return translated(self, "guide")

    @property
    def next_step_text(self):
        """The approved variant in the reader's language, or "" when there is none."""
        return next_step_text(self.exercise, self.next_step)


class SessionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(plan__in=Plan.objects.for_user(user))


class Session(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    pain_before = models.PositiveSmallIntegerField(_("pain before (0–10)"), null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField(_("pain after (0–10)"), null=True, blank=True)
    effort = models.PositiveSmallIntegerField(_("effort (0–10)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    red_flags = models.JSONField(_("red flags reported"), default=list, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # When one hard session eased the next session's doses; once per session, however often
    # the patient changes the answers.
    eased_at = models.DateTimeField(_("doses eased"), null=True, blank=True)
    # When the safety questions first said "do not exercise today"; kept when answers change.
    screen_stopped_at = models.DateTimeField(
        _("stopped by the safety questions"), null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SessionQuerySet.as_manager()
    # Each later change of an answer or a tick is shown on the session page (plans/history.py).
    history = History()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "date"], name="session_one_per_plan_day"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | Q(**{f"{field}__gte": PAIN_MIN, f"{field}__lte": PAIN_MAX}),
                    name=f"session_{field}_0_10",
                )
                for field in ("pain_before", "pain_after", "effort")
            ],
        ]

    def __str__(self):
        return f"{self.plan.patient} {self.date}"

    @property
    def screened(self):
        """The safety questions were answered before the session."""
        return self.pain_before is not None

    @property
    def stopped_by_screen(self):
        return self.screened and rules.screen_says_stop(self.pain_before, self.red_flags)


class SessionEntry(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="entries")
    # RESTRICT, not PROTECT: a ticked prescription cannot be deleted on its own, but goes with
    # its program when the whole program is deleted (a patient's erasure).
    prescription = models.ForeignKey(
        Prescription, on_delete=models.RESTRICT, related_name="entries"
    )
    sets_done = models.PositiveSmallIntegerField(_("sets done"), null=True, blank=True)
    reps_done = models.PositiveSmallIntegerField(_("reps or seconds done"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = History()

    class Meta:
        verbose_name = _("ticked exercise")
        verbose_name_plural = _("ticked exercises")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "prescription"], name="entry_once_per_session"
            ),
            models.CheckConstraint(
                condition=Q(sets_done__isnull=True) | Q(sets_done__lte=ENTRY_SETS_MAX),
                name="entry_sets_done_range",
            ),
            models.CheckConstraint(
                condition=Q(reps_done__isnull=True) | Q(reps_done__lte=ENTRY_REPS_MAX),
                name="entry_reps_done_range",
            ),
        ]

    def __str__(self):
        return f"{self.prescription.exercise} ✓"


class Review(models.Model):
    """The physio's decision on a suggestion. A suggestion is computed from the sessions; once
    decided, it is not shown again until a newer session arrives."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        DISMISSED = "dismissed", _("Dismissed")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("suggestion"), max_length=10)
    reason = models.CharField(_("reason"), max_length=300)
    latest_session_date = models.DateField(_("latest session considered"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["plan", "-decided_at"], name="review_plan_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "latest_session_date"], name="review_once_per_latest_session"
            )
        ]

    def __str__(self):
        return f"{self.plan}: {self.kind} {self.decision}"


class SessionAnswer(models.Model):
    """Every answer a patient gave for a session, in order: changing an answer adds a row, so a
    red flag reported and then removed stays visible to the physio with both times."""

    class Step(models.TextChoices):
        SCREEN = "screen", _("Before the session")
        FINISH = "finish", _("After the session")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="answers")
    step = models.CharField(_("step"), max_length=10, choices=Step)
    pain = models.PositiveSmallIntegerField(_("pain (0–10)"), null=True, blank=True)
    effort = models.PositiveSmallIntegerField(_("effort (0–10)"), null=True, blank=True)
    red_flags = models.JSONField(_("red flags reported"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = History()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("session answer")
        verbose_name_plural = _("session answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(pain__isnull=True) | Q(pain__gte=PAIN_MIN, pain__lte=PAIN_MAX),
                name="session_answer_pain_0_10",
            ),
            models.CheckConstraint(
                condition=Q(effort__isnull=True) | Q(effort__gte=PAIN_MIN, effort__lte=PAIN_MAX),
                name="session_answer_effort_0_10",
            ),
        ]

    def __str__(self):
        return f"{self.session} {self.step} {self.recorded_at:%H:%M}"


class Contact(models.Model):
    """The physio's record of contacting the patient (after a stop) or reviewing the program.
    A stop flag stays on the caseload until a contact covers the session that raised it."""

    class Reason(models.TextChoices):
        STOP = "stop", _("Stop and review: patient contacted")
        REVIEW = "review", _("Program review")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contacts")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    note = models.TextField(_("note"), max_length=2000)
    # The newest session the physio had seen; later sessions can raise a new flag.
    covers_through = models.DateField(_("covers sessions up to"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["plan", "-recorded_at"], name="contact_plan_latest")]

    def __str__(self):
        return f"{self.plan}: {self.get_reason_display()} {self.recorded_at:%Y-%m-%d}"


class ClientSubmission(models.Model):
    """A change made on the patient's phone, under the key the browser gave it (issue 17): a
    tick or an answer made offline is sent again when the network is back, so a key seen before
    is answered without writing twice (plans/offline.py). Written in the change's transaction."""

    class Kind(models.TextChoices):
        START = "start", _("Before the session")
        TICK = "tick", _("Tick")
        FINISH = "finish", _("After the session")

    # A key is the patient's own (services.already_applied looks among their sessions only):
    # the same key from someone else, guessed or copied, neither blocks nor stands for theirs.
    key = models.UUIDField(_("key"), db_index=True, editable=False)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="client_submissions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # Deleted after plans.offline.KEY_KEEP_DAYS by the daily housekeeping.
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("change sent from a phone")
        verbose_name_plural = _("changes sent from a phone")
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="client_submission_once")
        ]

    def __str__(self):
        return f"{self.session} {self.kind} {self.key}"
