"""The patient finds their course from "My program": its answers over time while it runs, the
summary once discharged; the page's query count stays fixed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from tests.factories import PlanFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


def _plan(patient, exercises=2):
    plan = PlanFactory(
        patient=patient, start_date=timezone.localdate() - datetime.timedelta(days=50)
    )
    for order in range(exercises):
        PrescriptionFactory(plan=plan, order=order)
    return plan


def test_a_running_course_is_linked(client, patient):
    course = services.course_start(plan=_plan(patient))
    client.force_login(patient)
    page = client.get(reverse("plans:my-program")).content.decode()
    assert reverse("courses:course", args=[course.pk]) in page
    assert "Your course of care" in page


def test_after_discharge_the_maintenance_program_links_the_summary(client, patient):
    course = services.course_start(plan=_plan(patient))
    course = services.course_discharge(course=course, by=patient.physio, sessions_per_week=2)
    client.force_login(patient)
    page = client.get(reverse("plans:my-program")).content.decode()
    assert reverse("courses:summary", args=[course.pk]) in page
    assert "keeps up what your course of care achieved" in page


def test_no_course_no_link(client, patient):
    _plan(patient)
    client.force_login(patient)
    assert "course of care" not in client.get(reverse("plans:my-program")).content.decode()


@pytest.mark.parametrize("exercises", [1, 8])
def test_my_program_queries_are_fixed(client, patient, django_assert_num_queries, exercises):
    services.course_start(plan=_plan(patient, exercises))
    client.force_login(patient)
    # session, user, plan with its course, prescriptions, condition notes, the exercises'
    # pictures (issue 17), the access log
    with django_assert_num_queries(7):
        client.get(reverse("plans:my-program"))
