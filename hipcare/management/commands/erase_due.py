from django.core.management.base import BaseCommand

from hipcare import erasure


class Command(BaseCommand):
    help = (
        "Erase every patient whose clinic kept the record after an erasure request and whose "
        "retention period has ended. Run daily (cron): the safety net behind the queued tasks."
    )

    def handle(self, *args, **options):
        erased = erasure.erase_due()
        self.stdout.write(f"Erased {erased} patient record(s) whose retention period has ended.")
