"""Scheduling and sending reminders (reminders/services.py), with the worker's task runner in the
test process (tests/tasks.py); the real worker processes are in test_worker.py."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses import services as course_services
from hipcare import erasure
from plans.models import SessionEntry
from reminders import rules, services
from reminders.models import PushSubscription, ReminderDelivery, ReminderSchedule
from reminders.tasks import reminder_deliver_task, reminder_due_task
from tests.factories import (
    ClinicAdminFactory,
    PrescriptionFactory,
    SessionFactory,
    clinic_of,
)
from tests.reminders.conftest import (
    daytime_zone,
    due_now,
    night_zone,
    patient_with_plan,
    save_schedule,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def waiting(schedule=None):
    rows = DBTaskResult.objects.filter(
        task_path=reminder_due_task.module_path, status=TaskResultStatus.READY
    )
    if schedule is not None:
        rows = rows.filter(args_kwargs__kwargs__schedule_id=schedule.pk)
    return rows


def due_kwargs(schedule, due):
    return {"schedule_id": schedule.pk, "version": schedule.version, "due": due.isoformat()}


def local_today(schedule):
    return timezone.now().astimezone(schedule.zone).date()


# --- Saving and queueing --------------------------------------------------------------------------


def test_saving_queues_the_next_occurrence_once():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone="Europe/Copenhagen", days=[0, 2, 4])
    task = waiting(schedule).get()
    expected = services.next_due(schedule)
    assert task.run_after == expected
    assert task.args_kwargs["kwargs"] == due_kwargs(schedule, expected)
    # Queueing it again finds it waiting.
    services.queue_next(schedule)
    assert waiting(schedule).count() == 1


def test_a_changed_schedule_supersedes_what_was_queued():
    patient = patient_with_plan()
    zone = daytime_zone()
    first = save_schedule(patient, zone=zone)
    first, due = due_now(first)
    old = due_kwargs(first, due)
    changed = save_schedule(patient, zone=zone, at=datetime.time(9))
    assert changed.version == first.version + 1
    assert services.reminder_due(**old) == "superseded"
    assert not ReminderDelivery.objects.exists()
    # The new version has its own waiting run.
    assert waiting(changed).filter(args_kwargs__kwargs__version=changed.version).exists()


def test_turning_off_removes_the_waiting_run_and_a_running_one_does_nothing():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    kwargs = due_kwargs(schedule, due)
    services.schedule_turn_off(patient=patient)
    assert not waiting(schedule).exists()
    assert services.reminder_due(**kwargs) == "superseded"
    assert ReminderSchedule.objects.get().enabled is False
    # Off twice is off.
    assert services.schedule_turn_off(patient=patient).enabled is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"days": []}, "days"),
        ({"at": datetime.time(21, 0)}, "time"),
        ({"at": datetime.time(7, 59)}, "time"),
        ({"by_email": False}, "__all__"),
    ],
)
def test_the_service_refuses_what_the_rules_forbid(change, field):
    patient = patient_with_plan()
    with pytest.raises(ValidationError) as refused:
        save_schedule(patient, zone="Europe/Copenhagen", **change)
    assert field in refused.value.update_error_dict({})
    assert not ReminderSchedule.objects.exists() and not waiting().exists()


def test_the_database_refuses_a_night_time_and_no_day():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone="Europe/Copenhagen")
    for field, value in (("time", datetime.time(23)), ("days", 0), ("days", 128)):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReminderSchedule.objects.filter(pk=schedule.pk).update(**{field: value})


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError):
        save_schedule(patient_with_plan(), zone="Mars/Olympus_Mons")


def test_the_schedule_command_queues_what_is_missing_once():
    """After a lost task (a killed worker), `manage.py reminders --schedule` queues the next run;
    run twice it queues nothing more, and it leaves closed accounts and turned-off ones alone."""
    on = save_schedule(patient_with_plan(), zone="Europe/Copenhagen")
    off = save_schedule(patient_with_plan(), zone="Europe/Copenhagen")
    services.schedule_turn_off(patient=off.patient)
    closed = save_schedule(patient_with_plan(), zone="Europe/Copenhagen")
    erasure.erasure_request(patient=closed.patient)
    DBTaskResult.objects.all().delete()
    call_command("reminders", "--schedule")
    assert list(waiting().values_list("args_kwargs__kwargs__schedule_id", flat=True)) == [on.pk]
    call_command("reminders", "--schedule")
    assert waiting().count() == 1


# --- Sending once ---------------------------------------------------------------------------------


def test_the_same_occurrence_run_twice_records_one_delivery_and_sends_one_email():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    kwargs = due_kwargs(schedule, due)
    assert services.reminder_due(**kwargs) == rules.REMINDER
    assert services.reminder_due(**kwargs) == "already sent"
    assert ReminderDelivery.objects.count() == 1
    delivery = ReminderDelivery.objects.get()
    assert (delivery.patient, delivery.local_date, delivery.kind) == (
        patient,
        local_today(schedule),
        rules.REMINDER,
    )
    run_queued_tasks()
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.email_sent_at is not None and delivery.attempts == 1


def test_duplicate_tasks_for_one_occurrence_send_one_reminder_and_queue_one_next():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    # A second chain for the same occurrence (as two `--schedule` runs racing would leave).
    reminder_due_task.using(run_after=due).enqueue(**due_kwargs(schedule, due))
    run_queued_tasks()
    assert ReminderDelivery.objects.count() == 1
    assert len(mail.outbox) == 1
    # Exactly one next occurrence waits, tomorrow.
    nxt = waiting(schedule).get()
    assert nxt.run_after > timezone.now()
    assert nxt.run_after.astimezone(schedule.zone).date() == local_today(schedule) + (
        datetime.timedelta(days=1)
    )
    assert nxt.run_after.astimezone(schedule.zone).time() == schedule.time


def test_the_chain_goes_on_after_a_day_without_a_reminder():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    SessionFactory(plan=patient.plans.get(), date=local_today(schedule), completed_at=due)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.DONE
    assert waiting(schedule).filter(run_after__gt=timezone.now()).count() == 1


# --- What the rules keep from being sent ----------------------------------------------------------


def test_nothing_on_a_day_whose_session_has_a_tick():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    plan = patient.plans.get()
    session = SessionFactory(plan=plan, date=local_today(schedule), pain_after=None)
    SessionEntry.objects.create(session=session, prescription=PrescriptionFactory(plan=plan))
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.DONE
    assert not ReminderDelivery.objects.exists()


def test_a_session_started_but_not_done_does_not_stop_the_reminder():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    SessionFactory(plan=patient.plans.get(), date=local_today(schedule), pain_after=None)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.REMINDER


def test_no_reminder_without_an_active_plan():
    patient = patient_with_plan()
    patient.plans.update(status="ended", ended_on=timezone.localdate())
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.NO_PLAN
    assert not ReminderDelivery.objects.exists()


def test_a_maintenance_program_counts_as_active():
    patient = patient_with_plan(per_week=3)
    plan = patient.plans.get()
    PrescriptionFactory(plan=plan)
    course = course_services.course_start(plan=plan)
    course = course_services.course_discharge(course=course, by=plan.physio, sessions_per_week=2)
    plan.refresh_from_db()
    assert plan.status == "ended" and course.maintenance_plan.status == "active"
    assert services.defaults(patient, services.active_plan(patient))["days"] == [0, 3]
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.REMINDER


def test_never_at_night_where_the_patient_is():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=night_zone())
    # A task due now (as if queued before the patient moved to that zone).
    due = timezone.now() - datetime.timedelta(minutes=1)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.QUIET
    assert not ReminderDelivery.objects.exists()


def test_a_reminder_hours_late_is_dropped_and_the_chain_goes_on():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    due = timezone.now() - rules.LATE_LIMIT - datetime.timedelta(minutes=5)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.LATE
    assert waiting(schedule).filter(run_after__gt=timezone.now()).exists()


def test_a_closed_account_gets_nothing_and_the_chain_ends():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    erasure.erasure_request(patient=patient)
    DBTaskResult.objects.all().delete()
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.CLOSED
    assert not waiting().exists()


# --- The words ------------------------------------------------------------------------------------


def test_the_email_has_no_health_data_and_links_to_today():
    patient = patient_with_plan(first_name="Karen")
    plan = patient.plans.get()
    rx = PrescriptionFactory(plan=plan, note="Keep the knee over the toes")
    SessionFactory(plan=plan, date=timezone.localdate() - datetime.timedelta(days=3), pain_after=7)
    schedule = save_schedule(patient, zone=daytime_zone())
    services.reminder_due(**due_kwargs(*due_now(schedule)))
    run_queued_tasks()
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "Time for today's exercises"
    assert "Hello Karen," in message.body
    assert "https://hipcare.example/today/" in message.body
    assert "https://hipcare.example/reminders/" in message.body
    for health in (plan.condition.name, rx.exercise.name, rx.note, "pain", "7"):
        assert health.lower() not in (message.subject + message.body).lower(), health


def test_after_three_missed_reminders_the_gentle_note(settings):
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    today = local_today(schedule)
    for days_ago in (5, 3, 1):
        ReminderDelivery.objects.create(
            patient=patient,
            local_date=today - datetime.timedelta(days=days_ago),
            due_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
    # A session before the first of them does not break the run.
    SessionFactory(
        plan=patient.plans.get(),
        date=today - datetime.timedelta(days=6),
        completed_at=timezone.now(),
    )
    schedule, due = due_now(schedule)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.GENTLE
    delivery = ReminderDelivery.objects.get(local_date=today)
    assert delivery.gentle_week == rules.week_of(today)
    run_queued_tasks()
    [message] = mail.outbox
    assert message.subject == "A short session helps"
    assert "It has been a few days since your last session" in message.body
    assert "tell your physiotherapist" in message.body
    assert "Time for today's exercises" not in message.body


def test_the_database_allows_one_gentle_note_a_week():
    patient = patient_with_plan()
    monday = rules.week_of(timezone.localdate())
    ReminderDelivery.objects.create(
        patient=patient, kind=rules.GENTLE, local_date=monday, gentle_week=monday,
        due_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderDelivery.objects.create(
            patient=patient, kind=rules.GENTLE, local_date=monday + datetime.timedelta(days=3),
            gentle_week=monday, due_at=timezone.now(),
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderDelivery.objects.create(
            patient=patient, local_date=monday, due_at=timezone.now()
        )  # one a day, whatever its kind


# --- Mail failures --------------------------------------------------------------------------------


def test_a_failed_email_is_retried_then_given_up(settings):
    from tests.worker import free_port, smtp_to

    settings.MAILERS = smtp_to(free_port())
    settings.REMINDER_RETRY_DELAYS = [0]
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    services.reminder_due(**due_kwargs(*due_now(schedule)))
    assert run_queued_tasks() == 3  # the due run (already done: nothing), the try, its retry
    delivery = ReminderDelivery.objects.get()
    assert delivery.attempts == 2 and delivery.email_sent_at is None
    assert "ConnectionRefusedError" in delivery.last_error
    assert DBTaskResult.objects.filter(
        task_path=reminder_deliver_task.module_path, return_value="failed"
    ).exists()


def test_no_retry_later_than_the_late_limit(settings):
    from tests.worker import free_port, smtp_to

    settings.MAILERS = smtp_to(free_port())
    settings.REMINDER_RETRY_DELAYS = [int(rules.LATE_LIMIT.total_seconds()) + 60]
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    services.reminder_due(**due_kwargs(*due_now(schedule)))
    delivery = ReminderDelivery.objects.get()
    assert services.reminder_deliver(delivery_id=delivery.pk) == "failed"


def test_a_delivery_sends_nothing_once_the_reminders_are_off():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    services.reminder_due(**due_kwargs(*due_now(schedule)))
    services.schedule_turn_off(patient=patient)
    run_queued_tasks()
    assert mail.outbox == []


# --- Erasure --------------------------------------------------------------------------------------


def test_erasing_the_patient_deletes_their_reminders():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    services.reminder_due(**due_kwargs(*due_now(schedule)))
    PushSubscription.objects.create(
        patient=patient, endpoint="https://push.example/abc", p256dh="k", auth="a"
    )
    admin = ClinicAdminFactory(clinic=clinic_of(patient.physio))
    erasure.erase(erasure=erasure.erasure_request(patient=patient), by=admin)
    assert not ReminderSchedule.objects.exists()
    assert not ReminderDelivery.objects.exists()
    assert not PushSubscription.objects.exists()
    # What was queued for them does nothing.
    run_queued_tasks()
    assert mail.outbox == []


def test_the_daily_housekeeping_queues_a_lost_chain_again():
    """A worker killed between a run and its successor leaves a schedule without a waiting run:
    the daily housekeeping (hipcare/tasks.py) queues it again, once."""
    from hipcare import tasks

    schedule = save_schedule(patient_with_plan(), zone="Europe/Copenhagen")
    DBTaskResult.objects.filter(task_path=reminder_due_task.module_path).delete()
    tasks.housekeeping()
    assert list(waiting().values_list("args_kwargs__kwargs__schedule_id", flat=True)) == [
        schedule.pk
    ]
    tasks.housekeeping()
    assert waiting().count() == 1
