import pytest

from tests.factories import (
    ConditionFactory,
    ConditionNoteFactory,
    ExerciseFactory,
    PlanFactory,
    PrescriptionFactory,
    days_ago,
    make_template,
)


@pytest.fixture
def fai(db):
    return ConditionFactory(code="fai", name_en="Femoroacetabular impingement")


@pytest.fixture
def fai_template(fai):
    side_step = ExerciseFactory(
        slug="side-step-band", name_en="Side-stepping with mini band", sets=3, dose_min=8,
        dose_max=12, per_side=True, suits=[fai],
    )  # fmt: skip
    squeeze = ExerciseFactory(
        slug="adductor-squeeze", name_en="Adductor squeeze with ball", sets=10,
        dose_unit="seconds", dose_min=5, dose_max=10, suits=[fai],
    )  # fmt: skip
    bridge = ExerciseFactory(slug="bridge", name_en="Bridge", suits=[fai])
    return make_template(fai, [side_step, squeeze, bridge])


@pytest.fixture
def cautioned(fai):
    exercise = ExerciseFactory(slug="knee-to-chest", name_en="Knee to chest", suits=[fai])
    ConditionNoteFactory(
        exercise=exercise, condition=fai, kind="caution", reason_en="Deep flexion pinches."
    )
    return exercise


@pytest.fixture
def plan(patient):
    """A program that started 20 days ago with three doses."""
    plan = PlanFactory(patient=patient, start_date=days_ago(20))
    for order in range(3):
        PrescriptionFactory(plan=plan, order=order)
    return plan
