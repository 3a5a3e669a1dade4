"""Loads the catalogue data file: conditions, exercises, condition notes and starting templates,
and the exercises' pictures (data/pictures.json and its drawings) when that file is there.

Idempotent: everything is matched by its natural key (condition code, exercise slug, a picture's
exercise and position) and updated.
"""

import json
from pathlib import Path

from django.db import transaction

from exercises import pictures
from exercises.models import (
    Condition,
    ConditionNote,
    Exercise,
    ExercisePicture,
    ProgramTemplate,
    TemplateItem,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILE = DATA_DIR / "catalogue.json"
PICTURES_FILE = DATA_DIR / "pictures.json"

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
def load_catalogue(data=None, *, pictures_file=PICTURES_FILE):
    """Returns counts of what is now in the database for the file's entries, and the warnings of
    the pictures' loading (a missing file) under "warnings"."""
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

    loaded = load_pictures(pictures_file)
    return {
        "conditions": len(conditions),
        "exercises": len(exercises),
        "templates": len(data.get("templates", [])),
        "pictures": loaded["pictures"],
        "warnings": loaded["warnings"],
    }


# The shipped drawings' types by their ending; a raster file must also say so in its bytes.
SHIPPED_TYPES = {".svg": pictures.SVG, ".png": pictures.PNG, ".jpg": pictures.JPEG,
                 ".jpeg": pictures.JPEG, ".webp": pictures.WEBP}  # fmt: skip


def _picture_path(pictures_file, name):
    """A file named in pictures.json: next to it, or in its pictures/ folder."""
    folder = Path(pictures_file).parent
    for path in (folder / name, folder / "pictures" / name):
        if path.is_file():
            return path
    return None


def _shipped_type(path, content):
    content_type = SHIPPED_TYPES.get(path.suffix.lower())
    if content_type is None or content_type == pictures.SVG:
        return content_type  # SVG is trusted here: it is drawn for the project and shipped
    return content_type if pictures.sniff(content) == content_type else None


@transaction.atomic
def load_pictures(pictures_file=PICTURES_FILE):
    """Creates or updates each exercise's start and end picture from pictures.json; a missing
    file or exercise is a warning, never a failure. Returns {"pictures": n, "warnings": [...]}."""
    pictures_file = Path(pictures_file)
    if not pictures_file.is_file():
        return {"pictures": 0, "warnings": []}
    with open(pictures_file, encoding="utf-8") as handle:
        spec = json.load(handle)
    exercises = Exercise.objects.in_bulk(list(spec), field_name="slug")
    count, warnings = 0, []
    for slug, positions in spec.items():
        exercise = exercises.get(slug)
        if exercise is None:
            warnings.append(f"Pictures of “{slug}” skipped: no such exercise.")
            continue
        for position, entry in positions.items():
            if position not in ExercisePicture.Position.values:
                warnings.append(f"{slug}: unknown position “{position}” skipped.")
                continue
            path = _picture_path(pictures_file, entry["file"])
            if path is None:
                warnings.append(f"{slug} {position}: file “{entry['file']}” is missing, skipped.")
                continue
            content = path.read_bytes()
            content_type = _shipped_type(path, content)
            if content_type is None:
                warnings.append(f"{slug} {position}: “{path.name}” is not a known image, skipped.")
                continue
            _save_picture(exercise, position, content, content_type, entry)
            count += 1
    return {"pictures": count, "warnings": warnings}


def _save_picture(exercise, position, content, content_type, entry):
    """Writes only what changed, so loading twice leaves the pictures (and their URLs) alone."""
    picture = ExercisePicture.objects.filter(exercise=exercise, position=position).first()
    picture = picture or ExercisePicture(exercise=exercise, position=position)
    values = {
        "content": content,
        "content_type": content_type,
        "alt_en": entry["alt_en"],
        "alt_da": entry["alt_da"],
    }
    if picture.pk and all(
        bytes(getattr(picture, k)) == v if k == "content" else getattr(picture, k) == v
        for k, v in values.items()
    ):
        return
    for field, value in values.items():
        setattr(picture, field, value)
    picture.full_clean()
    picture.save()
