"""The issue's "done when" for reminders: real worker processes and a real SMTP server.

Two patients whose reminders are due now; one has done today's session. Two `manage.py
db_worker` processes run against the test database (the same occurrence queued twice, as a race
would leave it), and aiosmtpd receives the mail: exactly one reminder arrives, to the patient
without a session, and one delivery row is written.
"""

import time

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plans.models import SessionEntry
from reminders.models import ReminderDelivery
from reminders.tasks import reminder_due_task
from tests.factories import PrescriptionFactory, SessionFactory
from tests.reminders.conftest import daytime_zone, due_now, patient_with_plan, save_schedule
from tests.worker import Inbox, free_port, start_worker, stop_worker, wait_for


def finished(task, **kwargs):
    return DBTaskResult.objects.filter(task_path=task.module_path, status="SUCCESSFUL", **kwargs)


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_one_reminder_on_a_day_without_a_session_and_none_with_one():
    # Each patient's zone is one where it is afternoon now, whatever hour the test runs at.
    zone = daytime_zone()
    without = patient_with_plan(email="without.session@example.org")
    done = patient_with_plan(email="session.done@example.org")
    due = {}
    for patient in (without, done):
        schedule, due[patient] = due_now(save_schedule(patient, zone=zone))
        # The same occurrence queued a second time: two workers may each take one of them.
        reminder_due_task.using(run_after=due[patient]).enqueue(
            schedule_id=schedule.pk, version=schedule.version, due=due[patient].isoformat()
        )
    plan = done.plans.get()
    today = timezone.now().astimezone(schedule.zone).date()
    session = SessionFactory(plan=plan, date=today, completed_at=timezone.now())
    SessionEntry.objects.create(session=session, prescription=PrescriptionFactory(plan=plan))
    assert DBTaskResult.objects.ready().filter(task_path=reminder_due_task.module_path).count() == 4

    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    workers = [start_worker(port, worker_id=f"reminders-{n}") for n in (1, 2)]
    try:
        # All four due runs and what they queued finish (the next days' runs wait for tomorrow).
        wait_for(lambda: finished(reminder_due_task).count() == 4 and
                 not DBTaskResult.objects.ready().exists() and
                 not DBTaskResult.objects.filter(status="RUNNING").exists(),
                 seconds=30, what="the due reminders to be handled")  # fmt: skip
        wait_for(lambda: len(inbox.messages) >= 1, seconds=10, what="the e-mail")
        time.sleep(1)  # time for a second e-mail, if any were wrongly sent
    finally:
        errors = [stop_worker(worker) for worker in workers]
        controller.stop()
    assert [w.returncode for w in workers] == [0, 0], errors

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "without.session@example.org"
    assert message["Subject"] == "Time for today's exercises"
    assert "/today/" in message.get_payload(decode=True).decode()
    delivery = ReminderDelivery.objects.get()
    assert (delivery.patient, delivery.local_date) == (without, today)
    assert delivery.email_sent_at is not None
    # Each occurrence was handled twice: sent once, then found sent; never sent with a session.
    results = sorted(finished(reminder_due_task).values_list("return_value", flat=True))
    assert results == ["already sent", "done", "done", "reminder"]
    # Tomorrow's reminders wait, one per patient.
    waiting = DBTaskResult.objects.filter(task_path=reminder_due_task.module_path, status="READY")
    assert waiting.count() == 2
