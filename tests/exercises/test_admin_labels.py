"""Issue #15: every field of an admin inline row has a name for screen readers (axe found 42
unlabelled fields on a program template), and no filter link is empty."""

import pytest
from django.urls import reverse

from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    PhysioFactory,
    clinic_of,
    make_template,
)

pytestmark = pytest.mark.django_db


def test_template_rows_are_labelled_with_column_and_row(admin_client):
    template = make_template(ConditionFactory(), [ExerciseFactory(), ExerciseFactory()])
    html = admin_client.get(
        reverse("admin:exercises_programtemplate_change", args=[template.pk])
    ).content.decode()
    for label in ("Sets, row 1", "Unit, row 1", "From, row 2", "To, row 2", "Delete, row 2"):
        assert f'aria-label="{label}"' in html, label


def test_membership_rows_keep_the_date_and_time_labels(admin_client):
    clinic = clinic_of(PhysioFactory())
    html = admin_client.get(
        reverse("admin:hipcare_clinic_change", args=[clinic.pk])
    ).content.decode()
    assert 'aria-label="User, row 1"' in html
    assert 'aria-label="Since, row 1"' not in html  # its date and time have labels of their own
    assert 'for="id_memberships-0-since_0"' in html


def test_an_empty_equipment_value_has_a_name_in_the_filter(admin_client):
    ExerciseFactory(equipment_en="")
    ExerciseFactory(equipment_en="mat")
    html = admin_client.get(reverse("admin:exercises_exercise_changelist")).content.decode()
    assert 'href="?equipment_en="' in html
    assert '<a href="?equipment_en=">(empty)</a>' in html.replace("\n", "")
