"""Runs queued background tasks inside a test, as the worker (`manage.py db_worker`) would."""


def run_queued_tasks():
    """Runs every task that is due, one by one, in this process; returns how many ran.

    It uses the worker's own task runner, but not its loop: the loop closes the database
    connection between tasks, which would end the test's transaction.
    """
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim("tests")
        worker.run_task(result)
        ran += 1
    return ran
