from django.db import migrations

from courses.content import INSTRUMENTS_FILE, load_instruments, read


def load(apps, schema_editor):
    load_instruments(
        read(INSTRUMENTS_FILE),
        instrument_model=apps.get_model("courses", "Instrument"),
        item_model=apps.get_model("courses", "Item"),
        measure_model=apps.get_model("courses", "Measure"),
    )


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
