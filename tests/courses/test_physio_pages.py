"""The physiotherapist's course pages (courses/physio_views.py): the course page (its patient
reads it too), the tests at a point, the review, the discharge and the summary; and where the
course shows on the assign form, the caseload and the patient page."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from courses import outcomes, rules, services
from courses.models import Course, Instrument, Result
from hipcare.models import AccessEvent
from plans.models import Contact, Plan, Session, SessionEntry
from tests.courses.test_patient_pages import load_hoos12
from tests.factories import (
    ConditionFactory,
    ExerciseFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    PrescriptionFactory,
    clinic_of,
    make_template,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
# The status the measures' verdicts are worded in (templates/courses/_measures.html).
IMPROVED = "Important improvement (at least 2 points or 30 %)"


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def course(patient):
    """A 12-week course 44 days in (its review due), two exercises, the start measured."""
    plan = PlanFactory(patient=patient, start_date=days_ago(44), sessions_per_week=3)
    PrescriptionFactory(plan=plan, exercise=ExerciseFactory(name_en="Bridge"), sets=3, order=0)
    PrescriptionFactory(plan=plan, exercise=ExerciseFactory(name_en="Sit to stand"), order=1)
    course = services.course_start(plan=plan, goals="Walk to the shops and back.")
    record(course, rules.BASELINE, pain=6, stands=9, walk=38.5)
    return course


def instrument(code):
    return Instrument.objects.get(code=code)


def record(course, point, *, pain=None, stands=None, walk=None, week=0):
    patient, physio = course.plan.patient, course.plan.physio
    values = (("hip-pain", pain, patient), ("chair-stand-30s", stands, physio))
    for code, value, by in (*values, ("walk-40m", walk, physio)):
        if value is not None:
            services.result_record(
                course=course,
                instrument=instrument(code),
                point=point,
                week=week,
                answers={"1": value},
                by=by,
            )


def add_weeks(course, weeks):
    """`weeks` weeks of sessions (two a week, each with a tick) and weekly hip pain."""
    plan = course.plan
    rx = plan.prescriptions.order_by("order").first()
    for week in range(1, weeks + 1):
        for day in (0, 2):
            session = Session.objects.create(
                plan=plan,
                date=plan.start_date + datetime.timedelta(days=7 * (week - 1) + day),
                pain_before=3,
                pain_after=4,
            )
            SessionEntry.objects.create(session=session, prescription=rx)
        record(course, rules.WEEK, week=week, pain=max(6 - week, 0))


def url(name, course, *args):
    return reverse(f"courses:{name}", args=[course.pk, *args])


def colleague_of(course):
    return PhysioFactory(clinic=clinic_of(course.plan.physio))


# --- The course page -----------------------------------------------------------------------------


def test_the_course_page_shows_goals_status_outcomes_and_whats_owed(client, course):
    physio = course.plan.physio
    record(course, rules.REVIEW, pain=3, stands=11)
    add_weeks(course, 3)
    client.force_login(physio)
    response = client.get(url("course", course))
    assert response.status_code == 200
    page = text(response)
    assert "Walk to the shops and back." in page
    review_on = course.review_on.strftime("%-d")
    assert "Review due on" in page and review_on in page and "due now" in page
    # Hip pain 6 → 3 is an important improvement; the tests have no published one.
    assert IMPROVED in page
    assert "No minimal important change on record" in page
    assert "of 10 · lower is better" in page and "stands · higher is better" in page
    # The weekly pain over the weeks, and what the patient still owes: this week's pain.
    weeks = response.context["weeks"]
    assert [w.weekly_pain for w in weeks[:3]] == [5, 4, 3]
    assert response.context["owed"].week == 7
    assert "This week's hip pain (week 7)" in page
    # The physio's next steps: the review's tests (its questionnaire is open), the review.
    assert url("tests-record", course, "review") in page
    assert url("review", course) in page
    assert url("ask-discharge", course) in page and url("discharge", course) in page


def test_the_patient_reads_their_course_without_the_physios_actions(client, course):
    client.force_login(course.plan.patient)
    response = client.get(url("course", course))
    assert response.status_code == 200
    page = text(response)
    assert "Walk to the shops and back." in page and "Outcomes" in page
    for name in ("review", "discharge", "ask-discharge"):
        assert url(name, course) not in page
    assert "/tests/" not in page


def test_baseline_status_until_the_start_is_measured(client, patient):
    plan = PlanFactory(patient=patient, start_date=TODAY())
    PrescriptionFactory(plan=plan)
    course = services.course_start(plan=plan)
    client.force_login(patient.physio)
    response = client.get(url("course", course))
    assert response.context["stage"] == "baseline"
    assert "Baseline" in text(response)
    assert response.context["tests_point"] == rules.BASELINE
    # The patient owes the start's questionnaire.
    owed = response.context["owed"]
    assert owed.point == rules.BASELINE
    assert [i.code for i in owed.questionnaires] == ["hip-pain"]
    # The patient reads the same, with the way to answer.
    client.force_login(patient)
    page = client.get(url("course", course)).content.decode()
    assert url("questionnaire", course, "baseline") in page


def test_asking_for_the_discharge_answers(client, course):
    client.force_login(colleague_of(course))
    response = client.post(url("ask-discharge", course))
    assert response.url == url("course", course)
    course.refresh_from_db()
    assert course.discharge_asked_at is not None
    event = AccessEvent.objects.get()
    assert (event.what, event.action) == ("course", "change")
    assert "asked for the discharge answers on" in text(client.get(url("course", course)))


# --- Recording the tests -----------------------------------------------------------------------


def test_the_tests_form_labels_each_field_and_prefills_what_was_recorded(client, course):
    client.force_login(course.plan.physio)
    response = client.get(url("tests-record", course, "baseline"))
    assert response.status_code == 200
    page = text(response)
    assert "Full stands from a chair in 30 seconds, arms crossed (stands)" in page
    assert "Seconds to walk 4 × 10 m as fast as is safe (seconds)" in page
    assert 'value="9"' in page and 'value="38.5"' in page
    assert "<legend" in page and 'inputmode="decimal"' in page


def test_recording_both_tests(client, course):
    client.force_login(course.plan.physio)
    response = client.post(
        url("tests-record", course, "review"), {"chair-stand-30s-1": "12", "walk-40m-1": "33,5"}
    )
    assert response.url == url("course", course)
    scores = {
        r.instrument.code: r.scores["value"]
        for r in Result.objects.filter(course=course, point="review")
    }
    assert scores == {"chair-stand-30s": 12, "walk-40m": 33.5}
    event = AccessEvent.objects.get()
    assert (event.what, event.action) == ("course", "change")


def test_a_bad_second_value_writes_neither_test(client, course):
    client.force_login(course.plan.physio)
    response = client.post(
        url("tests-record", course, "review"), {"chair-stand-30s-1": "12", "walk-40m-1": "9999"}
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["walk-40m-1"] == ["Answer between 1 and 600."]
    assert "chair-stand-30s-1" not in form.errors
    assert not Result.objects.filter(course=course, point="review").exists()
    assert 'id="id_walk-40m-1_error"' in response.content.decode()
    # The page came back with what was typed; the log has its one look.
    assert 'value="9999"' in response.content.decode()
    assert AccessEvent.objects.get().action == "view"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, None, "Enter at least one test result."),
        ({"chair-stand-30s-1": "twelve"}, "chair-stand-30s-1", "“twelve” is not a number."),
        ({"chair-stand-30s-1": "12.5"}, "chair-stand-30s-1", "Give whole numbers."),
    ],
)
def test_a_refused_test_is_shown_at_its_field(client, course, data, field, message):
    client.force_login(course.plan.physio)
    response = client.post(url("tests-record", course, "review"), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["__all__" if field is None else field] == [message]
    assert not Result.objects.filter(course=course, point="review").exists()


def test_an_unknown_point_is_404(client, course):
    client.force_login(course.plan.physio)
    assert client.get(url("tests-record", course, "week")).status_code == 404
    assert client.get(url("tests-record", course, "later")).status_code == 404


# --- The review -----------------------------------------------------------------------------------


def test_the_review_page_sets_weeks_beside_the_outcomes(client, course):
    add_weeks(course, 2)
    client.force_login(course.plan.physio)
    response = client.get(url("review", course))
    assert response.status_code == 200
    page = text(response)
    assert "2 of 3 prescribed sessions" in page  # week 1's adherence in words
    assert "67 %" in page
    assert "3.0" in page and "4.0" in page  # the sessions' mean pain before and after
    assert "The patient's review questionnaire: not answered yet." in page
    assert "The tests at review: not recorded yet." in page
    assert url("tests-record", course, "review") in page
    # Each decision explained, in a fieldset with its legend.
    assert "<legend" in page and "What happens next" in page
    for label in ("Continue as planned", "Adjust the doses", "End the course: discharge"):
        assert label in page
    assert page.count('aria-describedby="id_decision_') == 3


def test_a_review_without_a_decision_is_422_at_the_field(client, course):
    client.force_login(course.plan.physio)
    response = client.post(url("review", course), {"note": "Hm."})
    assert response.status_code == 422
    assert response.context["form"].errors["decision"] == ["Choose what happens next."]
    assert 'id="decision-error"' in response.content.decode()
    course.refresh_from_db()
    assert course.reviewed_at is None and not Contact.objects.exists()


@pytest.mark.parametrize(
    ("decision", "goes_to"),
    [
        ("continue", lambda c: url("course", c)),
        ("adjust", lambda c: reverse("plans:patient-detail", args=[c.plan.patient_id])),
        ("end", lambda c: url("discharge", c)),
    ],
)
def test_each_decision_goes_on_where_it_is_carried_out(client, course, decision, goes_to):
    client.force_login(course.plan.physio)
    response = client.post(url("review", course), {"decision": decision, "note": "Agreed."})
    assert response.status_code == 302 and response.url == goes_to(course)
    course.refresh_from_db()
    assert course.review_decision == decision and course.review_note == "Agreed."
    assert Contact.objects.get().reason == Contact.Reason.REVIEW
    event = AccessEvent.objects.get()
    assert (event.what, event.action) == ("course", "change")
    assert (course.discharge_asked_at is not None) == (decision == "end")


# --- The discharge --------------------------------------------------------------------------------


def discharge_data(**overrides):
    return {"note": "Keep the bridge twice a week.", "sessions_per_week": 2, "weeks": 26,
            "confirm": "on", **overrides}  # fmt: skip


def test_the_discharge_page_defaults_to_the_maintenance_rule(client, course):
    record(course, rules.DISCHARGE, pain=2, stands=13, walk=31.0)
    client.force_login(course.plan.physio)
    response = client.get(url("discharge", course))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["sessions_per_week"].value() == rules.MAINTENANCE_SESSIONS_PER_WEEK
    assert form["weeks"].value() == rules.MAINTENANCE_WEEKS
    page = text(response)
    assert "I have reviewed the outcomes with the patient" in page
    assert "The tests at discharge: recorded." in page
    assert IMPROVED in page  # 6 → 2


def test_discharge_needs_the_confirmation(client, course):
    client.force_login(course.plan.physio)
    response = client.post(url("discharge", course), discharge_data(confirm=""))
    assert response.status_code == 422
    assert "discharging ends the program" in response.context["form"].errors["confirm"][0]
    course.refresh_from_db()
    assert course.discharged_at is None and Plan.objects.count() == 1


def test_discharge_needs_fewer_sessions_a_week(client, course):
    client.force_login(course.plan.physio)
    response = client.post(url("discharge", course), discharge_data(sessions_per_week=3))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["sessions_per_week"] == [
        "A maintenance program has fewer sessions a week than the course (3 a week)."
    ]
    course.refresh_from_db()
    assert course.discharged_at is None and Plan.objects.count() == 1
    assert AccessEvent.objects.get().action == "view"


def test_discharge_starts_maintenance_and_mails_the_patient(
    client, course, django_capture_on_commit_callbacks
):
    patient = course.plan.patient
    client.force_login(course.plan.physio)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("discharge", course), discharge_data())
    assert response.url == url("summary", course)
    assert len(callbacks) == 1
    course.refresh_from_db()
    assert course.discharged and course.discharge_note == "Keep the bridge twice a week."
    assert course.maintenance_plan.sessions_per_week == 2
    assert Plan.objects.get(pk=course.plan_id).status == Plan.Status.ENDED
    event = AccessEvent.objects.get()
    assert (event.what, event.action) == ("course", "change")
    assert mail.outbox == []  # queued: the worker sends it
    assert run_queued_tasks() == 1
    (message,) = mail.outbox
    assert message.subject == "Your course summary is ready" and message.to == [patient.email]
    link = re.search(r"http://testserver/\S+", message.body).group(0)
    assert link == f"http://testserver{url('summary', course)}"
    assert "bridge" not in message.body.lower() and "pain" not in message.body.lower()
    # The link opens the summary for the patient.
    client.force_login(patient)
    assert client.get(link).status_code == 200
    # A discharged course's discharge page sends the physio to its summary.
    client.force_login(course.plan.physio)
    assert client.get(url("discharge", course)).url == url("summary", course)


# --- The summary ----------------------------------------------------------------------------------


def discharged(course):
    record(course, rules.REVIEW, pain=4, stands=11, walk=35.0)
    services.course_review(course=course, by=course.plan.physio, decision="continue")
    record(course, rules.DISCHARGE, pain=2, stands=13, walk=31.0)
    return services.course_discharge(course=course, by=course.plan.physio, note="Keep going.")


@pytest.mark.parametrize("as_patient", [False, True])
def test_the_summary_sums_the_course_up(client, course, as_patient):
    add_weeks(course, 3)
    course = discharged(course)
    client.force_login(course.plan.patient if as_patient else course.plan.physio)
    response = client.get(url("summary", course))
    assert response.status_code == 200
    page = text(response)
    assert "Walk to the shops and back." in page and "Keep going." in page
    assert "Bridge" in page and "3 × 10–15" in page  # the final doses
    assert "7 weeks" in page and "6 sessions (" not in page
    assert "6 of" in page  # sessions done of prescribed
    assert IMPROVED in page
    assert "2 sessions a week for 26 weeks" in page
    assert "data-print" in page
    export = reverse("plans:patient-export-fhir", args=[course.plan.patient_id])
    assert (export in page) is not as_patient
    assert "Export for another clinician (FHIR)" in page or as_patient


# --- Who may: the patient, another clinic -----------------------------------------------------------


PHYSIO_POSTS = [
    ("review", (), {"decision": "continue"}),
    ("discharge", (), discharge_data()),
    ("tests-record", ("review",), {"chair-stand-30s-1": "12"}),
    ("ask-discharge", (), {}),
]


@pytest.mark.parametrize(("name", "args", "data"), PHYSIO_POSTS)
def test_the_patient_cannot_act_for_the_physio(client, course, name, args, data):
    client.force_login(course.plan.patient)
    assert client.post(url(name, course, *args), data).status_code == 403
    course.refresh_from_db()
    assert course.reviewed_at is None and course.discharged_at is None
    assert course.discharge_asked_at is None
    assert not Result.objects.filter(point="review").exists()
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(("name", "args", "data"), PHYSIO_POSTS)
def test_another_clinics_physio_gets_404(client, course, name, args, data):
    client.force_login(PhysioFactory())
    assert client.post(url(name, course, *args), data).status_code == 404
    for page in ("course", "summary", "review", "discharge"):
        assert client.get(url(page, course)).status_code == 404
    course.refresh_from_db()
    assert course.reviewed_at is None and course.discharged_at is None
    assert not AccessEvent.objects.exists()


def test_another_patient_gets_404(client, course):
    client.force_login(PatientFactory())
    for page in ("course", "summary"):
        assert client.get(url(page, course)).status_code == 404


@pytest.mark.parametrize(
    ("name", "args"),
    [("course", ()), ("summary", ()), ("review", ()), ("discharge", ()),
     ("tests-record", ("baseline",))],
)  # fmt: skip
def test_each_page_writes_the_access_log_once(client, course, name, args):
    colleague = colleague_of(course)
    client.force_login(colleague)
    assert client.get(url(name, course, *args)).status_code == 200
    event = AccessEvent.objects.get()
    assert (event.actor, event.patient_id, event.what, event.action) == (
        colleague,
        course.plan.patient_id,
        "course",
        "view",
    )
    assert event.relation == "colleague"


# --- A fixed number of queries ------------------------------------------------------------------------

# session, user, the second factor's device (a physio), the course with its program, patient,
# condition, physio and maintenance program, outcomes.state (the clinic's licences, instruments,
# items, measures, results), the access log's INSERT
BASE = 10


@pytest.mark.parametrize("size", [1, 6])
@pytest.mark.parametrize(
    ("name", "as_patient", "queries"),
    [
        # + progress.history's 2 (the weeks' sessions, the ticks per exercise)
        ("course", False, BASE + 2),
        ("course", True, BASE - 1 + 2),
        # + progress.history's 2
        ("review", False, BASE + 2),
        # + the current doses, progress.summary's done counts
        ("summary", False, BASE + 2),
        ("summary", True, BASE - 1 + 2),
    ],
)
def test_course_pages_queries_are_fixed(
    client, course, django_assert_num_queries, size, name, as_patient, queries
):
    add_weeks(course, size)
    for point in (rules.REVIEW, rules.DISCHARGE)[: 1 if size == 1 else 2]:
        record(course, point, pain=3, stands=12, walk=33.0)
    page = url(name, course)
    client.force_login(course.plan.patient if as_patient else course.plan.physio)
    with django_assert_num_queries(queries):
        response = client.get(page)
    assert response.status_code == 200


# --- The assign form, the caseload, the patient page --------------------------------------------------


def test_assigning_a_program_starts_its_course_with_the_goals(client, physio, patient):
    condition = ConditionFactory(code="fai")
    template = make_template(condition, [ExerciseFactory(suits=[condition])])
    client.force_login(physio)
    page = text(client.get(reverse("plans:plan-assign", args=[patient.pk])))
    assert "Goals" in page and "What the patient wants to be able to do again" in page
    item = template.items.get()
    data = {
        "condition_code": condition.code,
        "condition": condition.pk,
        "side": "right",
        "start_date": TODAY().isoformat(),
        "weeks": 12,
        "sessions_per_week": 3,
        "submission_key": "0b8e3b3a-51a3-4d8e-9f37-5d1e7c7d2a10",
        "goals": "Play golf again.",
        "rx-TOTAL_FORMS": 1,
        "rx-INITIAL_FORMS": 0,
        "rx-MIN_NUM_FORMS": 0,
        "rx-MAX_NUM_FORMS": 40,
        "rx-0-keep": "on",
        "rx-0-side": "right",
        "rx-0-exercise": item.exercise_id,
        "rx-0-sets": item.sets,
        "rx-0-dose_min": item.dose_min,
        "rx-0-dose_max": item.dose_max,
    }
    response = client.post(reverse("plans:plan-assign", args=[patient.pk]), data)
    assert response.status_code == 302
    course = Course.objects.get(plan__patient=patient)
    assert course.goals == "Play golf again."
    assert course.review_on == TODAY() + datetime.timedelta(days=42)


def test_the_caseloads_review_flag_opens_the_review(client, course):
    other = PlanFactory(patient=PatientFactory(physio=course.plan.physio), start_date=days_ago(44))
    client.force_login(course.plan.physio)
    page = client.get(reverse("plans:caseload")).content.decode()
    assert page.count("Review due") == 2
    assert url("review", course) in page
    # A program without a course keeps its link to the patient page.
    assert f"{reverse('plans:patient-detail', args=[other.patient_id])}#history-heading" in page


def test_the_patient_page_has_a_course_box(client, course):
    client.force_login(course.plan.physio)
    response = client.get(reverse("plans:patient-detail", args=[course.plan.patient_id]))
    page = text(response)
    assert 'id="course-box"' in page and "Review due on" in page
    assert url("course", course) in page and url("review", course) in page
    assert url("discharge", course) not in page  # not before the review
    course = discharged(course)
    page = text(client.get(reverse("plans:patient-detail", args=[course.plan.patient_id])))
    assert "this is the maintenance program that keeps it up" in page
    assert url("summary", course) in page


@pytest.mark.parametrize("size", [1, 6])
def test_the_patient_pages_queries_stay_fixed_with_a_course(
    client, course, django_assert_num_queries, size
):
    add_weeks(course, size)
    client.force_login(course.plan.physio)
    # as in tests/plans/test_sessions.test_physio_patient_page_queries_are_fixed (14), and
    # outcomes.standing's 1 for the course box: the instruments in use with the points measured
    # (the course itself is joined to the programs)
    with django_assert_num_queries(14 + 1):
        client.get(reverse("plans:patient-detail", args=[course.plan.patient_id]))


@pytest.mark.parametrize(
    ("change", "at_start"),
    [
        ("none", outcomes.STAGE_REVIEW),
        ("walk test missing", outcomes.STAGE_BASELINE),
        ("hip pain missing", outcomes.STAGE_BASELINE),
        ("review recorded", outcomes.STAGE_REVIEW),
        ("HOOS-12 loaded", outcomes.STAGE_REVIEW),  # asked from the next point on
    ],
)
def test_the_course_box_places_the_course_as_the_full_state_does(
    course, django_assert_num_queries, change, at_start
):
    """outcomes.standing (the patient page's 1 query) reads the stage, the tests due, the
    review and the questionnaire due as outcomes.state does, on any day of the course."""
    clinic = course.plan.patient.clinic
    if change == "walk test missing":
        Result.objects.filter(course=course, instrument__code="walk-40m").delete()
    elif change == "hip pain missing":
        Result.objects.filter(course=course, instrument__code="hip-pain").delete()
    elif change == "review recorded":
        record(course, rules.REVIEW, pain=3, stands=12, walk=33.0)
    elif change == "HOOS-12 loaded":
        load_hoos12(clinic)
    with django_assert_num_queries(1):
        light = outcomes.standing(course, clinic_id=clinic.pk)
    full = outcomes.state(course)
    assert [i.code for i in light.instruments] == [i.code for i in full.instruments]
    assert light.stage(course.plan.start_date) == at_start
    for day in (course.plan.start_date, days_ago(10), TODAY(), course.plan.end_date):
        assert light.stage(day) == full.stage(day)
        assert light.tests_point(day) == full.tests_point(day)
        assert light.review_open(day) == full.review_open(day)
        assert light.due_point(day) == full.due_point(day)


@pytest.mark.parametrize("size", [1, 6])
def test_the_tests_page_queries_are_fixed(client, course, django_assert_num_queries, size):
    add_weeks(course, size)
    record(course, rules.REVIEW, pain=3, stands=12, walk=33.0)
    client.force_login(course.plan.physio)
    client.get(url("tests-record", course, rules.REVIEW))  # warm the per-process caches
    # session, user, device, the course with its program, the tests in use (licences,
    # instruments, items, measures), the results at the point, the access log's INSERT
    with django_assert_num_queries(10):
        response = client.get(url("tests-record", course, rules.REVIEW))
    assert response.status_code == 200
