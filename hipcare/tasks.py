"""Background tasks (Django's task framework), run by the worker: `manage.py db_worker`.

The backend (django-tasks-db, settings.TASKS) keeps queued tasks in the database, so queueing one
commits or rolls back with the request's other writes. The work itself lives in the services.
"""

import datetime

from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hipcare import accounts, audit, erasure

HOUSEKEEPING_EVERY = datetime.timedelta(days=1)


@task
def invitation_deliver_task(*, invitation_id, queued_at, base_url, language):
    # The return value is stored with the task: a word, never the link.
    return accounts.invitation_deliver(
        invitation_id=invitation_id, queued_at=queued_at, base_url=base_url, language=language
    )


@task
def course_summary_mail_task(*, course_id, base_url, language):
    """Queued by the discharge (courses/physio_views.py): the patient's e-mail that their course
    summary is ready. The return value is a word, never the link."""
    # Imported when run, like accounts imports this module: no import cycle at start-up.
    from courses import services as course_services

    return course_services.course_summary_deliver(
        course_id=course_id, base_url=base_url, language=language
    )


@task
def erase_due_task():
    """Queued by erasure.erasure_keep for the day a kept record's retention period ends: erases
    every kept record due by then (this one included). Returns how many; no names, no arguments."""
    return erasure.erase_due()


@task
def housekeeping_task():
    """Daily: delete access-log entries past the retention period and erase the kept records
    whose period has ended; then queue the next run. Survives restarts: the next run is a row."""
    # The next run first: a failure below must not end the daily chain.
    schedule_housekeeping(after=timezone.now() + HOUSEKEEPING_EVERY)
    purged, erased = housekeeping()
    return {"access_log_purged": purged, "erased": erased}


def housekeeping():
    """The erasures first: they must not wait on the log's purge. Then every reminder schedule
    whose chain of runs was lost (a worker killed at the wrong moment) is queued again."""
    from reminders import services as reminder_services

    erased = erasure.erase_due()
    purged = audit.purge()
    reminder_services.schedule_all()
    from plans import offline  # the keys of changes sent from phones, past their use

    offline.purge_keys()
    return purged, erased


@transaction.atomic
def schedule_housekeeping(*, after=None):
    """Queues the daily housekeeping unless a run is already waiting. Returns True if queued."""
    path = housekeeping_task.module_path
    # The run that calls this is RUNNING, not READY: it queues its successor.
    waiting = DBTaskResult.objects.select_for_update().filter(
        task_path=path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    housekeeping_task.using(run_after=after or timezone.now()).enqueue()
    return True
