"""The access log: every look at or change to a patient's health data (hipcare.AccessEvent).

Views call `record` (one patient) or `record_many` (a page of patients, one INSERT) after they
have fetched the patients through their scoped querysets; nothing here reads the database, so a
page's query count grows by exactly one. `purge` is the only delete, run by the task worker.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from hipcare import retention
from hipcare.models import AccessEvent

Action = AccessEvent.Action
What = AccessEvent.What


def relation(actor, patient):
    """How the person who looked stands to the patient, as the patient reads it."""
    if actor.pk == patient.pk:
        return AccessEvent.Relation.SELF
    if patient.physio_id == actor.pk:
        return AccessEvent.Relation.TREATING
    if actor.is_physio:  # a physio with staff status too looks as a physio
        return AccessEvent.Relation.COLLEAGUE
    if actor.is_clinic_admin:
        return AccessEvent.Relation.CLINIC_ADMIN
    return AccessEvent.Relation.STAFF


def _event(actor, patient, what, action, at):
    return AccessEvent(
        at=at,
        actor_id=actor.pk,
        relation=relation(actor, patient),
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        action=action,
        what=what,
    )


def record(actor, patient, what, action=Action.VIEW):
    """One look at (or change to) one patient's data."""
    return _event(actor, patient, what, action, timezone.now()).save()


def record_many(actor, patients, what, action=Action.VIEW):
    """A page that shows several patients' data (the caseload): one INSERT for all of them."""
    at = timezone.now()
    events = [_event(actor, patient, what, action, at) for patient in patients]
    if events:
        AccessEvent.objects.bulk_create(events)


def for_patient(patient):
    """Who has looked at the patient's data, newest first, the patient's own looks left out:
    one row per person, day, action and page, with how many times and the last time (a physio
    who opens the caseload ten times a day is one line, not ten). Dicts with actor_id, first and
    last name, relation, action, what, day, times, last; the labels come from `label`."""
    return (
        AccessEvent.objects.filter(patient=patient)
        .exclude(actor=patient)
        .annotate(day=TruncDate("at"))
        .values(
            "actor_id", "actor__first_name", "actor__last_name", "relation", "action", "what", "day"
        )
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-last", "actor_id", "what")
    )


def label(row):
    """The words for one for_patient row."""
    return {
        "relation_label": AccessEvent.Relation(row["relation"]).label,
        "action_label": AccessEvent.Action(row["action"]).label,
        "what_label": AccessEvent.What(row["what"]).label,
    }


def for_clinic(clinic):
    """The clinic's log. The patient is not joined (an erased patient's rows would drop out of
    an inner join): callers fetch the page's patients in one query."""
    return AccessEvent.objects.filter(clinic=clinic).select_related("actor")


def retention_days():
    return max(settings.ACCESS_LOG_RETENTION_DAYS, retention.ACCESS_LOG_RETENTION_MIN_DAYS)


def purge(now=None):
    """Delete the entries older than the retention period; the database refuses younger ones."""
    now = now or timezone.now()
    days = retention_days()
    cutoff = now - datetime.timedelta(days=days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('hipcare.access_log_retention_days', %s, true)", [str(days)]
                )
        deleted, _ = AccessEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
