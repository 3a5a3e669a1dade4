"""Hold and rest timers (issue 17): what each kind of dose's timer runs, and the checklist that
shows them without a query more."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises.dose import Dose
from exercises.models import Exercise
from plans import services, timers
from plans.models import Prescription
from plans.timers import (
    HOLD,
    MINUTES,
    REPS,
    REST_BETWEEN_HOLDS_SECONDS,
    REST_BETWEEN_SETS_SECONDS,
    SHORT_HOLD_MAX_SECONDS,
    SIDE_SWITCH_SECONDS,
    WARN_SECONDS_LEFT,
    TimerPlan,
    hold_rest_seconds,
    prescription_timer,
    timer_plan,
)
from tests.factories import ExerciseFactory, PlanFactory, PrescriptionFactory


def test_the_product_rules():
    assert REST_BETWEEN_SETS_SECONDS == 60
    assert REST_BETWEEN_HOLDS_SECONDS == 30
    assert SHORT_HOLD_MAX_SECONDS == 10
    assert SIDE_SWITCH_SECONDS == 5
    assert timers.SIDE_ORDER == ("left", "right")
    assert WARN_SECONDS_LEFT == 10


def test_sets_of_reps_rest_a_minute_and_are_not_timed():
    plan = timer_plan(Dose(3, "reps", 8, 12), per_side=True, side="both")
    assert plan == TimerPlan(
        kind=REPS,
        sets=3,
        hold_seconds=0,
        sides=(),  # both sides are done within each set
        rest_seconds=REST_BETWEEN_SETS_SECONDS,
        switch_seconds=0,
        entry_amount=None,  # the reps done are the patient's to say
    )
    assert not plan.timed


def test_one_set_of_reps_has_no_timer():
    assert timer_plan(Dose(1, "reps", 10, 15)) is None
    assert timer_plan(Dose(1, "reps", 10, 15), per_side=True) is None


def test_a_hold_per_side_runs_left_then_right_with_a_change_between():
    plan = timer_plan(Dose(3, "seconds", 30, 30), per_side=True, side="both")
    assert plan == TimerPlan(
        kind=HOLD,
        sets=3,
        hold_seconds=30,
        sides=("left", "right"),
        rest_seconds=REST_BETWEEN_HOLDS_SECONDS,
        switch_seconds=SIDE_SWITCH_SECONDS,
        entry_amount=30,
    )
    assert plan.timed and plan.warn_seconds == WARN_SECONDS_LEFT


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_hold_prescribed_for_one_side_holds_that_side_only(side):
    plan = timer_plan(Dose(3, "seconds", 30, 30), per_side=True, side=side)
    assert (plan.sides, plan.switch_seconds) == ((side,), 0)


def test_a_hold_with_both_legs_has_no_sides():
    # The isometric abduction's dose range: the timer holds the lower value.
    plan = timer_plan(Dose(5, "seconds", 30, 45), per_side=False, side="right")
    assert (plan.kind, plan.sets, plan.hold_seconds, plan.sides) == (HOLD, 5, 30, ())
    assert (plan.rest_seconds, plan.switch_seconds, plan.entry_amount) == (30, 0, 30)


def test_a_short_hold_rests_as_long_as_it_held():
    plan = timer_plan(Dose(10, "seconds", 5, 10))  # the adductor squeeze
    assert (plan.hold_seconds, plan.rest_seconds) == (5, 5)
    assert hold_rest_seconds(SHORT_HOLD_MAX_SECONDS) == SHORT_HOLD_MAX_SECONDS
    assert hold_rest_seconds(SHORT_HOLD_MAX_SECONDS + 1) == REST_BETWEEN_HOLDS_SECONDS
    assert hold_rest_seconds(1) == 1


def test_a_single_hold_has_no_rest():
    plan = timer_plan(Dose(1, "seconds", 45, 60), per_side=True)
    assert (plan.sets, plan.hold_seconds, plan.rest_seconds) == (1, 45, 0)
    assert plan.sides == ("left", "right")


def test_minutes_count_down_the_minutes():
    plan = timer_plan(Dose(1, "minutes", 10, 20), per_side=True)  # stationary cycling
    assert plan == TimerPlan(
        kind=MINUTES,
        sets=1,
        hold_seconds=600,
        sides=(),  # a bout has no sides
        rest_seconds=0,
        switch_seconds=0,
        entry_amount=10,  # the "Seconds or minutes" field: minutes
    )
    assert timer_plan(Dose(2, "minutes", 5, 5)).rest_seconds == REST_BETWEEN_SETS_SECONDS


def test_a_prescription_uses_its_exercise_and_side_without_the_database():
    exercise = Exercise(per_side=True, sets=3, dose_unit="seconds", dose_min=20, dose_max=30)
    rx = Prescription(exercise=exercise, side="left", sets=2, dose_unit="seconds")
    rx.dose_min, rx.dose_max = 15, 30
    plan = prescription_timer(rx)
    assert (plan.sets, plan.hold_seconds, plan.sides) == (2, 15, ("left",))


# --- On the checklist -----------------------------------------------------------------------------


@pytest.fixture
def started(db, patient):
    """A plan started today with a hold per side, a short hold, sets of reps and one set of reps."""
    plan = PlanFactory(patient=patient, start_date=timezone.localdate() - datetime.timedelta(3))
    stance = ExerciseFactory(name_en="Single-leg stance", per_side=True)
    PrescriptionFactory(plan=plan, exercise=stance, sets=3, dose_unit="seconds", dose_min=30,
                        dose_max=30, order=0)  # fmt: skip
    PrescriptionFactory(plan=plan, sets=10, dose_unit="seconds", dose_min=5, dose_max=10, order=1)
    PrescriptionFactory(plan=plan, sets=2, order=2)
    PrescriptionFactory(plan=plan, sets=1, order=3)
    services.session_start(plan=plan, day=timezone.localdate(), pain_before=2)
    return plan


def timer_attrs(html):
    return re.findall(
        r'data-timer data-kind="(\w+)" data-sets="(\d+)" data-hold="(\d+)"\s+'
        r'data-sides="([\w ]*)" data-rest="(\d+)" data-switch="(\d+)"',
        html,
    )


@pytest.mark.django_db
def test_the_checklist_renders_each_timer_from_the_rules(client, patient, started):
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert timer_attrs(html) == [
        ("hold", "3", "30", "left right", "30", "5"),
        ("hold", "10", "5", "", "5", "0"),
        ("reps", "2", "0", "", "60", "0"),
    ]  # and none for the single set of reps
    assert 'data-amount="30"' in html and 'data-warn="10"' in html
    # The timers are hidden until the script shows them; their words are the template's.
    boxes = re.findall(r'<div class="hc-timer"[^>]*>', html)
    assert len(boxes) == 3 and all(re.search(r"\shidden\s", box) for box in boxes)
    assert 'data-text-set="Set {n} of {total}"' in html
    assert 'data-say-hold-rest="Hold done – rest {time}"' in html


@pytest.mark.django_db
def test_no_timer_before_the_questions_or_on_a_ticked_exercise(client, patient, started):
    client.force_login(patient)
    first = started.prescriptions.order_by("order").first()
    session = started.sessions.get()
    services.entry_set(session=session, prescription_id=first.pk, done=True)
    html = client.get(reverse("plans:today")).content.decode()
    assert [a[0:2] for a in timer_attrs(html)] == [("hold", "10"), ("reps", "2")]
    session.delete()
    html = client.get(reverse("plans:today")).content.decode()
    assert "data-timer " not in html  # the ticks wait for the questions: no timer either


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 12], ids=["4 exercises", "16 exercises"])
def test_timers_add_no_query(client, patient, started, extra, django_assert_num_queries):
    for order in range(extra):
        PrescriptionFactory(
            plan=started, sets=3, dose_unit="seconds", dose_min=20, dose_max=30, order=10 + order,
            exercise=ExerciseFactory(per_side=order % 2 == 0),
        )  # fmt: skip
    client.force_login(patient)
    client.get(reverse("plans:today"))  # warm: the first request's one-off lookups
    # The checklist's 11 queries (tests/plans/test_sessions.py) and today's ticks: the timers
    # come from the prescriptions already loaded.
    with django_assert_num_queries(12):
        response = client.get(reverse("plans:today"))
    assert len(timer_attrs(response.content.decode())) == 3 + extra
