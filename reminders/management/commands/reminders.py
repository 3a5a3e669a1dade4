from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reminders import services, vapid

DEV_KEYS_FILE = settings.BASE_DIR / "vapid-dev.json"


class Command(BaseCommand):
    help = (
        "--schedule queues the next reminder of every schedule that has none waiting (after a "
        "restart, a fresh demo). --dev-keys writes a development VAPID key pair for web push "
        "(DEBUG only; production sets VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue missing reminders.")
        parser.add_argument(
            "--dev-keys", action="store_true", help=f"Write {DEV_KEYS_FILE.name} once (DEBUG)."
        )
        parser.add_argument(
            "--new-keys",
            action="store_true",
            help="Print a new VAPID key pair as environment lines, for production.",
        )

    def handle(self, *args, schedule=False, dev_keys=False, new_keys=False, **options):
        if new_keys:
            keys = vapid.generate()
            self.stdout.write(f"VAPID_PUBLIC_KEY={keys['public_key']}")
            self.stdout.write(f"VAPID_PRIVATE_KEY={keys['private_key']}")
            return
        if not (schedule or dev_keys):
            raise CommandError("Say what to do: --schedule, --dev-keys, --new-keys.")
        if dev_keys:
            if not settings.DEBUG:
                raise CommandError("--dev-keys is for development (DEBUG) only.")
            if vapid.write_dev_keys(DEV_KEYS_FILE):
                self.stdout.write(f"Wrote a development VAPID key pair to {DEV_KEYS_FILE.name}.")
        if schedule:
            queued = services.schedule_all()
            self.stdout.write(f"Queued the next reminder of {queued} schedule(s).")
