import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reminders import services, vapid
from tests.factories import PatientFactory, PlanFactory

# Zones a whole hour apart (or near it) all round the globe: whatever the hour the tests run at,
# one of them has the afternoon.
ZONES = [
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Chicago", "America/New_York", "America/Halifax", "America/Sao_Paulo",
    "Atlantic/South_Georgia", "Atlantic/Cape_Verde", "Europe/London", "Europe/Copenhagen",
    "Europe/Helsinki", "Europe/Moscow", "Asia/Dubai", "Asia/Karachi", "Asia/Dhaka",
    "Asia/Bangkok", "Asia/Shanghai", "Asia/Tokyo", "Australia/Brisbane", "Pacific/Noumea",
    "Pacific/Auckland", "Pacific/Tongatapu", "Pacific/Kiritimati",
]  # fmt: skip


def zone_where(hours, *, now=None):
    """The first zone of ZONES whose local hour now is in `hours` (a range)."""
    now = now or timezone.now()
    for name in ZONES:
        if now.astimezone(ZoneInfo(name)).hour in hours:
            return name
    raise AssertionError(f"no zone at hours {hours}")  # pragma: no cover


def daytime_zone(now=None):
    """A zone where it is afternoon now: hours away from the quiet hours on either side."""
    return zone_where(range(12, 18), now=now)


def night_zone(now=None):
    return zone_where(range(0, 5), now=now)


def patient_with_plan(*, per_week=3, **fields):
    patient = PatientFactory(**fields)
    start = timezone.localdate() - datetime.timedelta(days=20)
    PlanFactory(patient=patient, start_date=start, sessions_per_week=per_week)
    return patient


def save_schedule(patient, *, zone, at=datetime.time(17), days=None, by_email=True, by_push=False):
    return services.schedule_save(
        patient=patient,
        days=list(range(7)) if days is None else days,
        time=at,
        time_zone=zone,
        by_email=by_email,
        by_push=by_push,
        language="en",
        base_url="https://hipcare.example/",
    )


def due_now(schedule):
    """Sets the schedule's time to this minute, every day, and queues today's occurrence, which
    has just come (run_after in the past, as the worker would find it after its poll). Returns
    the saved schedule and the due instant."""
    local_now = timezone.now().astimezone(schedule.zone)
    schedule = save_schedule(
        schedule.patient,
        zone=schedule.time_zone,
        at=local_now.time().replace(second=0, microsecond=0),
        by_email=schedule.by_email,
        by_push=schedule.by_push,
    )
    due = services.queue_next(schedule, after=timezone.now() - datetime.timedelta(minutes=1))
    assert due <= timezone.now()
    return schedule, due


@pytest.fixture
def vapid_keys(settings):
    keys = vapid.generate()
    settings.VAPID_PUBLIC_KEY = keys["public_key"]
    settings.VAPID_PRIVATE_KEY = keys["private_key"]
    settings.VAPID_SUBJECT = "mailto:reminders@hipcare.example"
    return keys
