"""Loads the catalogue data file: conditions, exercises, condition notes and starting templates.

Idempotent: everything is matched by its natural key (condition code, exercise slug) and updated.
"""

import json
from pathlib import Path

from django.db import transaction

from exercises.models import Condition, ConditionNote, Exercise, ProgramTemplate, TemplateItem

DATA_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"

EXERCISE_FIELDS = [
    "name_en", "name_da", "category", "target_muscles_en", "target_muscles_da", "equipment_en",
    "equipment_da", "sets", "dose_unit", "dose_min", "dose_max", "per_side", "alternating",
    "difficulty", "easier_en", "easier_da", "harder_en", "harder_da", "source",
]  # fmt: skip
# Optional in the file; an entry without them is loaded with them empty.
EXERCISE_OPTIONAL_FIELDS = ["dose_note_en", "dose_note_da"]
NOTE_FIELDS = ["kind", "reason_en", "reason_da"]
NOTE_OPTIONAL_FIELDS = ["advice_en", "advice_da"]


def read_catalogue(path=DATA_FILE):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def load_catalogue(data=None):
    """Returns counts of what is now in the database for the file's entries."""
    data = data if data is not None else read_catalogue()
    conditions = {}
    for spec in data["conditions"]:
        condition, _ = Condition.objects.update_or_create(
            code=spec["code"],
            defaults={k: spec.get(k, "") for k in ("name_en", "name_da", "guidance_en",
                                                    "guidance_da", "source")},
        )  # fmt: skip
        conditions[condition.code] = condition

    exercises = {}
    for spec in data["exercises"]:
        values = {field: spec[field] for field in EXERCISE_FIELDS}
        values.update({field: spec.get(field, "") for field in EXERCISE_OPTIONAL_FIELDS})
        values["instructions_en"] = "\n".join(spec["instructions_en"])
        values["instructions_da"] = "\n".join(spec["instructions_da"])
        exercise = Exercise.objects.filter(slug=spec["slug"]).first() or Exercise(slug=spec["slug"])
        for field, value in values.items():
            setattr(exercise, field, value)
        exercise.full_clean()
        exercise.save()
        exercise.suits.set([conditions[code] for code in spec["suits"]])
        noted = []
        for note in spec.get("notes", []):
            condition = conditions[note["condition"]]
            ConditionNote.objects.update_or_create(
                exercise=exercise,
                condition=condition,
                defaults={
                    **{k: note[k] for k in NOTE_FIELDS},
                    **{k: note.get(k, "") for k in NOTE_OPTIONAL_FIELDS},
                },
            )
            noted.append(condition.pk)
        exercise.condition_notes.exclude(condition__in=noted).delete()
        exercises[exercise.slug] = exercise

    for spec in data.get("templates", []):
        template, _ = ProgramTemplate.objects.update_or_create(
            condition=conditions[spec["condition"]],
            clinic=None,
            defaults={k: spec[k] for k in ("name_en", "name_da", "sessions_per_week", "weeks")},
        )
        kept = []
        for order, item in enumerate(spec["items"]):
            exercise = exercises[item["exercise"]]
            row, _ = TemplateItem.objects.update_or_create(
                template=template,
                exercise=exercise,
                defaults={
                    "order": order,
                    "sets": item.get("sets", exercise.sets),
                    "dose_unit": exercise.dose_unit,
                    "dose_min": item.get("dose_min", exercise.dose_min),
                    "dose_max": item.get("dose_max", exercise.dose_max),
                    "note_en": item.get("note_en", ""),
                    "note_da": item.get("note_da", ""),
                },
            )
            row.full_clean()
            kept.append(row.pk)
        template.items.exclude(pk__in=kept).delete()

    return {
        "conditions": len(conditions),
        "exercises": len(exercises),
        "templates": len(data.get("templates", [])),
    }
