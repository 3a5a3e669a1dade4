"""Dose: one value, validated in one place, shown by one template tag."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from exercises.bounds import DOSE_BOUNDS, SETS_MAX
from exercises.dose import Dose
from exercises.models import Exercise


@pytest.mark.parametrize(
    "dose,fields",
    [
        (Dose(2, "reps", 10, 15), set()),
        (Dose(0, "reps", 10, 15), {"sets"}),
        (Dose(SETS_MAX + 1, "reps", 10, 15), {"sets"}),
        (Dose(2, "reps", 15, 10), {"dose_max"}),
        (Dose(2, "reps", 10, DOSE_BOUNDS["reps"][1] + 1), {"dose_max"}),
        (Dose(2, "seconds", 30, DOSE_BOUNDS["seconds"][1]), set()),
        (Dose(2, "minutes", 30, DOSE_BOUNDS["seconds"][1]), {"dose_max"}),  # 300 min is not a dose
        (Dose(2, "hours", 1, 2), {"dose_unit"}),
    ],
)
def test_a_dose_is_judged_against_its_units_bounds(dose, fields):
    assert set(dose.errors) == fields
    assert dose.is_valid is (not fields)


def test_clamped_keeps_a_dose_inside_the_bounds():
    low, high = DOSE_BOUNDS["seconds"]
    assert Dose(99, "seconds", 0, high + 50).clamped() == Dose(SETS_MAX, "seconds", low, high)
    assert Dose(2, "reps", 10, 15).clamped() == Dose(2, "reps", 10, 15)


def test_models_hand_out_and_take_a_dose():
    exercise = Exercise(sets=3, dose_unit="seconds", dose_min=20, dose_max=30)
    assert exercise.dose == Dose(3, "seconds", 20, 30)
    exercise.dose = Dose(1, "reps", 8, 8)
    assert (exercise.sets, exercise.dose_unit, exercise.dose_min, exercise.dose_max) == (
        1,
        "reps",
        8,
        8,
    )


def test_model_clean_uses_the_same_rule():
    exercise = Exercise(sets=2, dose_unit="reps", dose_min=15, dose_max=10)
    with pytest.raises(ValidationError) as error:
        exercise.clean()
    assert set(error.value.message_dict) == set(exercise.dose.errors) == {"dose_max"}


@pytest.mark.parametrize(
    "dose,per_side,expected",
    [
        (Dose(2, "reps", 10, 15), False, "2 × 10–15 reps"),
        (Dose(3, "seconds", 30, 30), True, "3 × 30 s hold per side"),
        (Dose(1, "minutes", 10, 20), False, "1 × 10–20 min"),
    ],
)
def test_the_dose_tag_shows_a_dose_one_way(dose, per_side, expected):
    exercise = Exercise(per_side=per_side)
    html = Template("{% load doses %}{% dose d e %}").render(Context({"d": dose, "e": exercise}))
    assert html.strip() == f'<span class="dose">{expected}</span>'
