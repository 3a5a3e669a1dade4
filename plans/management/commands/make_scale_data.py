from django.core.management.base import BaseCommand, CommandError

from plans.scale import SCALE_PASSWORD, make_scale_data


class Command(BaseCommand):
    help = "Fill the database with programs and sessions for load tests (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--physios", type=int, default=10)
        parser.add_argument("--patients", type=int, default=200)
        parser.add_argument("--weeks", type=int, default=12)
        parser.add_argument("--prefix", default="scale", help="Username prefix (must be new).")

    def handle(self, *args, physios, patients, weeks, prefix, **options):
        if min(physios, patients, weeks) < 1 or weeks > 100:
            raise CommandError("--physios, --patients and --weeks (1–100) must be positive.")
        try:
            result = make_scale_data(
                physios=physios, patients=patients, weeks=weeks, prefix=prefix,
                log=self.stdout.write,
            )  # fmt: skip
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                "Made {sessions} sessions and {entries} ticked exercises in {seconds} s. "
                "Log in as {prefix}-physio-0 or {prefix}-patient-0 with password "
                "{password}.".format(**result, prefix=prefix, password=SCALE_PASSWORD)
            )
        )
