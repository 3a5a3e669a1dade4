from pathlib import Path

from django.core.management.base import BaseCommand

from exercises.catalogue import DATA_FILE, load_catalogue, read_catalogue


class Command(BaseCommand):
    help = "Load or update the exercise catalogue and program templates from the data file."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DATA_FILE), help="Catalogue JSON file.")
        parser.add_argument(
            "--pictures",
            default=None,
            help="Pictures JSON file (default: pictures.json next to the catalogue file).",
        )

    def handle(self, *args, file, pictures, **options):
        pictures = pictures or Path(file).parent / "pictures.json"
        counts = load_catalogue(read_catalogue(file), pictures_file=pictures)
        for warning in counts["warnings"]:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        self.stdout.write(
            self.style.SUCCESS(
                "Catalogue loaded: {conditions} conditions, {exercises} exercises, "
                "{templates} templates, {pictures} pictures.".format(**counts)
            )
        )
