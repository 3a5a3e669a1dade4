"""Reminders of some demo patients, so `make run` shows the feature (the worker prints the
e-mails it sends). Idempotent: a patient who has a schedule keeps it."""

import datetime

from django.conf import settings

from reminders import rules, services
from reminders.models import ReminderSchedule

# Demo username: the reminder time; the days are the program's default ones.
DEMO_REMINDERS = {
    "patient": datetime.time(17, 0),  # Karen
    "patient2": datetime.time(8, 30),  # Peter
    "patient4": datetime.time(18, 30),  # Lars
}
DEMO_BASE_URL = "http://127.0.0.1:8000/"


def demo_reminders(patients) -> int:
    """Gives the demo patients named in DEMO_REMINDERS their reminders. Returns how many."""
    made = 0
    for patient in patients:
        at = DEMO_REMINDERS.get(patient.username)
        if at is None or ReminderSchedule.objects.filter(patient=patient).exists():
            continue
        plan = services.active_plan(patient)
        per_week = plan.sessions_per_week if plan else 3
        services.schedule_save(
            patient=patient,
            days=rules.default_days(per_week),
            time=at,
            time_zone=settings.TIME_ZONE,
            by_email=True,
            by_push=False,
            language=settings.LANGUAGE_CODE,
            base_url=DEMO_BASE_URL,
        )
        made += 1
    return made
