from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet):
    def physios(self):
        return self.filter(role=User.Role.PHYSIO, is_active=True)

    def patients_of(self, physio):
        return self.filter(role=User.Role.PATIENT, physio=physio)


class HipcareUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


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
