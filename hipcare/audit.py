"""The access log: every look at or change to a patient's health data (hipcare.AccessEvent).

Views call `record` (one patient) or `record_many` (a page of patients, one INSERT) after they
have fetched the patients through their scoped querysets; nothing here reads the database, so a
page's query count grows by exactly one. `purge` is the only delete, run by the task worker.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hipcare.models import AccessEvent

Action = AccessEvent.Action
What = AccessEvent.What


def relation(actor, patient):
    """How the person who looked stands to the patient, as the patient reads it."""
    if actor.pk == patient.pk:
        return AccessEvent.Relation.SELF
    if actor.is_staff:
        return AccessEvent.Relation.STAFF
    if actor.is_clinic_admin:
        return AccessEvent.Relation.CLINIC_ADMIN
    if patient.physio_id == actor.pk:
        return AccessEvent.Relation.TREATING
    return AccessEvent.Relation.COLLEAGUE


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
    """Who has looked at the patient's data, newest first, the patient's own looks left out."""
    return (
        AccessEvent.objects.filter(patient=patient)
        .exclude(actor=patient)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def for_clinic(clinic):
    """The clinic's log. The patient is not joined (an erased patient's rows would drop out of
    an inner join): callers fetch the page's patients in one query."""
    return AccessEvent.objects.filter(clinic=clinic).select_related("actor")


def retention_days():
    return settings.ACCESS_LOG_RETENTION_DAYS


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
