"""The patient's right of access and portability: the readable record and the FHIR R4 Bundle."""

import datetime
import json
import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle
from fhir.resources.careplan import CarePlan
from fhir.resources.goal import Goal
from fhir.resources.observation import Observation
from pydantic import ValidationError

from courses import services as course_services
from courses.models import EducationText, Instrument
from hipcare.models import AccessEvent, User
from plans import export
from plans.models import Contact, Plan, Review, Session, SessionAnswer, SessionEntry
from reminders import rules as reminder_rules
from reminders.models import PushSubscription, ReminderDelivery, ReminderSchedule
from tests.courses.test_patient_pages import load_hoos12
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    PrescriptionFactory,
    clinic_of,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
PAIN_LOINC = "72514-3"


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


def make_history(patient, sessions):
    """An ended program and an active one: a dose changed once, `sessions` sessions in all (half
    with two ticks, safety answers and, one of them, a warning sign), a contact and a review."""
    physio = patient.physio
    old = PlanFactory(
        patient=patient,
        condition=ConditionFactory(code="bursitis", name_en="Trochanteric bursitis"),
        start_date=days_ago(200),
        weeks=8,
        status=Plan.Status.ENDED,
        ended_on=days_ago(150),
    )
    old_rx = PrescriptionFactory(plan=old, exercise=ExerciseFactory(name_en="Clamshell"))
    Session.objects.create(plan=old, date=days_ago(190), pain_before=4, pain_after=3)
    plan = PlanFactory(
        patient=patient,
        condition=ConditionFactory(code="osteoarthritis", name_en="Hip osteoarthritis"),
        start_date=days_ago(60),
    )
    bridge = ExerciseFactory(name_en="Bridge", instructions_en="Lie on your back.\nLift.")
    squat = ExerciseFactory(name_en="Sit to stand", instructions_en="Sit.\nStand up.")
    # The bridge's first dose, replaced 30 days ago by a harder one.
    PrescriptionFactory(
        plan=plan, exercise=bridge, valid_from=plan.start_date, valid_until=days_ago(30)
    )
    bridge_now = PrescriptionFactory(
        plan=plan, exercise=bridge, sets=3, valid_from=days_ago(30), change_reason="Progressed."
    )
    squat_rx = PrescriptionFactory(plan=plan, exercise=squat, order=1, load="red band")
    for i in range(sessions - 1):
        session = Session.objects.create(
            plan=plan,
            date=days_ago(1 + i),
            pain_before=i % 8,
            pain_after=None if i == 0 else (i + 1) % 8,
            effort=5,
            note=f"note {i}" if i % 3 == 0 else "",
            red_flags=["calf"] if i == 1 else [],
            completed_at=None if i == 0 else timezone.now(),
        )
        if i % 2 == 0:
            SessionEntry.objects.create(session=session, prescription=bridge_now, sets_done=3)
            SessionEntry.objects.create(session=session, prescription=squat_rx)
            SessionAnswer.objects.create(session=session, step="screen", pain=session.pain_before)
            SessionAnswer.objects.create(session=session, step="finish", pain=session.pain_after)
    SessionEntry.objects.create(session=Session.objects.get(plan=old), prescription=old_rx)
    Contact.objects.create(
        plan=plan,
        reason=Contact.Reason.STOP,
        note="Called: the calf is fine.",
        covers_through=days_ago(2),
        recorded_by=physio,
    )
    Review.objects.create(
        plan=plan,
        kind="progress",
        reason="Pain settled.",
        latest_session_date=days_ago(3),
        decision=Review.Decision.APPROVED,
        decided_by=physio,
    )
    return plan


@pytest.fixture
def history(patient):
    make_history(patient, sessions=6)
    return patient


def fhir_json(client, patient, as_physio=False):
    if as_physio:
        client.force_login(patient.physio)
        response = client.get(reverse("plans:patient-export-fhir", args=[patient.pk]))
    else:
        client.force_login(patient)
        response = client.get(reverse("plans:my-data-fhir"))
    assert response.status_code == 200
    return response, json.loads(response.content)


def resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- FHIR ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_physio", [False, True])
def test_the_bundle_validates_as_fhir_r4(client, history, as_physio):
    response, data = fhir_json(client, history, as_physio)
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"].startswith("attachment;")
    bundle = Bundle.parse_obj(data)
    assert bundle.type == "collection"
    kinds = set()
    for entry in data["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        model.parse_obj(resource)  # each resource on its own, with its own class
        kinds.add(resource["resourceType"])
    assert kinds == {
        "Patient",
        "Condition",
        "CarePlan",
        "ActivityDefinition",
        "Procedure",
        "Observation",
    }


def test_the_validation_refuses_a_broken_resource(client, history):
    _, data = fhir_json(client, history)
    observation = resources(data, "Observation")[0]
    Observation.parse_obj(observation)
    broken = {
        "no status": {k: v for k, v in observation.items() if k != "status"},
        "no code": {k: v for k, v in observation.items() if k != "code"},
        "a word for a number": {**observation, "valueInteger": "high"},
        "two values": {**observation, "valueString": "high"},
        "an element FHIR does not have": {**observation, "painScore": 3},
        "not a date": {**observation, "effectiveDateTime": "yesterday"},
    }
    for why, resource in broken.items():
        with pytest.raises(ValidationError):
            Observation.parse_obj(resource)
            pytest.fail(f"accepted with {why}")
    with pytest.raises(ValidationError):
        Bundle.parse_obj({k: v for k, v in data.items() if k != "type"})


# fhir.resources checks structure and types, not the codes of required bindings: these are.
REQUIRED_CODES = {
    "Bundle": {"type": {"collection"}},
    "CarePlan": {"status": {"active", "completed"}, "intent": {"plan"}},
    "ActivityDefinition": {"status": {"active"}, "kind": {"ServiceRequest"}},
    "Procedure": {"status": {"completed", "in-progress", "not-done"}},
    "Observation": {"status": {"final"}},
    # The course of care's goals (none in `history`; checked with a course below).
    "Goal": {"lifecycleStatus": {"active", "completed"}},
}
ACTIVITY_STATUS = {"scheduled", "in-progress", "completed", "stopped"}


def test_the_codes_of_required_bindings_are_known(client, history):
    _, data = fhir_json(client, history)
    for resource in [data] + [e["resource"] for e in data["entry"]]:
        for element, codes in REQUIRED_CODES.get(resource["resourceType"], {}).items():
            assert resource[element] in codes, (resource["resourceType"], element)
    for plan in resources(data, "CarePlan"):
        for activity in plan["activity"]:
            assert activity["detail"]["status"] in ACTIVITY_STATUS
            assert activity["detail"]["kind"] == "ServiceRequest"


def test_the_bundle_has_every_session_and_every_pain_score(client, history):
    _, data = fhir_json(client, history)
    sessions = list(Session.objects.filter(plan__patient=history))
    procedures = resources(data, "Procedure")
    assert len(procedures) == len(sessions) == 6
    assert sorted(p["performedDateTime"] for p in procedures) == sorted(
        s.date.isoformat() for s in sessions
    )
    assert {p["code"]["text"] for p in procedures} == {"Home exercise session"}
    # The unfinished session is in progress; the others are completed.
    assert sorted(p["status"] for p in procedures) == ["completed"] * 4 + ["in-progress"] * 2

    scores = [
        (s.date.isoformat(), value)
        for s in sessions
        for value in (s.pain_before, s.pain_after)
        if value is not None
    ]
    observations = resources(data, "Observation")
    assert len(observations) == len(scores) == 11  # one session has no pain after
    assert sorted((o["effectiveDateTime"], o["valueInteger"]) for o in observations) == sorted(
        scores
    )
    procedure_urls = {
        e["fullUrl"] for e in data["entry"] if e["resource"]["resourceType"] == "Procedure"
    }
    for o in observations:
        assert o["code"]["coding"] == [
            {
                "system": "http://loinc.org",
                "code": PAIN_LOINC,
                "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            }
        ]
        assert o["status"] == "final"
        assert o["category"][0]["coding"][0]["code"] == "survey"
        assert o["partOf"][0]["reference"] in procedure_urls


def test_the_bundle_holds_programs_doses_and_exercises(client, history):
    _, data = fhir_json(client, history)
    (patient,) = resources(data, "Patient")
    assert patient["name"][0]["family"] == history.last_name
    assert patient["birthDate"] == "1960-05-01"
    assert patient["telecom"] == [{"system": "email", "value": history.email}]

    conditions = {c["code"]["text"]: c for c in resources(data, "Condition")}
    assert set(conditions) == {"Hip osteoarthritis", "Trochanteric bursitis"}
    # A SNOMED CT coding only where the code was verified; the others are text only.
    assert conditions["Hip osteoarthritis"]["code"]["coding"][0]["code"] == "239872002"
    assert "coding" not in conditions["Trochanteric bursitis"]["code"]

    plans = {c["status"]: c for c in resources(data, "CarePlan")}
    assert set(plans) == {"active", "completed"}
    active = plans["active"]
    assert active["intent"] == "plan"
    bridge = [a["detail"] for a in active["activity"] if a["detail"]["code"]["text"] == "Bridge"]
    # The past dose and the current one.
    assert sorted(d["status"] for d in bridge) == ["in-progress", "stopped"]
    assert {d["scheduledTiming"]["repeat"]["frequency"] for d in bridge} == {3}
    assert any(d["description"].startswith("3 × 10–15 reps") for d in bridge)
    notes = " ".join(n["text"] for n in active["note"])
    assert "Called: the calf is fine." in notes and "Pain settled." in notes

    definitions = {d["title"]: d for d in resources(data, "ActivityDefinition")}
    assert set(definitions) == {"Bridge", "Sit to stand", "Clamshell"}
    assert definitions["Bridge"]["description"] == "Lie on your back.\nLift."
    assert definitions["Bridge"]["status"] == "active"
    for activity in active["activity"]:
        (canonical,) = activity["detail"]["instantiatesCanonical"]
        assert canonical in {d["url"] for d in definitions.values()}

    flagged = [p for p in resources(data, "Procedure") if "calf" in json.dumps(p["note"])]
    assert len(flagged) == 1


def test_every_reference_resolves_inside_the_bundle(client, history):
    _, data = fhir_json(client, history)
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(urls) == len(set(urls))
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", url) for url in urls)
    for entry in data["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    canonicals = {
        e["resource"]["url"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "ActivityDefinition"
    }

    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "reference":
                    found.append(value)
                    assert value in urls, value
                elif key == "instantiatesCanonical":
                    assert set(value) <= canonicals, value
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data["entry"])
    assert len(found) > 20
    # FHIR JSON has no empty arrays, objects or strings.
    assert not re.search(r'(\[\]|\{\}|"")', json.dumps(data))


def test_the_ids_are_stable_between_exports(client, history):
    _, first = fhir_json(client, history)
    _, second = fhir_json(client, history)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


# --- The readable page -----------------------------------------------------------------------------


def test_the_page_shows_every_session_and_the_whole_record(client, history):
    client.force_login(history)
    response = client.get(reverse("plans:my-data"))
    assert response.status_code == 200
    html = text(response)
    sessions = Session.objects.filter(plan__patient=history)
    assert html.count('class="record-session"') == sessions.count() == 6
    for session in sessions:
        assert reverse("plans:session-detail", args=[session.pk]) in html
    for expected in (
        history.username,
        history.email,
        "Hip osteoarthritis",
        "Trochanteric bursitis",
        "Clamshell",
        "Progressed.",  # the reason for a past dose change
        "red band",
        "A swollen, warm, painful calf",  # a warning sign, in words
        "note 3",
        "Called: the calf is fine.",
        "Pain settled.",
        "Lift.",  # the instructions
        "Print",
        'href="/my-data/fhir.json"',
        "css/record.css",
    ):
        assert expected in html, expected
    # The safety answers as given, each one.
    assert html.count("Before the session") >= 3


def test_the_page_links_to_the_other_data_rights_when_they_exist(client, history):
    client.force_login(history)
    html = client.get(reverse("plans:my-data")).content.decode()
    for name, label in (
        ("my-data-access", "Who has looked at my data"),
        ("account-erase", "Delete my account"),
    ):
        try:
            url = reverse(name)
        except NoReverseMatch:
            assert label not in html
        else:
            assert f'href="{url}"' in html and label in html


def test_patients_find_the_page_and_physios_the_export(client, history):
    client.force_login(history)
    assert reverse("plans:my-data") in client.get(reverse("plans:history")).content.decode()
    client.force_login(history.physio)
    detail = client.get(reverse("plans:patient-detail", args=[history.pk])).content.decode()
    assert reverse("plans:patient-export", args=[history.pk]) in detail
    assert "Export for a referral" in detail
    page = client.get(reverse("plans:patient-export", args=[history.pk]))
    assert page.status_code == 200
    assert reverse("plans:patient-export-fhir", args=[history.pk]) in page.content.decode()


def test_a_patient_without_a_program_gets_a_valid_record(client, patient):
    client.force_login(patient)
    assert "No program yet." in text(client.get(reverse("plans:my-data")))
    _, data = fhir_json(client, patient)
    Bundle.parse_obj(data)
    assert [e["resource"]["resourceType"] for e in data["entry"]] == ["Patient"]


# --- Who may export, and the access log ---------------------------------------------------------


@pytest.mark.parametrize("name", ["plans:patient-export", "plans:patient-export-fhir"])
def test_another_clinics_patient_is_404_and_a_colleagues_is_200(client, history, name):
    url = reverse(name, args=[history.pk])
    client.force_login(PhysioFactory())  # another clinic
    assert client.get(url).status_code == 404
    client.force_login(PhysioFactory(clinic=clinic_of(history.physio)))  # same clinic
    response = client.get(url)
    assert response.status_code == 200
    assert history.last_name in response.content.decode()


@pytest.mark.parametrize(
    ("name", "by_physio"),
    [
        ("plans:my-data", False),
        ("plans:my-data-fhir", False),
        ("plans:patient-export", True),
        ("plans:patient-export-fhir", True),
    ],
)
def test_every_export_writes_the_access_log(client, history, name, by_physio):
    actor = history.physio if by_physio else history
    client.force_login(actor)
    args = [history.pk] if by_physio else []
    assert client.get(reverse(name, args=args)).status_code == 200
    event = AccessEvent.objects.get()
    assert (event.actor_id, event.patient_id, event.clinic_id) == (
        actor.pk,
        history.pk,
        history.clinic_id,
    )
    assert (event.what, event.action) == (AccessEvent.What.EXPORT, AccessEvent.Action.EXPORT)
    assert event.relation == (
        AccessEvent.Relation.TREATING if by_physio else AccessEvent.Relation.SELF
    )


def test_a_refused_export_writes_no_log(client, history):
    client.force_login(PhysioFactory())
    client.get(reverse("plans:patient-export-fhir", args=[history.pk]))
    assert not AccessEvent.objects.exists()


# --- A fixed number of queries -----------------------------------------------------------------------

# My data, the patient's page (15): the session, the user, the patient row again (its clinic,
# physio, condition and reminder schedule joined, and when each phone was added), then the
# record (export.RECORD_QUERIES, 10): handovers, plans (with their courses), prescriptions,
# sessions (with their ticks and answers), contacts, reviews, the course results (with their
# instruments and the clinic's licensed texts), the items, the measures, the texts read; then
# the reminders sent (export.REMINDER_QUERIES) and the access log's INSERT.
PATIENT_QUERIES = 15
# The patient's bundle (14): the same without the reminders sent (not in the bundle).
PATIENT_FHIR_QUERIES = 14
# The physio's referral page and bundle (15): the session, the user, the second factor's device,
# the patient through the clinic scope (with the same joins; no reminders), the record, the
# access log's INSERT.
PHYSIO_QUERIES = 15


def test_the_totals_add_up():
    record = export.RECORD_QUERIES
    assert 3 + record + export.REMINDER_QUERIES + 1 == PATIENT_QUERIES
    assert 3 + record + 1 == PATIENT_FHIR_QUERIES
    assert 4 + record + 1 == PHYSIO_QUERIES


def own_patient(patient, *, reminders=True):
    """The patient as their own pages read them for the record (plans/export_views.py)."""
    users = User.objects.filter(pk=patient.pk)
    return export.record_patients(users, reminders=reminders).get()


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize(
    ("name", "by_physio", "queries"),
    [
        ("plans:my-data", False, PATIENT_QUERIES),
        ("plans:my-data-fhir", False, PATIENT_FHIR_QUERIES),
        ("plans:patient-export", True, PHYSIO_QUERIES),
        ("plans:patient-export-fhir", True, PHYSIO_QUERIES),
    ],
)
def test_export_queries_are_fixed(
    client, patient, django_assert_num_queries, size, name, by_physio, queries
):
    make_history(patient, sessions=size)
    make_course(patient, weeks=size // 2)
    make_reminders(patient, sent=size, phones=min(size, 5))
    # Reverse first: loading the URLs imports hipcare.two_factor, whose log-in signal marks the
    # session; a test run on its own would otherwise pay one session write in the request.
    url = reverse(name, args=[patient.pk] if by_physio else [])
    client.force_login(patient.physio if by_physio else patient)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    if name == "plans:my-data":
        html = response.content.decode()
        assert html.count('class="record-session"') == size
        assert html.count('class="record-reminder"') == size
        assert html.count('class="record-phone"') == min(size, 5)
        assert html.count('class="record-result"') == 6 + size // 2


def test_the_record_takes_a_fixed_number_of_queries(patient, django_assert_num_queries):
    make_history(patient, sessions=12)
    make_course(patient, weeks=3)
    make_reminders(patient, sent=12, phones=3)
    patient = own_patient(patient)
    with django_assert_num_queries(export.RECORD_QUERIES + export.REMINDER_QUERIES):
        record = export.patient_record(patient, reminders=True)
    with django_assert_num_queries(0):
        export.fhir_bundle(record, "https://hipcare.example/")
    assert record.session_count == 12


def test_another_physios_patient_at_another_clinic_stays_out(client, history):
    """The patient's own page shows only their own record, reminders included."""
    make_reminders(history, sent=1, phones=1)
    stranger = PatientFactory(last_name="Zzyzx")
    make_history(stranger, sessions=2)
    make_reminders(stranger, sent=3, phones=2, zone="Pacific/Auckland", tag="zzyzx")
    client.force_login(history)
    response = client.get(reverse("plans:my-data"))
    html = response.content.decode()
    assert "Zzyzx" not in html and "Pacific/Auckland" not in html
    assert html.count('class="record-reminder"') == 1
    assert html.count('class="record-phone"') == 1
    record = response.context["record"]
    assert {s.delivery.patient_id for s in record.reminders_sent} == {history.pk}
    assert record.reminder_schedule.patient_id == history.pk
    _, data = fhir_json(client, history)
    assert "Zzyzx" not in json.dumps(data)


# --- The course of care's outcome measures -------------------------------------------------------------


def make_course(patient, *, weeks=2):
    """A course on the patient's active program: the start and the review measured (hip pain,
    both tests), and `weeks` weeks of hip pain."""
    plan = Plan.objects.get(patient=patient, status=Plan.Status.ACTIVE)
    course = course_services.course_start(plan=plan, goals="Walk the dog.")
    by = {"hip-pain": patient, "chair-stand-30s": patient.physio, "walk-40m": patient.physio}
    values = {"baseline": (6, 9, 38.5), "review": (3, 12, 34.0)}
    for point, (pain, stands, walk) in values.items():
        for code, value in zip(by, (pain, stands, walk), strict=True):
            course_services.result_record(
                course=course,
                instrument=Instrument.objects.get(code=code),
                point=point,
                answers={"1": value},
                by=by[code],
            )
    for week in range(1, weeks + 1):
        course_services.result_record(
            course=course,
            instrument=Instrument.objects.get(code="hip-pain"),
            point="week",
            week=week,
            answers={"1": 5},
            by=patient,
        )
    return course


@pytest.mark.parametrize("as_physio", [False, True])
def test_a_courses_outcome_scores_are_in_the_bundle(client, history, as_physio):
    course = make_course(history)
    _, data = fhir_json(client, history, as_physio)
    Bundle.parse_obj(data)
    scores = [
        o
        for o in resources(data, "Observation")
        if o["code"]["coding"][0]["system"] == export.MEASURE_SYSTEM
    ]
    for observation in scores:
        Observation.parse_obj(observation)
    found = {
        (o["code"]["coding"][0]["code"], o["valueQuantity"]["value"], o["note"][0]["text"])
        for o in scores
    }
    assert found == {
        ("hip-pain.value", 6, "Course of care: Start. Hip pain; lower is better."),
        ("hip-pain.value", 3, "Course of care: Review. Hip pain; lower is better."),
        ("hip-pain.value", 5, "Course of care: Week 1. Hip pain; lower is better."),
        ("hip-pain.value", 5, "Course of care: Week 2. Hip pain; lower is better."),
        ("chair-stand-30s.value", 9, "Course of care: Start. 30-second chair stand; higher is better."),
        ("chair-stand-30s.value", 12, "Course of care: Review. 30-second chair stand; higher is better."),
        ("walk-40m.value", 38.5, "Course of care: Start. 40 m fast-paced walk; lower is better."),
        ("walk-40m.value", 34.0, "Course of care: Review. 40 m fast-paced walk; lower is better."),
    }  # fmt: skip
    units = {o["code"]["coding"][0]["code"]: o["valueQuantity"]["unit"] for o in scores}
    assert units == {"hip-pain.value": "of 10", "chair-stand-30s.value": "stands",
                     "walk-40m.value": "seconds"}  # fmt: skip
    # Each is the patient's, part of the course's program, and says who measured it.
    patient_urn = resources(data, "Patient")[0]["id"]
    care_plan = next(
        e["fullUrl"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "CarePlan"
        and e["resource"]["period"]["start"] == course.plan.start_date.isoformat()
    )
    for observation in scores:
        assert observation["subject"]["reference"] == f"urn:uuid:{patient_urn}"
        assert observation["basedOn"] == [{"reference": care_plan}]
        test = observation["category"][0]["coding"][0]["code"] == "exam"
        assert ("display" in observation["performer"][0]) == test
    assert len({o["id"] for o in scores}) == len(scores) == 8


@pytest.mark.parametrize("weeks", [1, 12])
def test_the_record_with_a_course_takes_the_same_queries(patient, django_assert_num_queries, weeks):
    make_history(patient, sessions=4)
    make_course(patient, weeks=weeks)
    patient = own_patient(patient, reminders=False)
    with django_assert_num_queries(export.RECORD_QUERIES):
        record = export.patient_record(patient, reminders=False)
    with django_assert_num_queries(0):
        bundle = export.fhir_bundle(record, "https://hipcare.example/")
    scores = [
        e for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["system"] == export.MEASURE_SYSTEM
    ]  # fmt: skip
    assert len(scores) == 6 + weeks


# --- The course of care in the record: goals, review, discharge, answers, texts read ------------


def make_full_course(patient, *, weeks=2, reads=1, goals="Walk the dog to the harbour."):
    """make_course, then HOOS-12 at the start, the review, `reads` education texts read and the
    discharge with its maintenance program."""
    course = make_course(patient, weeks=weeks)
    course.goals = goals
    course.save(update_fields=["goals"])
    course_services.result_record(
        course=course,
        instrument=Instrument.objects.get(code="hoos12"),
        point="baseline",
        answers={str(n): n % 5 for n in range(1, 13)},
        by=patient,
    )
    course_services.course_review(
        course=course, by=patient.physio, decision="continue", note="Stairs are easier."
    )
    for n in range(reads):
        text = EducationText.objects.create(
            condition=course.plan.condition,
            slug=f"text-{n}",
            week=1,
            order=n,
            title_en=f"Why exercise helps {n}",
            title_da=f"Hvorfor træning hjælper {n}",
            body_en="Exercise helps.",
            body_da="Træning hjælper.",
            source="A trial.",
        )
        course_services.education_mark_read(patient=patient, text=text)
    course_services.course_discharge(
        course=course, by=patient.physio, note="Keep the bridge going.", sessions_per_week=2,
        weeks=26,
    )  # fmt: skip
    course.refresh_from_db()
    return course


def short(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def course_section(html, plan):
    """The program's part of the page, from its heading to the next program's."""
    start = html.index(f'id="program-{plan.pk}"')
    end = html.find('<section aria-labelledby="program-', start)
    return html[start : end if end != -1 else len(html)]


@pytest.mark.parametrize("as_physio", [False, True])
def test_the_page_shows_the_course_of_care(client, history, as_physio):
    load_hoos12(history.clinic)
    course = make_full_course(history, reads=2)
    if as_physio:
        client.force_login(history.physio)
        response = client.get(reverse("plans:patient-export", args=[history.pk]))
    else:
        client.force_login(history)
        response = client.get(reverse("plans:my-data"))
    html = text(response)
    part = course_section(html, course.plan)
    for expected in (
        "Course of care",
        "Walk the dog to the harbour.",
        f'Review due</dt><dd class="col-7 col-md-9">{short(course.review_on)}',
        "Continue as planned",  # the decision at review, in words
        "Stairs are easier.",
        "Keep the bridge going.",
        f"{short(course.discharged_at)}",
        # The maintenance program: its dates and sessions a week, linked.
        f'href="#program-{course.maintenance_plan_id}"',
        f"{short(course.maintenance_plan.start_date)} – {short(course.maintenance_plan.end_date)}",
        "2 sessions a week",
        # Each answer with its question (the free ones', and the clinic's own HOOS-12 texts)...
        "1. On average, how much has your hip hurt over the last week?: <strong>6</strong>",
        "1. Full stands from a chair in 30 seconds, arms crossed: <strong>9</strong>",
        "3. HOOS question 3 (HOOS-12 pain): <strong>3</strong>",
        "12. HOOS question 12 (HOOS-12 quality of life): <strong>2</strong>",
        # ... and the scores.
        "Average hip pain, last week: <strong>6</strong> of 10",
        "40 m fast-paced walk: <strong>38.5</strong> seconds",
        "HOOS-12 summary",
    ):
        assert expected in part, expected
    assert part.count('class="record-result"') == 6 + 2 + 1  # 6 points, 2 weeks, HOOS-12
    assert ">Week 2<" in part and ">Review<" in part and ">Start<" in part
    # The maintenance program says whose it is; the older program has no course.
    maintenance = course_section(html, course.maintenance_plan)
    assert "This is the maintenance program after the course of care" in maintenance
    assert f'href="#course-{course.plan_id}"' in maintenance
    old = Plan.objects.get(patient=history, condition__code="bursitis")
    assert "No course of care for this program." in course_section(html, old)
    # The texts read, at the end, oldest first.
    heading = "Texts the patient has read" if as_physio else "Texts you have read"
    reads = html[html.index(f">{heading}</h2>") :]
    assert reads.index("Why exercise helps 0") < reads.index("Why exercise helps 1")
    assert "No texts read yet." not in html


def test_the_course_headings_are_in_order_and_its_tables_have_headers(client, history):
    make_full_course(history)
    client.force_login(history)
    html = text(client.get(reverse("plans:my-data")))
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels  # never skips a level going down
    assert levels.count(4) == 1  # the course's "Outcome measures" under its "Course of care"
    for table in re.findall(r"<table.*?</table>", html):
        assert '<th scope="col">' in table
        assert "<th>" not in table


def test_a_licensed_instrument_without_the_clinics_texts_shows_numbers_only(client, history):
    # HOOS-12 answered, but the patient's clinic holds no texts (stopped, or never loaded).
    make_full_course(history)
    client.force_login(history)
    html = text(client.get(reverse("plans:my-data")))
    assert "HOOS question" not in html
    assert "Question 1 (HOOS-12 pain): <strong>1</strong>" in html
    assert "Question 12 (HOOS-12 quality of life): <strong>2</strong>" in html
    # A single-item instrument names no scale.
    assert "(Average hip pain" not in html


def test_the_empty_states_of_the_course_and_the_texts(client, history):
    course_services.course_start(
        plan=Plan.objects.get(patient=history, status=Plan.Status.ACTIVE), goals=""
    )
    client.force_login(history)
    html = text(client.get(reverse("plans:my-data")))
    assert "No answers or tests recorded yet." in html
    assert "No course of care for this program." in html  # the ended program
    assert "No texts read yet." in html
    assert html.count("not yet") == 2  # reviewed, discharged
    _, data = fhir_json(client, history)
    Bundle.parse_obj(data)
    # No goals, no Goal (its description is required).
    assert resources(data, "Goal") == []
    assert all("goal" not in c for c in resources(data, "CarePlan"))


def test_the_bundle_has_the_courses_goal_notes_and_maintenance(client, history):
    course = make_full_course(history)
    _, data = fhir_json(client, history)
    Bundle.parse_obj(data)
    for entry in data["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).parse_obj(entry["resource"])
    urls = {e["resource"]["id"]: e["fullUrl"] for e in data["entry"]}
    patient_url = urls[resources(data, "Patient")[0]["id"]]

    for resource in [e["resource"] for e in data["entry"]]:
        for element, codes in REQUIRED_CODES.get(resource["resourceType"], {}).items():
            assert resource[element] in codes, (resource["resourceType"], element)
    (goal,) = resources(data, "Goal")
    Goal.parse_obj(goal)
    assert goal["lifecycleStatus"] == "completed"  # discharged
    assert goal["description"] == {"text": "Walk the dog to the harbour."}
    assert goal["subject"] == {"reference": patient_url}
    assert goal["statusDate"] == timezone.localdate(course.discharged_at).isoformat()

    care_plans = {c["period"]["start"]: c for c in resources(data, "CarePlan")}
    course_plan = care_plans[course.plan.start_date.isoformat()]
    maintenance = care_plans[course.maintenance_plan.start_date.isoformat()]
    for care_plan in (course_plan, maintenance):
        CarePlan.parse_obj(care_plan)
    assert course_plan["goal"] == [{"reference": urls[goal["id"]]}]
    assert course_plan["status"] == "completed"
    notes = [n["text"] for n in course_plan["note"]]
    review = next(n for n in notes if n.startswith("Review of the course of care"))
    assert review == (
        f"Review of the course of care on {short(course.reviewed_at)}: Continue as planned. "
        "Stairs are easier."
    )
    discharge = next(n for n in notes if n.startswith("Discharged"))
    assert discharge == (
        f"Discharged from the course of care on {short(course.discharged_at)}. Plan to keep "
        "going: Keep the bridge going. Maintenance program from "
        f"{short(course.maintenance_plan.start_date)} to "
        f"{short(course.maintenance_plan.end_date)}, 2 sessions a week."
    )
    assert notes.index(review) < notes.index(discharge)  # oldest first, with the contacts
    # The maintenance program takes over from the course's program.
    assert maintenance["status"] == "active"
    assert maintenance["replaces"] == [{"reference": urls[course_plan["id"]]}]
    assert "goal" not in maintenance and "replaces" not in course_plan


def test_a_running_courses_goal_is_active(client, history):
    make_course(history)
    _, data = fhir_json(client, history, as_physio=True)
    (goal,) = resources(data, "Goal")
    Goal.parse_obj(goal)
    assert goal["lifecycleStatus"] == "active"
    assert goal["description"]["text"] == "Walk the dog."
    assert "statusDate" not in goal
    assert not any(n["text"].startswith("Review of") for c in resources(data, "CarePlan")
                   for n in c.get("note", []))  # fmt: skip


def test_another_patients_course_never_appears(client, history):
    """Someone else's goals, notes, answers and texts read stay out of the record: on the
    patient's page, the physio's export and both bundles."""
    load_hoos12(history.clinic)
    make_course(history)
    # Another patient of the same physio and clinic, with a whole course.
    stranger = PatientFactory(physio=history.physio, clinic=history.clinic, last_name="Zzyzx")
    make_history(stranger, sessions=2)
    theirs = make_full_course(stranger, goals="Zzyzx: climb Zugspitze.", reads=1)
    course_services.result_record(
        course=theirs,
        instrument=Instrument.objects.get(code="hip-pain"),
        point="discharge",
        answers={"1": 9},
        by=stranger,
    )
    make_reminders(stranger, sent=2, phones=1, zone="Pacific/Auckland", tag="zzyzx")
    for as_physio in (False, True):
        if as_physio:
            client.force_login(history.physio)
            page = client.get(reverse("plans:patient-export", args=[history.pk]))
        else:
            client.force_login(history)
            page = client.get(reverse("plans:my-data"))
        html = text(page)
        for theirs_only in (
            "Zzyzx",
            "Stairs are easier.",
            "Keep the bridge going.",
            "Why exercise helps",
            "HOOS question",
            f'id="course-{theirs.plan_id}"',
        ):
            assert theirs_only not in html, theirs_only
        assert "Walk the dog." in html
        assert html.count('class="record-result"') == 8  # only the patient's own results
        assert page.context["record"].texts_read == []
        # Nor their reminders: the patient has none.
        assert "Pacific/Auckland" not in html
        assert page.context["record"].reminder_schedule is None
        assert page.context["record"].phones_added == []
        assert page.context["record"].reminders_sent == []
        _, data = fhir_json(client, history, as_physio)
        dumped = json.dumps(data)
        for theirs_only in ("Zzyzx", "Stairs are easier.", "Keep the bridge going."):
            assert theirs_only not in dumped
        assert [g["description"]["text"] for g in resources(data, "Goal")] == ["Walk the dog."]


@pytest.mark.parametrize(("weeks", "reads"), [(1, 1), (12, 6)])
def test_the_record_with_a_whole_course_takes_the_same_queries(
    client, patient, django_assert_num_queries, weeks, reads
):
    load_hoos12(patient.clinic)
    make_history(patient, sessions=4)
    make_full_course(patient, weeks=weeks, reads=reads)
    fetched = own_patient(patient, reminders=False)
    with django_assert_num_queries(export.RECORD_QUERIES):
        record = export.patient_record(fetched, reminders=False)
    with django_assert_num_queries(0):
        export.fhir_bundle(record, "https://hipcare.example/")
    assert len(record.texts_read) == reads
    url = reverse("plans:my-data")
    client.force_login(patient)
    with django_assert_num_queries(PATIENT_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('class="record-result"') == 6 + weeks + 1


# --- The reminders: the schedule, the phones, the reminders sent ----------------------------------

ENDPOINT = "https://push.example/send/"


def make_reminders(patient, *, sent, phones, zone="Europe/Copenhagen", tag="own"):
    """A schedule (Monday, Wednesday and Friday at 17:30, by e-mail and notification), `phones`
    phones for notifications (one added a day, from today back) and `sent` reminders, one a day
    back from yesterday: every seventh from the fourth a gentle note, the oldest not sent (the
    rules stopped it), the others by notification, then e-mail a minute later."""
    schedule = ReminderSchedule.objects.create(
        patient=patient,
        days=reminder_rules.days_mask([0, 2, 4]),
        time=datetime.time(17, 30),
        time_zone=zone,
        by_email=True,
        by_push=True,
        language="en",
        base_url="https://hipcare.example/",
    )
    now = timezone.now().replace(microsecond=0)
    for n in range(phones):
        PushSubscription.objects.create(
            patient=patient,
            endpoint=f"{ENDPOINT}{tag}-secret-{n}",
            p256dh=f"P256DH-{tag}-{n}",
            auth=f"AUTHKEY-{tag}-{n}",
            created_at=now - datetime.timedelta(days=n, hours=1),
        )
    for n in range(sent):
        day = days_ago(1 + n)
        due = timezone.make_aware(datetime.datetime.combine(day, datetime.time(17, 30)))
        gentle = n % 7 == 3
        delivered = n != sent - 1
        ReminderDelivery.objects.create(
            patient=patient,
            kind=reminder_rules.GENTLE if gentle else reminder_rules.REMINDER,
            local_date=day,
            gentle_week=reminder_rules.week_of(day) if gentle else None,
            due_at=due,
            pushed_at=due if delivered else None,
            pushed=phones if delivered else 0,
            email_sent_at=due + datetime.timedelta(minutes=1) if delivered else None,
        )
    return schedule


def short_time(value):
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def reminders_section(html):
    return html[html.index('id="reminders-heading"') :]


REMINDER_ROW = re.compile(
    r'<tr class="record-reminder">' + r"\s*<td[^>]*>([^<]*)</td>" * 4 + r"\s*</tr>"
)


def test_the_page_shows_the_patients_reminders(client, patient):
    make_reminders(patient, sent=5, phones=2)
    client.force_login(patient)
    response = client.get(reverse("plans:my-data"))
    assert response.status_code == 200
    html = text(response)
    assert 'href="#reminders-heading"' in html  # in the contents
    part = reminders_section(html)
    for expected in (
        ">Reminders</h2>",
        "Reminders are on",
        "Monday, Wednesday, Friday",
        "17:30",
        "Europe/Copenhagen",
        "E-mail, Notification",
        "English",
        f'href="{reverse("reminders:settings")}"',
        "2 phones are set up for notifications.",
        "Reminders sent",
    ):
        assert expected in part, expected
    assert "You have not set reminders." not in html
    # The phones: when each was added, newest first.
    added = PushSubscription.objects.filter(patient=patient).order_by("-created_at")
    assert re.findall(r'<li class="record-phone">([^<]*)</li>', part) == [
        f"Added on {short_time(phone.created_at)}" for phone in added
    ]
    # The reminders sent, newest day first: day, message, how, when first sent.
    due = {d.local_date: d.due_at for d in ReminderDelivery.objects.filter(patient=patient)}
    sent_by = "E-mail; Notification (2 phones reached)"
    assert REMINDER_ROW.findall(part) == [
        (short(days_ago(1)), "Reminder", sent_by, short_time(due[days_ago(1)])),
        (short(days_ago(2)), "Reminder", sent_by, short_time(due[days_ago(2)])),
        (short(days_ago(3)), "Reminder", sent_by, short_time(due[days_ago(3)])),
        (short(days_ago(4)), "Gentle note", sent_by, short_time(due[days_ago(4)])),
        (short(days_ago(5)), "Reminder", "–", "not sent"),
    ]


def test_the_page_never_shows_a_phones_push_address_or_keys(client, patient):
    make_reminders(patient, sent=2, phones=3)
    client.force_login(patient)
    response = client.get(reverse("plans:my-data"))
    html = response.content.decode()
    assert html.count('class="record-phone"') == 3
    for secret in (ENDPOINT, "push.example", "own-secret", "P256DH", "AUTHKEY"):
        assert secret not in html, secret
    # The record holds only when each phone was added, not the rows.
    phones = response.context["record"].phones_added
    assert len(phones) == 3 and all(isinstance(at, datetime.datetime) for at in phones)


def test_without_reminders_the_page_says_so(client, history):
    client.force_login(history)
    part = reminders_section(text(client.get(reverse("plans:my-data"))))
    assert "You have not set reminders." in part
    for absent in ("Phones for notifications", "Reminders sent", "No reminders sent yet."):
        assert absent not in part, absent
    # Reminders set every day, then turned off; none sent yet.
    ReminderSchedule.objects.create(
        patient=history,
        enabled=False,
        days=reminder_rules.ALL_DAYS,
        time=datetime.time(9, 5),
        time_zone="UTC",
        by_email=False,
        by_push=True,
        language="da",
        base_url="https://hipcare.example/",
    )
    part = reminders_section(text(client.get(reverse("plans:my-data"))))
    for expected in (
        "Reminders are off",
        "Every day",
        "09:05",
        ">Notification<",
        "Danish",
        "No reminders sent yet.",
    ):
        assert expected in part, expected
    assert "You have not set reminders." not in part
    assert "Phones for notifications" not in part


def test_the_reminders_stay_out_of_the_bundle_and_the_referral(client, history):
    """Not clinical: the FHIR bundle (the patient's and the physio's) and the physio's referral
    page leave them out."""
    make_reminders(history, sent=3, phones=2)
    for as_physio in (False, True):
        _, data = fhir_json(client, history, as_physio)
        Bundle.parse_obj(data)
        dumped = json.dumps(data)
        for absent in ("push.example", "P256DH", "AUTHKEY", "Copenhagen", "Gentle note",
                       "phones reached"):  # fmt: skip
            assert absent not in dumped, absent
        kinds = {e["resource"]["resourceType"] for e in data["entry"]}
        assert kinds <= {"Patient", "Condition", "CarePlan", "ActivityDefinition", "Procedure",
                         "Observation", "Goal"}  # fmt: skip
    client.force_login(history.physio)
    html = client.get(reverse("plans:patient-export", args=[history.pk])).content.decode()
    assert 'id="reminders-heading"' not in html
    assert "Europe/Copenhagen" not in html and "record-reminder" not in html


@pytest.mark.parametrize(("sent", "phones"), [(0, 0), (1, 1), (40, 5)])
def test_the_reminders_take_one_query_and_read_no_push_address(
    patient, django_assert_num_queries, sent, phones
):
    make_history(patient, sessions=3)
    make_course(patient)
    if sent or phones:
        make_reminders(patient, sent=sent, phones=phones)
    with django_assert_num_queries(1 + export.RECORD_QUERIES + export.REMINDER_QUERIES) as queries:
        record = export.patient_record(own_patient(patient), reminders=True)
    assert len(record.reminders_sent) == sent
    assert len(record.phones_added) == phones
    assert all(isinstance(at, datetime.datetime) for at in record.phones_added)
    assert record.phones_added == sorted(record.phones_added, reverse=True)  # newest first
    assert (record.reminder_schedule is not None) == bool(sent or phones)
    sql = [q["sql"] for q in queries.captured_queries]
    # The schedule and the phones come with the patient row (a join, a subquery); one query for
    # the deliveries.
    (patient_sql,) = [q for q in sql if "reminders_reminderschedule" in q]
    assert patient_sql.startswith("SELECT") and "JOIN" in patient_sql
    assert sum("reminders_reminderdelivery" in q for q in sql) == 1
    (phones_sql,) = [q for q in sql if "reminders_pushsubscription" in q]
    assert phones_sql == patient_sql
    for column in ('."endpoint"', '."p256dh"', '."auth"'):
        assert column not in phones_sql, column


def test_without_the_reminders_no_reminder_is_read(patient, django_assert_num_queries):
    """The bundle and the physio's referral page leave the reminders out: not even read."""
    make_history(patient, sessions=3)
    make_course(patient)
    make_reminders(patient, sent=3, phones=2)
    with django_assert_num_queries(1 + export.RECORD_QUERIES) as queries:
        record = export.patient_record(own_patient(patient, reminders=False), reminders=False)
    assert not any("reminders_" in q["sql"] for q in queries.captured_queries)
    assert (record.reminder_schedule, record.phones_added, record.reminders_sent) == (None, [], [])
    assert record.session_count == 3


def test_a_reminders_ways_and_time_in_words():
    due = timezone.now().replace(microsecond=0)
    later = due + datetime.timedelta(minutes=2)
    both = export.reminder_sent(
        ReminderDelivery(local_date=TODAY(), due_at=due, email_sent_at=later, pushed_at=due,
                         pushed=1)
    )  # fmt: skip
    assert both.channels == ["E-mail", "Notification (1 phone reached)"]
    assert both.sent_at == due  # the first way it went out
    mail = export.reminder_sent(
        ReminderDelivery(local_date=TODAY(), due_at=due, email_sent_at=later)
    )
    assert (mail.channels, mail.sent_at) == (["E-mail"], later)
    # A notification that reached no phone still went out to the push service.
    none_reached = export.reminder_sent(
        ReminderDelivery(local_date=TODAY(), due_at=due, pushed_at=due, pushed=0)
    )
    assert none_reached.channels == ["Notification (0 phones reached)"]
    stopped = export.reminder_sent(ReminderDelivery(local_date=TODAY(), due_at=due))
    assert (stopped.channels, stopped.sent_at) == ([], None)
    assert export.reminder_days_text([4, 0, 2]) == "Monday, Wednesday, Friday"
    assert export.reminder_days_text(range(7)) == "Every day"
