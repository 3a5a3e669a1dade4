import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from exercises.dose import Dose
from plans import services
from plans.models import Plan, Prescription
from tests.factories import ExerciseFactory, PlanFactory

pytestmark = pytest.mark.django_db


def assign(patient, template, items=None, **overrides):
    kwargs = {
        "physio": patient.physio,
        "patient": patient,
        "condition": template.condition,
        "side": "right",
        "start_date": timezone.localdate(),
        "weeks": 12,
        "sessions_per_week": 3,
        "items": items if items is not None else services.template_items(template),
        "template": template,
    }
    kwargs.update(overrides)
    return services.plan_assign(**kwargs)


def test_assign_copies_the_template(patient, fai_template):
    plan = assign(patient, fai_template)
    rows = list(plan.prescriptions.order_by("order"))
    assert [rx.exercise.slug for rx in rows] == ["side-step-band", "adductor-squeeze", "bridge"]
    assert (rows[0].sets, rows[0].dose_min, rows[0].dose_max) == (3, 8, 12)
    assert rows[1].dose_unit == "seconds"
    assert plan.end_date == plan.start_date + datetime.timedelta(weeks=12, days=-1)


def test_assigning_a_new_plan_ends_the_old_one_and_keeps_it(patient, fai_template):
    old = assign(patient, fai_template)
    new = assign(patient, fai_template)
    old.refresh_from_db()
    assert old.status == Plan.Status.ENDED and old.ended_on == timezone.localdate()
    assert old.prescriptions.count() == 3
    assert new.status == Plan.Status.ACTIVE


def test_double_submit_returns_the_same_plan(patient, fai_template):
    key = uuid.uuid4()
    first = assign(patient, fai_template, submission_key=key)
    second = assign(patient, fai_template, submission_key=key)
    assert first.pk == second.pk
    assert Plan.objects.filter(patient=patient).count() == 1


def test_empty_program_is_refused(patient, fai_template):
    with pytest.raises(ValidationError):
        assign(patient, fai_template, items=[])
    assert not Plan.objects.exists()


def test_inactive_exercise_is_refused_and_nothing_is_saved(patient, fai_template):
    items = services.template_items(fai_template)
    items[1].exercise.is_active = False
    old = assign(patient, fai_template)
    with pytest.raises(ValidationError):
        assign(patient, fai_template, items=items)
    old.refresh_from_db()
    assert old.status == Plan.Status.ACTIVE  # the failed assign rolled back the ending too
    assert Plan.objects.count() == 1


def test_cautioned_exercise_needs_confirmation(patient, fai_template, cautioned):
    items = [services.ItemSpec(exercise=cautioned, dose=Dose(1, cautioned.dose_unit, 10, 15))]
    with pytest.raises(ValidationError, match="Deep flexion pinches"):
        assign(patient, fai_template, items=items)
    items[0].caution_confirmed = True
    plan = assign(patient, fai_template, items=items)
    assert plan.prescriptions.get().caution_confirmed


@pytest.mark.parametrize(
    "sets,low,high", [(0, 10, 15), (11, 10, 15), (2, 0, 15), (2, 10, 101), (2, 15, 10)]
)
def test_dose_outside_the_bounds_is_refused(patient, fai_template, sets, low, high):
    exercise = ExerciseFactory()
    items = [services.ItemSpec(exercise=exercise, dose=Dose(sets, exercise.dose_unit, low, high))]
    with pytest.raises(ValidationError):
        assign(patient, fai_template, items=items)
    assert not Plan.objects.exists()


def test_patient_of_another_physio_is_refused(other_physio, patient, fai_template):
    with pytest.raises(ValidationError):
        assign(patient, fai_template, physio=other_physio)


def test_database_allows_one_active_plan_per_patient(patient):
    PlanFactory(patient=patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(patient=patient)


def test_database_refuses_an_end_before_the_start(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(patient=patient, end_date=timezone.localdate() - datetime.timedelta(days=30))


def test_dose_change_keeps_the_old_dose(patient, fai_template):
    plan = assign(
        patient, fai_template, start_date=timezone.localdate() - datetime.timedelta(days=7)
    )
    bridge = plan.prescriptions.get(exercise__slug="bridge")
    new = services.prescription_change_dose(
        prescription=bridge, by=patient.physio, dose=Dose(3, "reps", 12, 15), reason="easy"
    )
    bridge.refresh_from_db()
    assert bridge.valid_until == timezone.localdate() == new.valid_from
    today = timezone.localdate()
    in_effect = Prescription.objects.in_effect_on(today).get(plan=plan, exercise__slug="bridge")
    before = Prescription.objects.in_effect_on(today - datetime.timedelta(days=1)).get(
        plan=plan, exercise__slug="bridge"
    )
    assert (in_effect.sets, before.sets) == (3, 2)
    with pytest.raises(ValidationError):  # the old row cannot be changed again
        services.prescription_change_dose(
            prescription=bridge, by=patient.physio, dose=Dose(1, "reps", 10, 15)
        )
