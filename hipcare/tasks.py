"""Background tasks (Django's task framework), run by the worker: `manage.py db_worker`.

The backend (django-tasks-db, settings.TASKS) keeps queued tasks in the database, so queueing one
commits or rolls back with the request's other writes. The work itself lives in the services.
"""

from django.tasks import task

from hipcare import accounts, erasure


@task
def invitation_deliver_task(*, invitation_id, queued_at, base_url, language):
    # The return value is stored with the task: a word, never the link.
    return accounts.invitation_deliver(
        invitation_id=invitation_id, queued_at=queued_at, base_url=base_url, language=language
    )


@task
def erase_due_task():
    """Queued by erasure.erasure_keep for the day a kept record's retention period ends: erases
    every kept record due by then (this one included). Returns how many; no names, no arguments."""
    return erasure.erase_due()
