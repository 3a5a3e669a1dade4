import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hipcare.retention import (
    RECORD_RETENTION_REASON,
    RECORD_RETENTION_YEARS,
    RECORD_RETENTION_YEARS_MAX,
)

# The longest text that can name an account at log-in: an e-mail address (usernames are shorter).
LOGIN_MAX_LENGTH = 254


def normalise_username(username: str) -> str:
    """One spelling per username, as stored and compared: Unicode NFKC, no surrounding spaces,
    case-folded. `Karen`, ` KAREN ` and `karen` are one account."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def normalise_email(email: str) -> str:
    """One spelling per e-mail address: no surrounding spaces, lower case (what the unique
    constraint compares). Lower, not case-folded: folding would turn `ß` into `ss`, another address."""
    return (email or "").strip().lower()


class UserQuerySet(models.QuerySet):
    def by_login(self, text):
        """The accounts a log-in name means: the username or the e-mail address, in any case."""
        if not isinstance(text, str) or not text.strip() or len(text) > LOGIN_MAX_LENGTH:
            return self.none()
        return self.filter(
            models.Q(username=normalise_username(text)) | models.Q(email=normalise_email(text))
        )

    def physios(self):
        return self.filter(role=User.Role.PHYSIO, is_active=True)

    def patients_of(self, physio):
        """The physio's own patients: those they treat."""
        return self.filter(role=User.Role.PATIENT, physio=physio)

    def patients_for(self, physio):
        """Every patient a physio may open: the patients of the clinics where they work now.
        One subquery, no extra round trip; staff status never widens it."""
        return self.filter(
            role=User.Role.PATIENT, clinic__in=Membership.objects.clinics_of(physio, PHYSIO)
        )

    def physios_of_clinic(self, clinic):
        return self.filter(
            memberships__clinic=clinic,
            memberships__role=PHYSIO,
            memberships__is_active=True,
            role=User.Role.PHYSIO,
            is_active=True,
        )


class HipcareUserManager(UserManager.from_queryset(UserQuerySet)):
    @classmethod
    def normalize_email(cls, email):
        return normalise_email(email)

    def get_by_natural_key(self, username):
        return self.get(username=normalise_username(username))


class Clinic(models.Model):
    """A clinic on the installation: its physios and clinic admins (Membership), its patients
    (User.clinic), its own exercises and templates, and how long it keeps an erased patient's
    clinical record (retention_years, with the reason the clinic admin sees)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    retention_years = models.PositiveSmallIntegerField(
        _("keep clinical records for (years)"),
        default=RECORD_RETENTION_YEARS,
        help_text=_("After a patient asks to be erased, how long their clinical record is kept."),
    )
    retention_reason = models.CharField(
        _("reason for keeping records"),
        max_length=300,
        default=RECORD_RETENTION_REASON,
        help_text=_("Shown to the clinic admin who decides an erasure request."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_years__lte=RECORD_RETENTION_YEARS_MAX),
                name="clinic_retention_years_range",
                violation_error_message=_("Keep records for at most 30 years."),
            )
        ]

    def __str__(self):
        return self.name


PHYSIO = "physio"
CLINIC_ADMIN = "admin"


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_active=True, user__is_active=True)

    def clinics_of(self, user, role):
        """The ids of the clinics where the user now works in this role, as a subquery."""
        return self.filter(user=user, role=role, is_active=True).values("clinic_id")


class Membership(models.Model):
    """A physio or clinic admin at a clinic. Deactivated, never deleted: the access log and the
    handovers keep pointing at who it was."""

    class Role(models.TextChoices):
        PHYSIO = PHYSIO, _("Physiotherapist")
        ADMIN = CLINIC_ADMIN, _("Clinic admin")

    clinic = models.ForeignKey(
        Clinic, verbose_name=_("clinic"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        "User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role)
    is_active = models.BooleanField(_("active"), default=True)
    since = models.DateTimeField(_("since"), default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("clinic membership")
        verbose_name_plural = _("clinic memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "user", "role"],
                name="membership_unique_role",
                violation_error_message=_("This person already has this role at the clinic."),
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.clinic} ({self.get_role_display()})"


class User(AbstractUser):
    class Role(models.TextChoices):
        PATIENT = "patient", _("Patient")
        PHYSIO = "physio", _("Physiotherapist")
        CLINIC_ADMIN = "clinic_admin", _("Clinic admin")

    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.PATIENT)
    # A patient's treating physiotherapist; empty for physios and staff.
    physio = models.ForeignKey(
        "self",
        verbose_name=_("treating physiotherapist"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patients",
        limit_choices_to={"role": Role.PHYSIO},
    )
    # A patient's clinic; empty for everyone else (physios and admins belong through Membership).
    clinic = models.ForeignKey(
        Clinic,
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patients",
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # What the physio recorded when adding the patient; each program keeps its own copy.
    condition = models.ForeignKey(
        "exercises.Condition",
        verbose_name=_("condition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    affected_side = models.CharField(
        _("affected side"),
        max_length=5,
        blank=True,
        choices=[("left", _("Left")), ("right", _("Right")), ("both", _("Both"))],
    )
    # Larger text on every page (base.html scales the root font size), chosen by the user in
    # the menu and remembered on the account, so it follows them to another phone.
    large_text = models.BooleanField(_("larger text"), default=False)

    objects = HipcareUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                condition=~models.Q(email=""),
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(physio__isnull=True) | models.Q(role="patient"),
                name="user_only_patients_have_physio",
            ),
            models.CheckConstraint(
                condition=models.Q(clinic__isnull=True) | models.Q(role="patient"),
                name="user_only_patients_have_clinic",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @classmethod
    def normalize_username(cls, username):
        # Used by clean() (forms, the admin) and create_user(); save() applies it too.
        return normalise_username(username) if isinstance(username, str) else username

    def save(self, *args, **kwargs):
        # Every way a user is written (services, the admin, createsuperuser, seed_demo, factories)
        # stores the one spelling the log-in and the lock-out look up.
        self.username = self.normalize_username(self.username)
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def is_physio(self):
        return self.role == self.Role.PHYSIO

    @property
    def is_patient(self):
        return self.role == self.Role.PATIENT and not self.is_staff

    @property
    def is_clinic_admin(self):
        return self.role == self.Role.CLINIC_ADMIN

    def get_landing_url(self):
        if self.is_staff:
            return reverse("admin:index")
        if self.is_physio:
            return reverse("plans:caseload")
        if self.is_clinic_admin:
            return reverse("clinic-home")
        return reverse("plans:today")


class Invitation(models.Model):
    """The invitation e-mail to a patient who has not chosen a password yet: what the physio may
    know about it (queued, sent, failed and retrying). The link itself is made by the worker when
    it sends the e-mail and is never stored, so no page can show it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Not sent yet")
        RETRYING = "retrying", _("Not sent yet, will retry")
        FAILED = "failed", _("Could not be sent")
        SENT = "sent", _("Sent")

    patient = models.OneToOneField(
        User,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="invitation",
        limit_choices_to={"role": User.Role.PATIENT},
    )
    # When it was (last) queued: a resend queues it again, and a task queued before then stops.
    queued_at = models.DateTimeField(_("queued at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The next try after a failure; empty when it is not waiting to retry.
    retry_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.patient} ({self.state.label})"

    @property
    def state(self):
        if self.sent_at is not None:
            return self.State.SENT
        if self.attempts == 0:
            return self.State.QUEUED
        return self.State.RETRYING if self.retry_at is not None else self.State.FAILED


class StartCode(models.Model):
    """An in-clinic start, for a patient without e-mail (or one who has not chosen a password):
    the physio makes a short one-time code, hands it to the patient on paper, and the patient
    types it with their date of birth on the start page to choose a password themselves.

    The code is stored only as a password hash (hipcare.accounts.start_code_hash) and shown once,
    to the physio who made it. One row per patient: a new code replaces the old one. The row stays
    after use, as the record of who started the account and when it was used."""

    patient = models.OneToOneField(
        User,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="start_code",
        limit_choices_to={"role": User.Role.PATIENT},
    )
    code_hash = models.CharField(_("code hash"), max_length=128, unique=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # Wrong dates of birth typed with this code; at START_CODE_FAILURE_LIMIT the code is locked.
    failures = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        verbose_name = _("in-clinic start code")
        verbose_name_plural = _("in-clinic start codes")

    def __str__(self):
        return str(self.patient)


class CoverQuerySet(models.QuerySet):
    def on(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Cover(models.Model):
    """A physio covers for an absent colleague of the same clinic for a few days: the absent
    physio's patients show in the covering physio's caseload as their own."""

    clinic = models.ForeignKey(Clinic, verbose_name=_("clinic"), on_delete=models.CASCADE)
    covering = models.ForeignKey(
        User,
        verbose_name=_("covering physiotherapist"),
        on_delete=models.CASCADE,
        related_name="covers",
    )
    absent = models.ForeignKey(
        User,
        verbose_name=_("covering for"),
        on_delete=models.CASCADE,
        related_name="covered_by",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = CoverQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("cover")
        verbose_name_plural = _("covers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="cover_ends_after_start",
                violation_error_message=_("The cover cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~models.Q(covering=models.F("absent")),
                name="cover_not_self",
                violation_error_message=_("You cannot cover for yourself."),
            ),
        ]

    def __str__(self):
        return f"{self.covering} → {self.absent} ({self.starts_on}–{self.ends_on})"


class Handover(models.Model):
    """A patient changes treating physio: taken over by a colleague, or handed over by the
    clinic admin (for example when a physio leaves). The record of who, when and by whom."""

    class Kind(models.TextChoices):
        TAKEOVER = "takeover", _("Taken over by a colleague")
        HANDOVER = "handover", _("Handed over by the clinic admin")

    patient = models.ForeignKey(
        User, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="handovers"
    )
    from_physio = models.ForeignKey(
        User,
        verbose_name=_("from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_physio = models.ForeignKey(
        User, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self):
        return f"{self.patient}: {self.from_physio} → {self.to_physio}"


class AccessEvent(models.Model):
    """One look at or change to a patient's health data: who, when, which patient, what, from
    which clinic. Append-only: a database trigger refuses updates, and deletes of rows younger
    than the retention period (hipcare/migrations/0006). No free text, so no personal data beyond
    the ids; the people are joined at read time and an erased patient leaves only a number.

    The foreign keys carry no database constraint (db_constraint=False, DO_NOTHING): the log
    outlives the accounts it mentions."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CHANGE = "change", _("Changed")
        EXPORT = "export", _("Exported")

    class What(models.TextChoices):
        CASELOAD = "caseload", _("caseload")
        PATIENT = "patient", _("patient page")
        CHECKLIST = "checklist", _("today's session")
        HISTORY = "history", _("history")
        SESSION = "session", _("session")
        PROGRAM = "program", _("program")
        HANDOUT = "handout", _("printed program")
        EXPORT = "export", _("data export")
        ACCOUNT = "account", _("account")
        CARE = "care", _("treating physiotherapist")
        COURSE = "course", _("course of care")

    class Relation(models.TextChoices):
        SELF = "self", _("You")
        TREATING = "treating", _("Your physiotherapist")
        COLLEAGUE = "colleague", _("Physiotherapist at your clinic")
        CLINIC_ADMIN = "admin", _("Clinic admin")
        STAFF = "staff", _("hipcare administrator")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("who"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    relation = models.CharField(_("as"), max_length=10, choices=Relation)
    patient = models.ForeignKey(
        User,
        verbose_name=_("patient"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    clinic = models.ForeignKey(
        Clinic,
        verbose_name=_("clinic"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action)
    what = models.CharField(_("what"), max_length=12, choices=What)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["patient", "-at"], name="access_patient_at"),
            models.Index(fields=["clinic", "-at"], name="access_clinic_at"),
            models.Index(fields=["actor", "-at"], name="access_actor_at"),
        ]

    def __str__(self):
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.what} {self.patient_id}"
        )


class ErasureRequest(models.Model):
    """A patient asked to be erased. The account closes at once (no log-in, no e-mail); the
    clinic admin then erases now or keeps the clinical record for the clinic's retention period,
    after which the worker erases it. Once erased, only this row's dates and ids remain."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the clinic")
        KEPT = "kept", _("Record kept until the retention period ends")
        ERASED = "erased", _("Erased")

    patient = models.OneToOneField(
        User,
        verbose_name=_("patient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasure_request",
    )
    # The number the patient had, for the clinic's records once the account is gone.
    patient_number = models.PositiveIntegerField(_("patient number"))
    clinic = models.ForeignKey(
        Clinic, verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="erasures"
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.REQUESTED)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erase_on = models.DateField(_("erase on"), null=True, blank=True)
    retention_reason = models.CharField(_("reason for keeping"), max_length=300, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="kept", erase_on__isnull=False) | ~models.Q(state="kept"),
                name="erasure_kept_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(state="erased", patient__isnull=True, erased_at__isnull=False)
                | ~models.Q(state="erased"),
                name="erasure_erased_has_no_patient",
            ),
        ]

    def __str__(self):
        return f"#{self.patient_number} ({self.get_state_display()})"
