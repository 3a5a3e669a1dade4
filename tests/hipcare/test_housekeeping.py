"""The daily housekeeping the worker runs: the access log past its retention period goes, kept
records whose period ended are erased, and the next run is queued (once)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hipcare import tasks
from hipcare.models import AccessEvent
from tests.factories import PatientFactory
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def _event(patient, days_ago):
    return AccessEvent.objects.create(
        at=timezone.now() - datetime.timedelta(days=days_ago),
        actor=patient.physio,
        relation="treating",
        patient=patient,
        clinic_id=patient.clinic_id,
        action="view",
        what="patient",
    )


def _waiting():
    return DBTaskResult.objects.filter(
        task_path=tasks.housekeeping_task.module_path, status="READY"
    )


def test_scheduling_twice_queues_one_run():
    call_command("housekeeping", "--schedule")
    call_command("housekeeping", "--schedule")
    assert _waiting().count() == 1


def test_the_run_purges_old_entries_and_queues_the_next_day(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 200
    patient = PatientFactory()
    old, young = _event(patient, 201), _event(patient, 199)
    tasks.schedule_housekeeping()
    assert run_queued_tasks() == 1  # the next run waits a day
    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [young.pk]
    assert not AccessEvent.objects.filter(pk=old.pk).exists()
    (next_run,) = _waiting()
    assert next_run.run_after - timezone.now() > datetime.timedelta(hours=23)


def test_a_failing_run_still_queues_the_next(monkeypatch):
    def broken():
        raise RuntimeError("the database said no")

    monkeypatch.setattr(tasks.audit, "purge", broken)
    tasks.schedule_housekeeping()
    run_queued_tasks()  # the worker records the failure
    assert _waiting().count() == 1
