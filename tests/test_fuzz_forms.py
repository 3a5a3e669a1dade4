"""Hostile input to every form: never a 500, never a half-written change (hypothesis)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcare.models import User
from plans.models import Plan, Prescription, Review, Session, SessionEntry
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    PatientFactory,
    PlanFactory,
    PrescriptionFactory,
    make_template,
)

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TODAY = timezone.localdate

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "<script>alert(1)</script>", "' OR 1=1 --",
                     "٣", "１０", "🦴" * 50, "\x00", "2026-02-30", "9" * 40]),
)  # fmt: skip
hostile_number = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    hostile_text,
)
value = st.one_of(hostile_number, hostile_text)


def form_data(fields):
    """Each field is either left out or given a hostile value (sometimes a list of them)."""
    return st.fixed_dictionaries(
        {},
        optional={f: st.one_of(value, st.lists(value, max_size=3)) for f in fields},
    )


def assert_consistent():
    """Invariants that hold after any request, whatever it was sent."""
    for plan in Plan.objects.all():
        assert plan.prescriptions.exists(), "a plan without exercises was saved"
        assert plan.end_date >= plan.start_date
    for patient in User.objects.filter(role="patient"):
        assert Plan.objects.filter(patient=patient, status="active").count() <= 1
    for rx in Prescription.objects.all():
        rx.full_clean()
    for session in Session.objects.all():
        for pain in (session.pain_before, session.pain_after, session.effort):
            assert pain is None or 0 <= pain <= 10
    for entry in SessionEntry.objects.select_related("session", "prescription"):
        assert entry.prescription.plan_id == entry.session.plan_id


@pytest.fixture
def world(physio):
    condition = ConditionFactory(code="fai")
    exercises = [ExerciseFactory(suits=[condition]) for _ in range(3)]
    make_template(condition, exercises)
    patient = PatientFactory(physio=physio, condition=condition)
    plan = PlanFactory(
        patient=patient, condition=condition, start_date=TODAY() - datetime.timedelta(days=10)
    )
    rx = PrescriptionFactory(plan=plan, exercise=exercises[0])
    stranger_rx = PrescriptionFactory()
    return {"physio": physio, "patient": patient, "plan": plan, "rx": rx, "stranger_rx": stranger_rx,
            "exercises": exercises, "condition": condition}  # fmt: skip


def post(client, url, data, **headers):
    response = client.post(url, data, headers=headers)
    assert response.status_code < 500, (url, data)
    assert_consistent()
    return response


@FUZZ
@given(
    data=form_data(
        ["first_name", "last_name", "email", "date_of_birth", "condition", "affected_side"]
    )
)
def test_fuzz_patient_add(client, world, data):
    client.force_login(world["physio"])
    before = User.objects.count()
    response = post(client, reverse("plans:patient-add"), data)
    if response.status_code == 200:  # the form came back with errors: nothing written
        assert User.objects.count() == before


ASSIGN_FIELDS = ["condition", "side", "start_date", "weeks", "sessions_per_week", "submission_key",
                 "rx-TOTAL_FORMS", "rx-INITIAL_FORMS", "rx-MAX_NUM_FORMS"] + [
    f"rx-{i}-{f}" for i in range(3)
    for f in ("exercise", "sets", "dose_min", "dose_max", "side", "load", "note", "keep", "confirm_caution")
]  # fmt: skip


@FUZZ
@given(data=form_data(ASSIGN_FIELDS))
def test_fuzz_plan_assign(client, world, data):
    client.force_login(world["physio"])
    plans = Plan.objects.count()
    response = post(client, reverse("plans:plan-assign", args=[world["patient"].pk]), data)
    if response.status_code == 200:
        assert Plan.objects.count() == plans


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {"condition": st.just("CONDITION"), "side": st.sampled_from(["left", "right", "both"]),
         "start_date": st.just("TODAY"), "weeks": hostile_number, "sessions_per_week": hostile_number,
         "rx-TOTAL_FORMS": st.just("1"), "rx-INITIAL_FORMS": st.just("0"),
         "rx-0-keep": st.just("on"), "rx-0-exercise": st.one_of(st.just("EXERCISE"), hostile_number),
         "rx-0-sets": hostile_number, "rx-0-dose_min": hostile_number, "rx-0-dose_max": hostile_number,
         "rx-0-side": st.just("right")}
    )
)  # fmt: skip
def test_fuzz_plan_assign_numbers(client, world, data):
    """Mostly valid rows with hostile numbers: saved whole or not at all."""
    data = dict(data, condition=world["condition"].pk, start_date=TODAY().isoformat())
    if data["rx-0-exercise"] == "EXERCISE":
        data["rx-0-exercise"] = world["exercises"][1].pk
    client.force_login(world["physio"])
    post(client, reverse("plans:plan-assign", args=[world["patient"].pk]), data)


@FUZZ
@given(data=form_data(["sets", "dose_min", "dose_max", "load", "note", "reason"]))
def test_fuzz_prescription_change(client, world, data):
    client.force_login(world["physio"])
    current = Prescription.objects.current().get(plan=world["plan"], exercise=world["rx"].exercise)
    post(client, reverse("plans:prescription-change", args=[current.pk]), data)


@FUZZ
@given(data=form_data(["decision", "rx", "latest_session_date"]))
def test_fuzz_suggestion_decide(client, world, data):
    client.force_login(world["physio"])
    reviews = Review.objects.count()
    post(client, reverse("plans:suggestion-decide", args=[world["patient"].pk]), data)
    assert Review.objects.count() == reviews  # no suggestion is pending in this world


day_strings = st.one_of(
    st.just("TODAY"),
    st.dates().map(lambda d: d.isoformat()),
    st.text(max_size=20).filter(lambda s: "/" not in s and s.strip()),
)


@FUZZ
@given(day=day_strings, data=form_data(["pain_before"]))
def test_fuzz_session_start(client, world, day, data):
    day = TODAY().isoformat() if day == "TODAY" else day
    client.force_login(world["patient"])
    try:
        url = reverse("plans:session-start", args=[day])
    except Exception:  # noqa: BLE001 - not a URL at all, nothing to post
        return
    post(client, url, data)


@FUZZ
@given(
    day=day_strings,
    rx=st.sampled_from(["own", "stranger", "huge"]),
    data=form_data(["done", "sets_done", "reps_done"]),
    htmx=st.booleans(),
)
def test_fuzz_entry_tick(client, world, day, rx, data, htmx):
    day = TODAY().isoformat() if day == "TODAY" else day
    rx_id = {"own": world["rx"].pk, "stranger": world["stranger_rx"].pk, "huge": 2**62}[rx]
    client.force_login(world["patient"])
    try:
        url = reverse("plans:entry-tick", args=[day, rx_id])
    except Exception:  # noqa: BLE001
        return
    headers = {"HX-Request": "true"} if htmx else {}
    response = post(client, url, data, **headers)
    if rx != "own":
        assert response.status_code == 404
        assert not SessionEntry.objects.filter(prescription_id=rx_id).exists()


@FUZZ
@given(day=day_strings, data=form_data(["pain_after", "effort", "red_flags", "note"]))
def test_fuzz_session_finish(client, world, day, data):
    day = TODAY().isoformat() if day == "TODAY" else day
    client.force_login(world["patient"])
    try:
        url = reverse("plans:session-finish", args=[day])
    except Exception:  # noqa: BLE001
        return
    post(client, url, data)


@FUZZ
@given(params=form_data(["q", "condition", "category", "page", "date", "plan"]))
def test_fuzz_get_parameters(client, world, params):
    params = {k: (v[0] if isinstance(v, list) and v else v) for k, v in params.items()}
    params = {k: v for k, v in params.items() if v != []}
    client.force_login(world["physio"])
    for name in ("exercises:list", "plans:caseload"):
        assert client.get(reverse(name), params).status_code < 500
    client.force_login(world["patient"])
    for name in ("plans:today", "plans:history"):
        assert client.get(reverse(name), params).status_code < 500
