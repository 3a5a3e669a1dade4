import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
        return self.filter(role=User.Role.PATIENT, physio=physio)


class HipcareUserManager(UserManager.from_queryset(UserQuerySet)):
    @classmethod
    def normalize_email(cls, email):
        return normalise_email(email)

    def get_by_natural_key(self, username):
        return self.get(username=normalise_username(username))


class User(AbstractUser):
    class Role(models.TextChoices):
        PATIENT = "patient", _("Patient")
        PHYSIO = "physio", _("Physiotherapist")

    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.PATIENT)
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

    def get_landing_url(self):
        if self.is_staff:
            return reverse("admin:index")
        if self.is_physio:
            return reverse("plans:caseload")
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
