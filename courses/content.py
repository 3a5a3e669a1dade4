"""The course content hipcare ships: the outcome measures (courses/data/instruments.json, loaded
by a data migration, since the scoring depends on them) and the education texts
(courses/data/education.json, loaded by `manage.py load_education`; admins then edit them)."""

import json
from pathlib import Path

from django.db import transaction

DATA = Path(__file__).resolve().parent / "data"
INSTRUMENTS_FILE = DATA / "instruments.json"
EDUCATION_FILE = DATA / "education.json"


def read(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_instruments(data, *, instrument_model, item_model, measure_model):
    """Creates or updates each shipped instrument, its items and measures. Models are passed
    in so a migration can use its historical ones."""
    for spec in data:
        spec = dict(spec)
        items, measures = spec.pop("items"), spec.pop("measures")
        instrument, _ = instrument_model.objects.update_or_create(
            code=spec.pop("code"), defaults=spec
        )
        for item in items:
            item = dict(item)
            item_model.objects.update_or_create(
                instrument=instrument, number=item.pop("number"), defaults=item
            )
        for order, measure in enumerate(measures):
            measure = dict(measure, order=order)
            measure_model.objects.update_or_create(
                instrument=instrument, code=measure.pop("code"), defaults=measure
            )
    return len(data)


class UnknownCondition(ValueError):
    pass


@transaction.atomic
def load_education(data, *, update=False):
    """Creates the shipped education texts; with update, also overwrites admins' edits. All or
    nothing: a text for a condition the catalogue lacks loads none."""
    from courses.models import EducationText
    from exercises.models import Condition

    conditions = {c.code: c for c in Condition.objects.all()}
    missing = sorted({spec["condition"] for spec in data} - set(conditions))
    if missing:
        raise UnknownCondition(
            f"No condition {', '.join(missing)}: load the catalogue first (manage.py load_catalogue)."
        )
    created = 0
    for spec in data:
        spec = dict(spec)
        condition = conditions[spec.pop("condition")]
        slug = spec.pop("slug")
        if update:
            _, new = EducationText.objects.update_or_create(
                condition=condition, slug=slug, defaults=spec
            )
        else:
            _, new = EducationText.objects.get_or_create(
                condition=condition, slug=slug, defaults=spec
            )
        created += new
    return created


def load_shipped_instruments():
    """The data migration's load, with today's models: for a database whose rows were emptied
    after migrating (the browser tests' flush between tests)."""
    from courses.models import Instrument, Item, Measure

    return load_instruments(
        read(INSTRUMENTS_FILE), instrument_model=Instrument, item_model=Item, measure_model=Measure
    )
