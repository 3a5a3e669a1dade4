from django.core.management.base import BaseCommand

from exercises.catalogue import DATA_FILE, load_catalogue, read_catalogue


class Command(BaseCommand):
    help = "Load or update the exercise catalogue and program templates from the data file."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DATA_FILE), help="Catalogue JSON file.")

    def handle(self, *args, file, **options):
        counts = load_catalogue(read_catalogue(file))
        self.stdout.write(
            self.style.SUCCESS(
                "Catalogue loaded: {conditions} conditions, {exercises} exercises, "
                "{templates} templates.".format(**counts)
            )
        )
