from django.core.management.base import BaseCommand, CommandError

from courses.content import EDUCATION_FILE, UnknownCondition, load_education, read


class Command(BaseCommand):
    help = "Load the shipped education texts (keeps admins' edits unless --update)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(EDUCATION_FILE))
        parser.add_argument("--update", action="store_true", help="Overwrite edited texts.")

    def handle(self, *args, file, update, **options):
        try:
            created = load_education(read(file), update=update)
        except UnknownCondition as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Education texts: {created} new."))
