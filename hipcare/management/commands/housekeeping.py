from django.core.management.base import BaseCommand

from hipcare import tasks


class Command(BaseCommand):
    help = (
        "Delete access-log entries past ACCESS_LOG_RETENTION_DAYS and erase kept records whose "
        "retention period has ended. --schedule instead queues the daily run for the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", action="store_true", help="Queue the daily run (once) for the worker."
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            queued = tasks.schedule_housekeeping()
            self.stdout.write("Daily housekeeping queued." if queued else "Already queued.")
            return
        purged, erased = tasks.housekeeping()
        self.stdout.write(f"Deleted {purged} access-log entries; erased {erased} patient(s).")
