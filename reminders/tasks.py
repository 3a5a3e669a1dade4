"""The reminders' background tasks, run by the worker (`manage.py db_worker`), the same worker and
database-backed queue (django-tasks-db) as the mail outbox. The work lives in services.py."""

from django.tasks import task

from reminders import services


@task
def reminder_due_task(*, schedule_id, version, due):
    """Queued for each occurrence of a schedule (run_after = its instant). Returns a word."""
    return services.reminder_due(schedule_id=schedule_id, version=version, due=due)


@task
def reminder_deliver_task(*, delivery_id):
    """Queued with the day's delivery row: sends it. Returns a word, never the message."""
    return services.reminder_deliver(delivery_id=delivery_id)
