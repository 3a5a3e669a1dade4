"""The demo `make run` shows: a finished course that worked, one that did not, and courses
under way with a review due."""

import pytest
from django.core.management import call_command

from courses import outcomes, rules
from courses.models import Course
from plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_catalogue", verbosity=0)
    call_command("load_education", verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)


def _hip_pain(course):
    row = next(r for r in outcomes.state(course).rows if r.instrument.code == "hip-pain")
    return row


def test_two_finished_courses_one_improved_one_not(demo):
    discharged = {
        c.plan.patient.username: c
        for c in Course.objects.filter(discharged_at__isnull=False).select_related("plan__patient")
    }
    assert _hip_pain(discharged["patient5"]).verdict == rules.IMPROVED
    assert _hip_pain(discharged["patient10"]).verdict != rules.IMPROVED
    for course in discharged.values():
        assert course.maintenance_plan.status == Plan.Status.ACTIVE
        assert course.maintenance_plan.sessions_per_week < course.plan.sessions_per_week
        assert course.plan.status == Plan.Status.ENDED


def test_every_demo_program_has_a_course_with_a_baseline(demo):
    courses = list(Course.objects.select_related("plan__patient"))
    assert len(courses) == 10
    for course in courses:
        assert outcomes.state(course).answered(rules.BASELINE)
        assert outcomes.state(course).recorded(rules.BASELINE)


def test_seeding_twice_adds_no_second_course(demo):
    call_command("seed_demo", force=True, verbosity=0)
    assert Course.objects.count() == 10
