"""The catalogue stays shared; a clinic's own exercises and templates are its own (issue #14)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from exercises.dose import Dose
from exercises.models import ProgramTemplate
from hipcare.models import Membership
from plans import services
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    PatientFactory,
    PhysioFactory,
    clinic_of,
    make_template,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    condition = ConditionFactory(code="fai")
    anna, bo = PhysioFactory(), PhysioFactory()  # two clinics
    shared = ExerciseFactory(slug="shared-bridge", name_en="Shared bridge", suits=[condition])
    own = ExerciseFactory(
        slug="b-secret", name_en="Clinic B sling", clinic=clinic_of(bo), suits=[condition]
    )
    return {"condition": condition, "anna": anna, "bo": bo, "shared": shared, "own": own}


def test_a_clinics_own_exercise_is_seen_by_its_physios_only(client, world):
    client.force_login(world["anna"])
    assert "Clinic B sling" not in client.get(reverse("exercises:list")).content.decode()
    assert client.get(reverse("exercises:detail", args=["b-secret"])).status_code == 404
    assert client.get(reverse("exercises:detail", args=["shared-bridge"])).status_code == 200
    client.force_login(world["bo"])
    assert "Clinic B sling" in client.get(reverse("exercises:list")).content.decode()
    assert client.get(reverse("exercises:detail", args=["b-secret"])).status_code == 200


def test_the_assign_form_offers_the_patients_clinics_exercises_only(client, world):
    patient = PatientFactory(physio=world["anna"], condition=world["condition"])
    client.force_login(world["anna"])
    html = client.get(reverse("plans:plan-assign", args=[patient.pk])).content.decode()
    assert "Shared bridge" in html and "Clinic B sling" not in html


def test_the_service_refuses_another_clinics_exercise(world):
    patient = PatientFactory(physio=world["anna"])
    own = world["own"]
    item = services.ItemSpec(exercise=own, dose=own.dose)
    with pytest.raises(ValidationError, match="Not in your clinic's catalogue"):
        services.plan_assign(
            physio=world["anna"],
            patient=patient,
            condition=world["condition"],
            side="both",
            start_date=timezone.localdate(),
            weeks=12,
            sessions_per_week=3,
            items=[item],
        )
    assert not patient.plans.exists()


def test_the_patients_clinic_template_comes_first_even_for_a_physio_of_two_clinics(world):
    condition = world["condition"]
    shared = make_template(condition, [world["shared"]])
    clinic_a, clinic_b = clinic_of(world["anna"]), clinic_of(world["bo"])
    own_b = make_template(condition, [world["own"]], clinic=clinic_b)
    Membership.objects.create(clinic=clinic_b, user=world["anna"], role="physio")
    pick = ProgramTemplate.objects.starting_for
    assert pick(condition, clinic_b.pk).first() == own_b
    assert pick(condition, clinic_a.pk).first() == shared


def test_a_clinic_may_have_one_template_per_condition_and_the_catalogue_one(world):
    from django.db import IntegrityError, transaction

    condition = world["condition"]
    make_template(condition, [world["shared"]])
    with pytest.raises(IntegrityError), transaction.atomic():
        make_template(condition, [world["shared"]])
    make_template(condition, [world["own"]], clinic=clinic_of(world["bo"]))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_template(condition, [world["own"]], clinic=clinic_of(world["bo"]))


def test_a_closed_account_gets_no_new_program(world):
    patient = PatientFactory(physio=world["anna"], is_active=False)
    shared = world["shared"]
    with pytest.raises(ValidationError, match="closed"):
        services.plan_assign(
            physio=world["anna"],
            patient=patient,
            condition=world["condition"],
            side="both",
            start_date=timezone.localdate() - datetime.timedelta(days=1),
            weeks=12,
            sessions_per_week=3,
            items=[services.ItemSpec(exercise=shared, dose=Dose(2, "reps", 10, 12))],
        )
