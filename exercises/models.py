import hashlib

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from exercises.bounds import (
    DEFAULT_SESSIONS_PER_WEEK,
    DOSE_BOUNDS,
    PLAN_WEEKS_MAX,
    PLAN_WEEKS_MIN,
    SESSIONS_PER_WEEK_MAX,
    SESSIONS_PER_WEEK_MIN,
    SETS_MAX,
    SETS_MIN,
)
from exercises.dose import Dose, DoseUnit
from exercises.pictures import CONTENT_TYPES, FALLBACK_SIZE, image_size
from hipcare.models import PHYSIO, Membership


def translated(obj, field):
    """The Danish text when the active language is Danish and it is filled in, else English."""
    if (get_language() or "en").startswith("da"):
        value = getattr(obj, f"{field}_da", "")
        if value:
            return value
    return getattr(obj, f"{field}_en")


def dose_constraints(prefix):
    """Database checks so no path can store a nonsensical dose."""
    unit_bounds = Q()
    for unit, (low, high) in DOSE_BOUNDS.items():
        unit_bounds |= Q(
            dose_unit=unit,
            dose_min__gte=low,
            dose_min__lte=high,
            dose_max__gte=low,
            dose_max__lte=high,
        )
    return [
        models.CheckConstraint(
            condition=Q(sets__gte=SETS_MIN, sets__lte=SETS_MAX), name=f"{prefix}_sets_in_range"
        ),
        models.CheckConstraint(
            condition=Q(dose_min__lte=F("dose_max")), name=f"{prefix}_dose_min_lte_max"
        ),
        models.CheckConstraint(condition=unit_bounds, name=f"{prefix}_dose_in_unit_bounds"),
    ]


class DoseMixin(models.Model):
    """Sets and a range of reps, hold seconds or minutes."""

    sets = models.PositiveSmallIntegerField(_("sets"), default=2)
    dose_unit = models.CharField(_("unit"), max_length=10, choices=DoseUnit, default=DoseUnit.REPS)
    dose_min = models.PositiveSmallIntegerField(_("from"), default=10)
    dose_max = models.PositiveSmallIntegerField(_("to"), default=15)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors = self.dose.errors
        if errors:
            raise ValidationError(errors)

    @property
    def dose(self) -> Dose:
        return Dose(self.sets, self.dose_unit, self.dose_min, self.dose_max)

    @dose.setter
    def dose(self, value: Dose):
        self.sets, self.dose_unit = value.sets, value.unit
        self.dose_min, self.dose_max = value.low, value.high


class Condition(models.Model):
    class Code(models.TextChoices):
        OSTEOARTHRITIS = "osteoarthritis", _("Hip osteoarthritis")
        BURSITIS = "bursitis", _("Trochanteric bursitis")
        FAI = "fai", _("Femoroacetabular impingement")

    code = models.CharField(_("code"), max_length=20, choices=Code, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_da = models.CharField(_("name (Danish)"), max_length=100)
    guidance_en = models.TextField(_("tailoring guidance (English)"))
    guidance_da = models.TextField(_("tailoring guidance (Danish)"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return translated(self, "name")

    @property
    def guidance(self):
        return translated(self, "guidance")


def clinic_owner(related_name, help_text):
    """The clinic a catalogue entry belongs to; empty for the shared catalogue."""
    return models.ForeignKey(
        "hipcare.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        help_text=help_text,
    )


class ExerciseQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(name_en__icontains=text)
            | Q(name_da__icontains=text)
            | Q(target_muscles_en__icontains=text)
            | Q(target_muscles_da__icontains=text)
            | Q(equipment_en__icontains=text)
            | Q(slug__icontains=text)
        )

    def visible_to(self, user):
        """The shared catalogue and the exercises of the clinics where the user works. Patients
        and staff see the shared catalogue (a patient sees their own exercises through the plan)."""
        return self.filter(Q(clinic__isnull=True) | Q(clinic__in=_clinics_of(user)))

    def for_clinic(self, clinic_id):
        """What may be prescribed to a patient of this clinic: shared, or the clinic's own."""
        return self.filter(Q(clinic__isnull=True) | Q(clinic_id=clinic_id))

    def with_catalogue_relations(self):
        return self.prefetch_related("suits", "condition_notes__condition")

    def with_pictures(self):
        return self.prefetch_related(pictures_prefetch())


class Exercise(DoseMixin):
    class Category(models.TextChoices):
        STRENGTH = "strength", _("Strength")
        FLEXIBILITY = "flexibility", _("Flexibility")
        STABILITY = "stability", _("Stability and balance")
        MOBILITY = "mobility", _("Mobility")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    # Empty: the shared catalogue. Set: this clinic's own exercise, seen by its physios only.
    clinic = clinic_owner("exercises", _("Leave empty for the shared catalogue."))
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_da = models.CharField(_("name (Danish)"), max_length=120)
    instructions_en = models.TextField(_("instructions (English)"), help_text=_("One step a line."))
    instructions_da = models.TextField(_("instructions (Danish)"), help_text=_("One step a line."))
    category = models.CharField(_("category"), max_length=20, choices=Category)
    target_muscles_en = models.CharField(_("target muscles (English)"), max_length=200)
    target_muscles_da = models.CharField(_("target muscles (Danish)"), max_length=200)
    equipment_en = models.CharField(_("equipment (English)"), max_length=120, blank=True)
    equipment_da = models.CharField(_("equipment (Danish)"), max_length=120, blank=True)
    per_side = models.BooleanField(_("per side"), default=False)
    alternating = models.BooleanField(_("alternating sides"), default=False)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=[(1, _("Easy")), (2, _("Moderate")), (3, _("Hard"))], default=1
    )
    suits = models.ManyToManyField(
        Condition, verbose_name=_("suits"), related_name="suited_exercises", blank=True
    )
    easier_en = models.CharField(_("easier variant (English)"), max_length=200, blank=True)
    easier_da = models.CharField(_("easier variant (Danish)"), max_length=200, blank=True)
    harder_en = models.CharField(_("harder variant (English)"), max_length=200, blank=True)
    harder_da = models.CharField(_("harder variant (Danish)"), max_length=200, blank=True)
    # Where the starting dose is a product rule rather than the source's, say so to the physio.
    dose_note_en = models.CharField(_("note on the dose (English)"), max_length=300, blank=True)
    dose_note_da = models.CharField(_("note on the dose (Danish)"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300)
    video_url = models.URLField(
        _("video link"),
        blank=True,
        validators=[
            URLValidator(
                schemes=["https"], message=_("Enter a web address that starts with https://.")
            )
        ],
        help_text=_("Optional: a video of the exercise (https://), opened in a new tab."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive exercises cannot be added to programs.")
    )

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        constraints = [
            *dose_constraints("exercise"),
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=3), name="exercise_difficulty_1_3"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("exercises:detail", args=[self.slug])

    @property
    def name(self):
        return translated(self, "name")

    @property
    def instructions(self):
        return translated(self, "instructions")

    @property
    def instruction_steps(self):
        return [line.strip() for line in self.instructions.splitlines() if line.strip()]

    @property
    def target_muscles(self):
        return translated(self, "target_muscles")

    @property
    def equipment(self):
        return translated(self, "equipment")

    @property
    def easier(self):
        return translated(self, "easier")

    @property
    def harder(self):
        return translated(self, "harder")

    @property
    def dose_note(self):
        return translated(self, "dose_note")

    def notes_for(self, condition_id):
        """Caution or adaptation notes for one condition; uses prefetched notes when present."""
        return [n for n in self.condition_notes.all() if n.condition_id == condition_id]

    def caution_for(self, condition_id):
        return next(
            (n for n in self.notes_for(condition_id) if n.kind == ConditionNote.Kind.CAUTION), None
        )

    @property
    def pictures_in_order(self):
        """The start picture, then the end one; uses prefetched pictures when present."""
        order = list(ExercisePicture.Position.values)
        return sorted(self.pictures.all(), key=lambda p: order.index(p.position))


class ExercisePictureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The pictures of the exercises a user may see: the shared catalogue's, and a clinic's
        own exercises' for its physios and its patients. The catalogue's editors see all."""
        if user.is_staff and user.has_perm("exercises.change_exercise"):
            return self.all()
        clinics = Q(exercise__clinic__isnull=True) | Q(exercise__clinic__in=_clinics_of(user))
        if getattr(user, "clinic_id", None):  # a patient: their clinic's own exercises
            clinics |= Q(exercise__clinic_id=user.clinic_id)
        return self.filter(clinics)


# What a page reads of a picture: never the bytes.
PICTURE_PAGE_FIELDS = [
    "id", "exercise", "position", "content_type", "digest", "width", "height", "alt_en", "alt_da",
]  # fmt: skip


def pictures_prefetch(lookup="pictures"):
    """One query for the pictures of every exercise on a page, without their bytes."""
    return Prefetch(lookup, queryset=ExercisePicture.objects.only(*PICTURE_PAGE_FIELDS))


class ExercisePicture(models.Model):
    """The start or end position of an exercise. The bytes live in the database, so every app
    server serves the same picture; the URL names the digest, so it may be cached for ever."""

    class Position(models.TextChoices):
        START = "start", _("Start")
        END = "end", _("End")

    exercise = models.ForeignKey(
        Exercise, verbose_name=_("exercise"), on_delete=models.CASCADE, related_name="pictures"
    )
    position = models.CharField(_("position"), max_length=5, choices=Position)
    content = models.BinaryField(_("picture"))
    content_type = models.CharField(
        _("content type"), max_length=20, choices=[(t, t) for t in CONTENT_TYPES], editable=False
    )
    digest = models.CharField(_("SHA-256"), max_length=64, editable=False)
    width = models.PositiveIntegerField(_("width"), default=FALLBACK_SIZE[0], editable=False)
    height = models.PositiveIntegerField(_("height"), default=FALLBACK_SIZE[1], editable=False)
    alt_en = models.CharField(
        _("description (English)"),
        max_length=300,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    alt_da = models.CharField(_("description (Danish)"), max_length=300)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExercisePictureQuerySet.as_manager()

    class Meta:
        ordering = ["exercise_id", "-position"]  # start, then end
        verbose_name = _("exercise picture")
        verbose_name_plural = _("exercise pictures")
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "position"],
                name="exercise_picture_one_per_position",
                violation_error_message=_("This exercise has a picture for this position."),
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=CONTENT_TYPES), name="exercise_picture_content_type"
            ),
        ]

    def __str__(self):
        return f"{self.exercise} – {self.get_position_display()}"

    def save(self, *args, **kwargs):
        # A picture read without its bytes (a page, the admin's list) keeps its digest and size.
        if "content" not in self.get_deferred_fields():
            data = bytes(self.content)
            self.digest = hashlib.sha256(data).hexdigest()
            self.width, self.height = image_size(data, self.content_type) or FALLBACK_SIZE
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "content" in update_fields:
                kwargs["update_fields"] = {*update_fields, "digest", "width", "height"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("exercises:picture", args=[self.pk, self.digest])

    @property
    def url(self):
        return self.get_absolute_url()

    @property
    def alt(self):
        return translated(self, "alt")


class ConditionNote(models.Model):
    class Kind(models.TextChoices):
        CAUTION = "caution", _("Caution (physio confirms)")
        ADAPT = "adapt", _("Adaptation (shown to the patient)")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="condition_notes")
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    reason_en = models.CharField(_("reason (English)"), max_length=300)
    reason_da = models.CharField(_("reason (Danish)"), max_length=300)
    # A caution's reason is for the physio only; this is how the patient does the exercise.
    advice_en = models.CharField(
        _("advice to the patient (English)"),
        max_length=300,
        blank=True,
        help_text=_("For a caution: how the patient does it, in plain words."),
    )
    advice_da = models.CharField(_("advice to the patient (Danish)"), max_length=300, blank=True)

    class Meta:
        ordering = ["condition__code"]
        verbose_name = _("condition note")
        verbose_name_plural = _("condition notes")
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "condition"], name="condition_note_one_per_condition"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reason}"

    @property
    def reason(self):
        return translated(self, "reason")

    @property
    def is_caution(self):
        return self.kind == self.Kind.CAUTION

    @property
    def advice(self):
        return translated(self, "advice")

    @property
    def for_patient(self):
        """What the patient may read: an adaptation's text, or a caution's advice, never a
        caution's reason (it is written for the physio: "may provoke impingement")."""
        if self.advice:
            return self.advice
        return "" if self.is_caution else self.reason


def _clinics_of(user):
    # The physio role is the one that opens the catalogue.
    return Membership.objects.clinics_of(user, PHYSIO)


class ProgramTemplateQuerySet(models.QuerySet):
    def starting_for(self, condition, clinic_id):
        """The template a patient of this clinic starts from: the clinic's own for the
        condition, else the shared one."""
        return self.filter(
            Q(clinic__isnull=True) | Q(clinic_id=clinic_id), condition=condition
        ).order_by(models.F("clinic").asc(nulls_last=True), "pk")


class ProgramTemplate(models.Model):
    """A starting program for one condition, loaded with the catalogue (exercises/data)."""

    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="templates"
    )
    # Empty: the shared starting program for the condition. Set: the clinic's own, used instead.
    clinic = clinic_owner("templates", _("Leave empty for the shared template."))
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_da = models.CharField(_("name (Danish)"), max_length=120)
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions per week"), default=DEFAULT_SESSIONS_PER_WEEK
    )
    weeks = models.PositiveSmallIntegerField(_("weeks"), default=12)

    objects = ProgramTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("program template")
        verbose_name_plural = _("program templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    sessions_per_week__gte=SESSIONS_PER_WEEK_MIN,
                    sessions_per_week__lte=SESSIONS_PER_WEEK_MAX,
                ),
                name="template_sessions_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(weeks__gte=PLAN_WEEKS_MIN, weeks__lte=PLAN_WEEKS_MAX),
                name="template_weeks_range",
            ),
            models.UniqueConstraint(
                fields=["condition"],
                condition=Q(clinic__isnull=True),
                name="template_one_shared_per_condition",
                violation_error_message=_(
                    "The shared catalogue has a template for this condition."
                ),
            ),
            models.UniqueConstraint(
                fields=["condition", "clinic"],
                name="template_one_per_clinic_condition",
                violation_error_message=_("This clinic has a template for this condition."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return translated(self, "name")


class TemplateItem(DoseMixin):
    template = models.ForeignKey(ProgramTemplate, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, verbose_name=_("exercise"), on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)
    note_da = models.CharField(_("note (Danish)"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("template exercise")
        verbose_name_plural = _("template exercises")
        constraints = [
            *dose_constraints("template_item"),
            models.UniqueConstraint(
                fields=["template", "exercise"], name="template_item_exercise_once"
            ),
        ]

    def __str__(self):
        return str(self.exercise)

    @property
    def note(self):
        return translated(self, "note")


class CatalogueVersion(models.Model):
    """One row: a number the database raises in the same transaction as any change to the
    catalogue's tables (exercises/catalogue_version.py), however it is made. Whatever is cached
    from the catalogue (hipcare/cache.py) is keyed by it."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("catalogue version")

    def __str__(self):
        return str(self.value)

    @classmethod
    def subquery(cls):
        """The version as an annotation, to read it with a query the page runs anyway (plain SQL:
        nothing to build per request)."""
        return RawSQL(
            f"SELECT value FROM {cls._meta.db_table} WHERE id = 1",
            (),
            output_field=models.BigIntegerField(),
        )

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).values_list("value", flat=True).first() or 0

    @classmethod
    def of(cls, row):
        """The version read with `row` (annotated `catalogue_version`), else read now."""
        value = getattr(row, "catalogue_version", None)
        return cls.current() if value is None else value
