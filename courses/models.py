"""A course of care (issue #16): the outcome measures a program is judged by, taken at baseline,
the 6-week review and discharge, the weekly hip pain between them, and the education texts the
patient reads week by week."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import rules, scoring
from exercises.models import Condition, translated


class Instrument(models.Model):
    """A questionnaire the patient fills in, or a test the physio records. Shipped instruments
    come from courses/data/instruments.json; a licensed one ships without its item texts, which
    a clinic loads under its own licence (ClinicInstrument)."""

    class Kind(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", _("Questionnaire (the patient answers)")
        PERFORMANCE = "performance", _("Performance test (the physio records)")

    class Licence(models.TextChoices):
        FREE = "free", _("Free to use: the texts ship with hipcare")
        CLINIC = "clinic", _("Licensed: each clinic loads the texts under its own licence")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_da = models.CharField(_("name (Danish)"), max_length=120)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind)
    scoring = models.CharField(
        _("scoring rule"), max_length=10, choices=[(r, r) for r in scoring.RULES]
    )
    answer_min = models.DecimalField(_("lowest answer"), max_digits=6, decimal_places=1)
    answer_max = models.DecimalField(_("highest answer"), max_digits=6, decimal_places=1)
    # Whole numbers (a scale, a count) or one decimal (seconds).
    decimals = models.PositiveSmallIntegerField(_("decimals in an answer"), default=0)
    licence = models.CharField(_("licence"), max_length=6, choices=Licence)
    licence_note_en = models.TextField(_("licence note (English)"))
    licence_note_da = models.TextField(_("licence note (Danish)"))
    source = models.TextField(_("source"))
    # Asked at the weekly check as well as at baseline, review and discharge.
    weekly = models.BooleanField(_("asked every week too"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("outcome measure")
        verbose_name_plural = _("outcome measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(answer_min__lt=models.F("answer_max")), name="instrument_answer_range"
            ),
            models.CheckConstraint(
                condition=Q(scoring__in=list(scoring.RULES)), name="instrument_scoring_known"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return translated(self, "name")

    @property
    def licence_note(self):
        return translated(self, "licence_note")

    @property
    def is_licensed(self):
        return self.licence == self.Licence.CLINIC


class Item(models.Model):
    """One question (or the one number of a test). A licensed instrument's texts stay blank
    here: the clinic's own copy is in ClinicInstrument.texts."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    subscale = models.SlugField(_("scale"), max_length=20, default="value")
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    text_da = models.CharField(_("text (Danish)"), max_length=300, blank=True)
    # The answer's ends in words, e.g. "No pain" / "Worst pain imaginable".
    low_label_en = models.CharField(_("lowest answer means (English)"), max_length=80, blank=True)
    low_label_da = models.CharField(_("lowest answer means (Danish)"), max_length=80, blank=True)
    high_label_en = models.CharField(_("highest answer means (English)"), max_length=80, blank=True)
    high_label_da = models.CharField(_("highest answer means (Danish)"), max_length=80, blank=True)

    class Meta:
        ordering = ["instrument", "number"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="item_number_unique")
        ]

    def __str__(self):
        return f"{self.instrument.code} {self.number}"

    @property
    def text(self):
        return translated(self, "text")

    @property
    def low_label(self):
        return translated(self, "low_label")

    @property
    def high_label(self):
        return translated(self, "high_label")


class Measure(models.Model):
    """A score an instrument reports (a HOOS-12 scale, or the one value of a test), with how it
    is read and its minimal important change where the source gives one."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("code"), max_length=20)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_da = models.CharField(_("name (Danish)"), max_length=120)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    unit_da = models.CharField(_("unit (Danish)"), max_length=40, blank=True)
    higher_is_better = models.BooleanField(_("a higher score is better"))
    mic_points = models.DecimalField(
        _("minimal important change (points)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    mic_percent = models.DecimalField(
        _("minimal important change (percent of the start value)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )
    mic_source = models.CharField(
        _("source of the minimal important change"), max_length=300, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["instrument__order", "order"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="measure_code_unique"),
            models.CheckConstraint(
                condition=(Q(mic_points__isnull=True) & Q(mic_percent__isnull=True))
                | ~Q(mic_source=""),
                name="measure_mic_has_source",
                violation_error_message=_("Give the source of the minimal important change."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return translated(self, "name")

    @property
    def unit(self):
        return translated(self, "unit")

    @property
    def mic(self):
        return rules.MinimalImportantChange(
            None if self.mic_points is None else float(self.mic_points),
            None if self.mic_percent is None else float(self.mic_percent),
        )


class ClinicInstrumentQuerySet(models.QuerySet):
    def in_use(self):
        return self.filter(is_active=True)


class ClinicInstrument(models.Model):
    """A licensed instrument a clinic uses: the item texts it loaded under its own licence, and
    the licence it holds. Without this row no patient of the clinic is asked the instrument."""

    clinic = models.ForeignKey(
        "hipcare.Clinic", on_delete=models.CASCADE, related_name="instruments"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    licence_reference = models.CharField(
        _("licence"),
        max_length=200,
        help_text=_("The licence or permission the clinic holds, e.g. the licence number."),
    )
    # item number (as text) → {"text_en", "text_da", "low_label_en", ...}
    texts = models.JSONField(_("item texts"), default=dict)
    is_active = models.BooleanField(_("in use"), default=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded"), default=timezone.now)

    objects = ClinicInstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinic's licensed measure")
        verbose_name_plural = _("clinic's licensed measures")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument"], name="clinic_instrument_unique"
            )
        ]

    def __str__(self):
        return f"{self.clinic}: {self.instrument.code}"


class CourseQuerySet(models.QuerySet):
    def for_user(self, user):
        from plans.models import Plan

        return self.filter(plan__in=Plan.objects.for_user(user))


class Course(models.Model):
    """A course of care along one program: baseline at the start, a review at 6 weeks,
    discharge with a maintenance program. Erasing the patient deletes it with the program."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue as planned")
        ADJUST = "adjust", _("Adjust the doses")
        END = "end", _("End the course: discharge")

    plan = models.OneToOneField(
        "plans.Plan", verbose_name=_("program"), on_delete=models.CASCADE, related_name="course"
    )
    goals = models.TextField(
        _("goals"),
        max_length=1000,
        blank=True,
        help_text=_("What the patient wants to be able to do again, in their words."),
    )
    review_on = models.DateField(_("review due"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_decision = models.CharField(
        _("decision at review"), max_length=10, choices=Decision, blank=True
    )
    review_note = models.TextField(_("review note"), max_length=2000, blank=True)
    # The physio asked the patient for the discharge questionnaire (before the last week).
    discharge_asked_at = models.DateTimeField(_("discharge answers asked"), null=True, blank=True)
    discharged_at = models.DateTimeField(_("discharged"), null=True, blank=True)
    discharge_note = models.TextField(_("plan to keep going"), max_length=2000, blank=True)
    # The lower-frequency program the patient keeps after discharge.
    maintenance_plan = models.OneToOneField(
        "plans.Plan",
        verbose_name=_("maintenance program"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maintains",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("course of care")
        verbose_name_plural = _("courses of care")
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, review_decision="")
                | Q(reviewed_at__isnull=False) & ~Q(review_decision=""),
                name="course_review_decided",
            ),
        ]

    def __str__(self):
        return f"{self.plan}"

    @property
    def discharged(self):
        return self.discharged_at is not None

    @property
    def reviewed(self):
        return self.reviewed_at is not None


class ResultQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(course__in=Course.objects.for_user(user))


class Result(models.Model):
    """One instrument answered at one point of a course (or one week's pain): the answers as
    given and the scores its rule computed from them when it was saved."""

    class Point(models.TextChoices):
        BASELINE = rules.BASELINE, _("Start")
        WEEK = rules.WEEK, _("Week")
        REVIEW = rules.REVIEW, _("Review")
        DISCHARGE = rules.DISCHARGE, _("Discharge")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="results")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    point = models.CharField(_("when"), max_length=10, choices=Point)
    week = models.PositiveSmallIntegerField(_("program week"), default=0)
    answers = models.JSONField(_("answers"), default=dict)
    scores = models.JSONField(_("scores"), default=dict)
    # RESTRICT: a physio who recorded a test is never deleted; the patient's own answers go
    # with their course when the patient is erased.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "instrument", "point", "week"], name="result_once_per_point"
            ),
            models.CheckConstraint(
                condition=Q(point=rules.WEEK, week__gte=1) | ~Q(point=rules.WEEK) & Q(week=0),
                name="result_week_only_weekly",
            ),
        ]

    def __str__(self):
        return f"{self.course} {self.instrument.code} {self.point} {self.week or ''}".strip()


class EducationTextQuerySet(models.QuerySet):
    def for_condition(self, condition_id):
        return self.filter(condition_id=condition_id, is_active=True)


class EducationText(models.Model):
    """A short text for patients with one condition, shown from one program week on, in both
    languages; admins edit them in the Django admin like the catalogue."""

    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="+"
    )
    slug = models.SlugField(_("code"), max_length=60)
    week = models.PositiveSmallIntegerField(_("from program week"), default=1)
    order = models.PositiveSmallIntegerField(_("order in the week"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_da = models.CharField(_("title (Danish)"), max_length=120)
    body_en = models.TextField(_("text (English)"), help_text=_("A paragraph a line."))
    body_da = models.TextField(_("text (Danish)"), help_text=_("A paragraph a line."))
    source = models.CharField(_("source"), max_length=300)
    is_active = models.BooleanField(_("shown to patients"), default=True)

    objects = EducationTextQuerySet.as_manager()

    class Meta:
        ordering = ["condition", "week", "order", "pk"]
        verbose_name = _("education text")
        verbose_name_plural = _("education texts")
        constraints = [
            models.UniqueConstraint(fields=["condition", "slug"], name="education_slug_unique"),
            models.CheckConstraint(condition=Q(week__gte=1), name="education_week_from_1"),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return translated(self, "title")

    @property
    def body(self):
        return translated(self, "body")

    @property
    def paragraphs(self):
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class EducationRead(models.Model):
    """A patient marked a text as read. Erasing the patient deletes these with the account."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="education_reads"
    )
    text = models.ForeignKey(EducationText, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(_("read"), default=timezone.now)

    class Meta:
        verbose_name = _("text read")
        verbose_name_plural = _("texts read")
        constraints = [
            models.UniqueConstraint(fields=["patient", "text"], name="education_read_once")
        ]

    def __str__(self):
        return f"{self.patient_id} read {self.text_id}"
