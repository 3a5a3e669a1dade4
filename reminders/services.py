"""Reminder writes and the worker's side. Like every service: keyword arguments, atomic.

Scheduling is rows in the database, so it survives a restart of every process:
- Each enabled schedule has one waiting task (django-tasks-db) for its next occurrence
  (reminder_due_task, run_after = that instant), carrying the schedule's version. Saving the
  schedule raises the version and queues the new next occurrence; the older task then does nothing.
- When it runs, the task queues the following occurrence first, then checks the rules (plan,
  session done, quiet hours, lateness), and inserts the day's ReminderDelivery and queues its
  sending (reminder_deliver_task) in one transaction. The delivery's unique constraint (patient,
  local day) is what sends a reminder once with any number of workers or duplicate tasks: the
  second insert fails and that run does nothing.
- `manage.py reminders --schedule` (run by `make run`) queues the next occurrence of every
  enabled schedule that has no waiting task, e.g. after a task was lost with a killed worker.
- A reminder goes out at most once, not at least once: a worker killed (not stopped: SIGTERM lets
  it finish its task) while sending leaves that task "running" for good, so that day's reminder
  is lost, never sent twice; killed before its first step, a due run also ends its schedule's
  chain until `reminders --schedule` runs. A mail server that took the message but failed to
  answer is the one way to a second e-mail (the retry).
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.tasks import TaskResultStatus
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from exercises.bounds import DEFAULT_SESSIONS_PER_WEEK
from hipcare.accounts import account_closed
from hipcare.models import User
from plans.models import Plan, Session, SessionEntry
from reminders import push, rules
from reminders.models import PushSubscription, ReminderDelivery, ReminderSchedule

logger = logging.getLogger(__name__)

# How many of the latest deliveries note_kind() looks at (it needs GENTLE_NOTE_AFTER_MISSED
# after the latest gentle note, which is fetched on its own).
RECENT_DELIVERIES = rules.GENTLE_NOTE_AFTER_MISSED + 1


# --- Reads --------------------------------------------------------------------------------------


def active_plan(patient):
    """The patient's active program (a maintenance program is one too), or None."""
    return Plan.objects.active().filter(patient=patient).first()


def plan_now(patient):
    """The patient's active program if it takes a session on the day the checklist (the link of
    the reminder) shows now, the site's date: begun and not past its last day. Else None."""
    plan = active_plan(patient)
    return plan if plan is not None and plan.accepts_session_on(timezone.localdate()) else None


def done_sessions(patient):
    """The patient's sessions that count as done: finished, or with a ticked exercise (as the
    adherence figures count them, plans/progress.py, plus a session finished without ticks)."""
    ticked = Exists(SessionEntry.objects.filter(session=OuterRef("pk")))
    return Session.objects.filter(plan__patient=patient).filter(
        Q(completed_at__isnull=False) | ticked
    )


def defaults(patient, plan=None) -> dict:
    """The form's values before the patient has saved a schedule: the program's sessions per
    week spread over the week, at rules.DEFAULT_TIME, in the site's time zone, by e-mail."""
    per_week = plan.sessions_per_week if plan is not None else DEFAULT_SESSIONS_PER_WEEK
    return {
        "days": rules.default_days(per_week),
        "time": rules.DEFAULT_TIME,
        "time_zone": settings.TIME_ZONE,
        "by_email": bool(patient.email),
        "by_push": False,
    }


def next_due(schedule, *, after=None):
    """The next occurrence of an enabled schedule (UTC), or None."""
    if schedule is None or not schedule.enabled:
        return None
    return rules.next_occurrence(
        days=schedule.days, at=schedule.time, zone=schedule.zone, after=after or timezone.now()
    )


def _task_rows():
    from reminders.tasks import reminder_due_task

    return DBTaskResult.objects.filter(
        task_path=reminder_due_task.module_path, status=TaskResultStatus.READY
    )


# --- Writes: the patient's page ---------------------------------------------------------------


@transaction.atomic
def schedule_save(
    *, patient, days, time, time_zone, by_email, by_push, language, base_url
) -> ReminderSchedule:
    """Saves the patient's reminders (on) and queues the next one; what was queued before for an
    earlier version does nothing. Raises ValidationError for a night time, no day, no channel."""
    if not patient.is_patient:
        raise ValidationError(_("Only patients set reminders."))
    if not days:
        raise ValidationError({"days": _("Choose at least one day.")})
    if rules.is_quiet(time):
        raise ValidationError({"time": night_message()})
    if not (by_email or by_push):
        raise ValidationError(_("Choose how to be reminded: by e-mail, by notification, or both."))
    if by_email and not patient.email:
        raise ValidationError({"by_email": _("You have no e-mail address in hipcare.")})
    patient = User.objects.select_for_update().get(pk=patient.pk)
    schedule = ReminderSchedule.objects.filter(patient=patient).first() or ReminderSchedule(
        patient=patient, version=0
    )
    schedule.enabled = True
    schedule.days = rules.days_mask(days)
    schedule.time = time.replace(second=0, microsecond=0, tzinfo=None)
    schedule.time_zone = time_zone
    schedule.by_email = bool(by_email)
    schedule.by_push = bool(by_push)
    schedule.language = language
    schedule.base_url = base_url
    schedule.version += 1
    schedule.updated_at = timezone.now()
    schedule.full_clean()
    schedule.save()
    # What was queued for an earlier version would do nothing: it goes now.
    _task_rows().filter(args_kwargs__kwargs__schedule_id=schedule.pk).delete()
    queue_next(schedule)
    return schedule


@transaction.atomic
def schedule_turn_off(*, patient) -> ReminderSchedule | None:
    """Turns the patient's reminders off; what was queued does nothing. Off twice is off."""
    schedule = ReminderSchedule.objects.select_for_update().filter(patient=patient).first()
    if schedule is None or not schedule.enabled:
        return schedule
    schedule.enabled = False
    schedule.version += 1
    schedule.updated_at = timezone.now()
    schedule.save(update_fields=["enabled", "version", "updated_at"])
    _task_rows().filter(args_kwargs__kwargs__schedule_id=schedule.pk).delete()
    return schedule


# The session key holding the push subscription this browser made (see phone_forget).
SESSION_PHONE_KEY = "reminders_phone"


def phone_forget(*, patient, session) -> int:
    """At log-out: the push subscription made in this browser session stops (the browser may be
    a shared phone). Other phones of the patient keep theirs. Returns how many were deleted."""
    pk = session.get(SESSION_PHONE_KEY)
    if pk is None or patient is None:
        return 0
    deleted, _rows = PushSubscription.objects.filter(pk=pk, patient=patient).delete()
    return deleted


@transaction.atomic
def push_subscribe(*, patient, data) -> PushSubscription:
    """Keeps the browser's push subscription for the patient (JSON already parsed). The same
    phone subscribing again updates its row; a phone another patient used before is theirs no
    longer; beyond push.MAX_PHONES the one subscribed longest ago is forgotten. Raises
    ValidationError for anything that is not a usable subscription."""
    fields = push.parse_subscription(data)
    patient = User.objects.select_for_update().get(pk=patient.pk)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=fields["endpoint"],
        defaults={
            "patient": patient,
            "p256dh": fields["p256dh"],
            "auth": fields["auth"],
            "created_at": timezone.now(),
        },
    )
    phones = PushSubscription.objects.filter(patient=patient).order_by("-created_at", "-pk")
    keep = phones.values_list("pk", flat=True)[: push.MAX_PHONES]
    PushSubscription.objects.filter(patient=patient).exclude(pk__in=list(keep)).delete()
    return subscription


def night_message():
    return (
        _(
            "Reminders are not sent at night (from %(night)s to %(morning)s). Choose a time from "
            "%(morning)s to %(latest)s."
        )
        % time_words()
    )


def time_words() -> dict:
    """The quiet hours' edges as the page and the messages write them."""
    return {
        "night": rules.QUIET_FROM.strftime("%H:%M"),
        "morning": rules.QUIET_UNTIL.strftime("%H:%M"),
        "latest": rules.latest_time().strftime("%H:%M"),
    }


# --- Scheduling ---------------------------------------------------------------------------------


@transaction.atomic
def queue_next(schedule, *, after=None) -> datetime.datetime | None:
    """Queues the task for the schedule's next occurrence after `after` (default now), unless one
    for this version and instant is waiting. Returns the instant, or None when nothing is due."""
    from reminders.tasks import reminder_due_task

    # Locked, so two workers finishing runs of the same occurrence queue one successor.
    schedule = ReminderSchedule.objects.select_for_update().filter(pk=schedule.pk).first()
    due = next_due(schedule, after=after)
    if due is None:
        return None
    waiting = _task_rows().filter(
        args_kwargs__kwargs__schedule_id=schedule.pk,
        args_kwargs__kwargs__version=schedule.version,
        args_kwargs__kwargs__due=due.isoformat(),
    )
    if not waiting.exists():
        reminder_due_task.using(run_after=due).enqueue(
            schedule_id=schedule.pk, version=schedule.version, due=due.isoformat()
        )
    return due


def schedule_all() -> int:
    """Queues the next occurrence of every enabled schedule of an open account that has no waiting
    task for its current version. Returns how many were queued."""
    waiting = {
        (kwargs.get("schedule_id"), kwargs.get("version"))
        for kwargs in (
            row.get("kwargs") or {} for row in _task_rows().values_list("args_kwargs", flat=True)
        )
    }
    schedules = ReminderSchedule.objects.filter(enabled=True, patient__is_active=True)
    queued = 0
    for schedule in schedules.select_related("patient").order_by("pk"):
        if (schedule.pk, schedule.version) in waiting or account_closed(schedule.patient):
            continue
        if queue_next(schedule):
            queued += 1
    return queued


# --- The worker's side --------------------------------------------------------------------------


def reminder_due(*, schedule_id, version, due) -> str:
    """One occurrence of a schedule has come: queues the next one, then records and queues the
    day's reminder if the rules allow it. Returns what happened, in a word or two."""
    from reminders.tasks import reminder_deliver_task

    due = datetime.datetime.fromisoformat(due)
    schedule = (
        ReminderSchedule.objects.select_related("patient")
        .filter(pk=schedule_id, version=version, enabled=True)
        .first()
    )
    if schedule is None:
        return "superseded"
    patient = schedule.patient
    closed = account_closed(patient)
    now = timezone.now()
    if not closed:
        # First, in its own transaction: a failure below must not end the chain.
        queue_next(schedule, after=max(now, due))
    zone = schedule.zone
    day = rules.local_day(due, zone)
    outcome = rules.decide(
        now=now,
        due=due,
        zone=zone,
        closed=closed,
        has_active_plan=plan_now(patient) is not None,
        done_today=done_sessions(patient).filter(date=day).exists(),
    )
    if outcome != rules.SEND:
        return outcome
    kind = note_kind(patient, day)
    try:
        with transaction.atomic():
            delivery = ReminderDelivery.objects.create(
                patient=patient,
                kind=kind,
                local_date=day,
                gentle_week=rules.week_of(day) if kind == rules.GENTLE else None,
                due_at=due,
            )
            reminder_deliver_task.enqueue(delivery_id=delivery.pk)
    except IntegrityError:
        return "already sent"
    return kind


def note_kind(patient, day) -> str:
    """The reminder or the gentle note (rules.note_kind), from the patient's latest deliveries
    and sessions."""
    deliveries = ReminderDelivery.objects.filter(patient=patient, local_date__lt=day)
    last_gentle = deliveries.filter(kind=rules.GENTLE).aggregate(day=Max("local_date"))["day"]
    recent = deliveries.order_by("-local_date")
    if last_gentle is not None:
        recent = recent.filter(local_date__gt=last_gentle)
    recent_days = list(recent.values_list("local_date", flat=True)[:RECENT_DELIVERIES])
    last_done = done_sessions(patient).filter(date__lt=day).aggregate(day=Max("date"))["day"]
    return rules.note_kind(
        today=day, recent_days=recent_days, last_done=last_done, last_gentle=last_gentle
    )


def message(delivery, schedule) -> dict:
    """The words of one reminder, in the active language: no health data (no condition, no pain,
    no exercise), only that it is time, and where to go."""
    base = schedule.base_url.rstrip("/")
    today_path = reverse("plans:today")
    context = {
        "link": base + today_path,
        "settings_link": base + reverse("reminders:settings"),
    }
    if delivery.kind == rules.GENTLE:
        subject = _("A short session helps")
        body = _(
            "It has been a few days since your last session. A short session helps too. If pain "
            "stops you, tell your physiotherapist."
        )
    else:
        subject = _("Time for today's exercises")
        body = _("Time for today's exercises. Your checklist is ready in hipcare.")
    context = {**context, "body": body, "first_name": schedule.patient.first_name}
    return {
        "subject": subject,
        "text": render_to_string("reminders/email/reminder.txt", context),
        "push": {"title": subject, "body": body, "url": today_path},
    }


def reminder_deliver(*, delivery_id) -> str:
    """Sends one recorded reminder: a notification to each of the patient's phones, then the
    e-mail. A mail failure is retried after settings.REMINDER_RETRY_DELAYS, never at night and
    never later than rules.LATE_LIMIT after the reminder's time."""
    from reminders.tasks import reminder_deliver_task

    delivery = ReminderDelivery.objects.select_related("patient").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    patient = delivery.patient
    schedule = ReminderSchedule.objects.filter(patient=patient, enabled=True).first()
    if schedule is None or account_closed(patient):
        return "off"
    # The rules again: the sending may run minutes after the reminder was due (a busy worker, the
    # e-mail's retry), and the session may have been done or the program ended since.
    outcome = rules.decide(
        now=timezone.now(),
        due=delivery.due_at,
        zone=schedule.zone,
        closed=False,
        has_active_plan=plan_now(patient) is not None,
        done_today=done_sessions(patient).filter(date=delivery.local_date).exists(),
    )
    if outcome != rules.SEND:
        return outcome
    with translation.override(schedule.language):
        words = message(delivery, schedule)
    current = ReminderDelivery.objects.filter(pk=delivery.pk)
    if schedule.by_push and delivery.pushed_at is None and push.available():
        reached = sum(
            push.send(subscription, words["push"])
            for subscription in PushSubscription.objects.filter(patient=patient).order_by("pk")
        )
        current.update(pushed_at=timezone.now(), pushed=reached)
    if not (schedule.by_email and patient.email) or delivery.email_sent_at is not None:
        return "sent"
    try:
        send_mail(
            subject=words["subject"],
            message=words["text"],
            from_email=None,
            recipient_list=[patient.email],
        )
    except Exception as error:  # the mail server down, refusing, timing out: retried
        attempts = delivery.attempts + 1
        delays = settings.REMINDER_RETRY_DELAYS
        retry_at = None
        if attempts <= len(delays):
            retry_at = timezone.now() + datetime.timedelta(seconds=delays[attempts - 1])
            if retry_at - delivery.due_at > rules.LATE_LIMIT:
                retry_at = None
        logger.warning(
            "Reminder %s: e-mail try %s failed (%s); %s",
            delivery.pk,
            attempts,
            type(error).__name__,
            "retrying" if retry_at else "giving up",
        )
        with transaction.atomic():
            current.update(attempts=attempts, last_error=f"{type(error).__name__}: {error}"[:300])
            if retry_at is not None:
                reminder_deliver_task.using(run_after=retry_at).enqueue(delivery_id=delivery.pk)
        return "retrying" if retry_at else "failed"
    current.update(email_sent_at=timezone.now(), attempts=delivery.attempts + 1, last_error="")
    return "sent"
