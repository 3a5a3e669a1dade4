"""The reminders a patient sets: their schedule, the phones that take notifications, and what was
sent (one reminder per local day at most, which the database enforces).

Every row belongs to one patient and goes with them (on_delete=CASCADE): erasing the patient
(hipcare/erasure.py) deletes it.
"""

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hipcare.models import User
from reminders import rules


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value):
    if value not in known_time_zones():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")


class ReminderSchedule(models.Model):
    """When and how a patient is reminded. Each change raises `version`; a queued run of an older
    version does nothing, so a changed schedule supersedes what was queued before."""

    patient = models.OneToOneField(
        User,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="reminder_schedule",
        limit_choices_to={"role": User.Role.PATIENT},
    )
    enabled = models.BooleanField(_("reminders on"), default=True)
    # Bit 0 Monday … bit 6 Sunday (reminders/rules.py).
    days = models.PositiveSmallIntegerField(_("days"))
    time = models.TimeField(_("time"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    by_email = models.BooleanField(_("by e-mail"), default=True)
    by_push = models.BooleanField(_("by notification"), default=False)
    # hipcare keeps no language per user: the reminder speaks the language of the page on which
    # the patient saved it, and links to the site they saved it on.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    base_url = models.CharField(_("site address"), max_length=200)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=rules.ALL_DAYS),
                name="reminder_schedule_some_days",
                violation_error_message=_("Choose at least one day."),
            ),
            models.CheckConstraint(
                condition=Q(time__gte=rules.QUIET_UNTIL, time__lt=rules.QUIET_FROM),
                name="reminder_schedule_not_at_night",
            ),
        ]

    def __str__(self):
        return f"{self.patient}: {self.time:%H:%M} {self.time_zone}"

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def day_numbers(self):
        return rules.days_list(self.days)


class PushSubscription(models.Model):
    """A browser's push subscription (the PushSubscription JSON the page posts): where the push
    service takes messages for that phone, and the keys to encrypt them."""

    patient = models.ForeignKey(
        User,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        limit_choices_to={"role": User.Role.PATIENT},
    )
    endpoint = models.URLField(_("push service address"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=120)
    auth = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phone for notifications")
        verbose_name_plural = _("phones for notifications")

    def __str__(self):
        return f"{self.patient}: {self.endpoint[:40]}…"

    def info(self):
        """As pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class ReminderDelivery(models.Model):
    """One reminder (or gentle note) for one local day of the patient, written in the same
    transaction that queues its sending. The unique constraints are what make a reminder go out
    once: a second worker, or a second run of the same occurrence, fails to insert it."""

    class Kind(models.TextChoices):
        REMINDER = rules.REMINDER, _("Reminder")
        GENTLE = rules.GENTLE, _("Gentle note")

    patient = models.ForeignKey(
        User,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        limit_choices_to={"role": User.Role.PATIENT},
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.REMINDER)
    # The patient's date, in their time zone.
    local_date = models.DateField(_("day"))
    # For a gentle note the Monday of its week (one a week); empty for a reminder.
    gentle_week = models.DateField(null=True, blank=True, editable=False)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(default=timezone.now)
    email_sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("notifications sent"), null=True, blank=True)
    pushed = models.PositiveSmallIntegerField(_("phones reached"), default=0)
    attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "local_date"], name="reminder_delivery_one_per_day"
            ),
            models.UniqueConstraint(
                fields=["patient", "gentle_week"],
                condition=Q(kind=rules.GENTLE),
                name="reminder_delivery_one_gentle_note_per_week",
            ),
            models.CheckConstraint(
                condition=Q(kind=rules.REMINDER, gentle_week__isnull=True)
                | Q(kind=rules.GENTLE, gentle_week__isnull=False),
                name="reminder_delivery_gentle_week_for_gentle_notes",
            ),
        ]

    def __str__(self):
        return f"{self.patient} {self.local_date} ({self.kind})"
