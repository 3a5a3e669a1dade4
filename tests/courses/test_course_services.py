"""The course's writes the physiotherapist makes (courses/services.py): the assign that starts a
course, the performance tests, the 6-week review and its program review, the discharge with its
maintenance program, and who may make them."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses import outcomes, rules, services
from courses.models import Course, Instrument, Result
from hipcare.models import ErasureRequest
from plans import progress
from plans import services as plan_services
from plans.models import Contact, Plan, Prescription
from plans.rules import FLAG_REVIEW_DUE
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


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


@pytest.fixture
def plan(patient):
    """A course's program 44 days in (its 6-week review due), two exercises at their doses."""
    plan = PlanFactory(patient=patient, start_date=days_ago(44), sessions_per_week=3)
    PrescriptionFactory(plan=plan, exercise=ExerciseFactory(name_en="Bridge"), sets=3, order=0)
    PrescriptionFactory(
        plan=plan,
        exercise=ExerciseFactory(name_en="Sit to stand"),
        sets=2,
        dose_min=8,
        dose_max=10,
        load="red band",
        order=1,
    )
    return plan


@pytest.fixture
def course(plan):
    return services.course_start(plan=plan, goals="  Walk to the shops.  ")


def performance(code):
    return Instrument.objects.get(code=code)


# --- Starting a course with the program ------------------------------------------------------------


def test_assign_starts_the_course_with_the_goals_once(physio, patient):
    exercise = ExerciseFactory()
    kwargs = {
        "physio": physio,
        "patient": patient,
        "condition": ConditionFactory(),
        "side": "left",
        "start_date": TODAY(),
        "weeks": 12,
        "sessions_per_week": 3,
        "items": [plan_services.ItemSpec(exercise=exercise, dose=exercise.dose)],
        "submission_key": "6d1f3a36-94a7-4c4c-8a53-3c1b3c1f0c11",
    }
    plan = services.course_assign(goals=" Dance at my daughter's wedding. ", **kwargs)
    course = Course.objects.get(plan=plan)
    assert course.goals == "Dance at my daughter's wedding."
    assert course.review_on == TODAY() + datetime.timedelta(days=42)
    # The same form posted twice: the same program, still one course.
    assert services.course_assign(goals="Other", **kwargs) == plan
    assert Course.objects.count() == 1


# --- The performance tests ---------------------------------------------------------------------------


def test_a_test_result_is_scored_and_replaced_by_a_correction(physio, course):
    walk = performance("walk-40m")
    services.result_record(
        course=course, instrument=walk, point=rules.BASELINE, answers={"1": "38,5"}, by=physio
    )
    result = services.result_record(
        course=course, instrument=walk, point=rules.BASELINE, answers={1: 36.2}, by=physio
    )
    assert Result.objects.get() == result
    assert result.scores == {"value": 36.2} and result.answers == {"1": 36.2}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e30", "Answer between 1 and 600."),  # was an InvalidOperation: a 500
        ("601", "Answer between 1 and 600."),  # was "between 1 and 6E+2"
        ("35.25", "Give at most 1 decimal."),
        ("fast", "“fast” is not a number."),
        ("", "Answer every question."),
    ],
)
def test_a_bad_test_value_is_refused_in_words(physio, course, value, message):
    with pytest.raises(ValidationError) as refused:
        services.result_record(
            course=course,
            instrument=performance("walk-40m"),
            point=rules.BASELINE,
            answers={"1": value},
            by=physio,
        )
    assert refused.value.message_dict == {"1": [message]}
    assert not Result.objects.exists()


def test_only_a_physio_of_the_clinic_records_the_tests(patient, course):
    stands = performance("chair-stand-30s")
    colleague = PhysioFactory(clinic=clinic_of(patient.physio))
    services.result_record(
        course=course, instrument=stands, point=rules.BASELINE, answers={"1": 11}, by=colleague
    )
    for outsider in (PhysioFactory(), patient):
        with pytest.raises(ValidationError):
            services.result_record(
                course=course,
                instrument=stands,
                point=rules.REVIEW,
                answers={"1": 12},
                by=outsider,
            )
    assert Result.objects.count() == 1


# --- The review ---------------------------------------------------------------------------------------


def test_the_review_records_the_decision_and_the_program_review(physio, plan, course):
    assert FLAG_REVIEW_DUE in progress.for_plan(plan, today=TODAY()).flags
    reviewed = services.course_review(
        course=course, by=physio, decision=Course.Decision.CONTINUE, note=" Going well. "
    )
    assert reviewed.reviewed_at is not None
    assert (reviewed.review_decision, reviewed.review_note) == ("continue", "Going well.")
    assert reviewed.discharge_asked_at is None
    contact = Contact.objects.get(plan=plan)
    assert (contact.reason, contact.note, contact.recorded_by) == (
        Contact.Reason.REVIEW,
        "Going well.",
        physio,
    )
    assert contact.covers_through == TODAY()
    # It is the program review the caseload asked for: the flag clears.
    plan = Plan.objects.with_marks().get(pk=plan.pk)
    assert FLAG_REVIEW_DUE not in progress.for_plan(plan, today=TODAY()).flags


def test_a_review_without_a_note_records_the_decision_in_words(physio, plan, course):
    services.course_review(course=course, by=physio, decision=Course.Decision.ADJUST)
    assert Contact.objects.get(plan=plan).note == "Adjust the doses"


def test_ending_at_the_review_asks_for_the_discharge_answers(physio, course):
    reviewed = services.course_review(course=course, by=physio, decision=Course.Decision.END)
    assert reviewed.review_decision == "end" and reviewed.discharge_asked_at is not None
    state = outcomes.state(Course.objects.select_related("plan__patient").get(pk=course.pk))
    assert state.tests_point(TODAY()) == rules.DISCHARGE


def test_an_unknown_decision_is_refused_at_its_field(physio, plan, course):
    with pytest.raises(ValidationError) as refused:
        services.course_review(course=course, by=physio, decision="maybe")
    assert "decision" in refused.value.message_dict
    assert not Contact.objects.filter(plan=plan).exists()
    course.refresh_from_db()
    assert course.reviewed_at is None


def test_a_colleague_may_review_another_clinics_physio_may_not(patient, plan, course):
    with pytest.raises(ValidationError, match="not a patient of your clinic"):
        services.course_review(course=course, by=PhysioFactory(), decision="continue")
    assert not Contact.objects.filter(plan=plan).exists()
    colleague = PhysioFactory(clinic=clinic_of(patient.physio))
    services.course_review(course=course, by=colleague, decision="continue")
    assert Contact.objects.get(plan=plan).recorded_by == colleague


# --- The discharge -------------------------------------------------------------------------------------


def test_discharge_starts_a_maintenance_program_with_the_same_doses(physio, patient, plan, course):
    before = {(rx.exercise_id, rx.dose, rx.load, rx.order) for rx in plan.prescriptions.current()}
    discharged = services.course_discharge(
        course=course, by=physio, note=" Keep the bridge. ", sessions_per_week=2, weeks=26
    )
    assert discharged.discharged_at is not None and discharged.discharge_note == "Keep the bridge."
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (Plan.Status.ENDED, TODAY())
    maintenance = discharged.maintenance_plan
    assert maintenance.status == Plan.Status.ACTIVE and maintenance.patient == patient
    assert (maintenance.sessions_per_week, maintenance.weeks) == (2, 26)
    assert (maintenance.start_date, maintenance.condition_id) == (TODAY(), plan.condition_id)
    after = {
        (rx.exercise_id, rx.dose, rx.load, rx.order) for rx in maintenance.prescriptions.current()
    }
    assert after == before
    assert services.course_of(maintenance) == discharged
    # The patient keeps ticking: today's session on the new program.
    session = plan_services.session_start(plan=maintenance, day=TODAY(), pain_before=2)
    rx = maintenance.prescriptions.current().order_by("order").first()
    entry = plan_services.entry_set(session=session, prescription_id=rx.pk, done=True)
    assert entry is not None and entry.prescription.plan == maintenance


@pytest.mark.parametrize("sessions", [3, 4])
def test_discharge_needs_fewer_sessions_a_week_than_the_course(physio, plan, course, sessions):
    with pytest.raises(ValidationError) as refused:
        services.course_discharge(course=course, by=physio, sessions_per_week=sessions)
    assert "sessions_per_week" in refused.value.message_dict
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    assert Plan.objects.count() == 1 and Prescription.objects.filter(plan=plan).count() == 2
    course.refresh_from_db()
    assert course.discharged_at is None and course.maintenance_plan is None


def test_discharge_twice_is_refused(physio, course):
    services.course_discharge(course=course, by=physio)
    with pytest.raises(ValidationError, match="already discharged"):
        services.course_discharge(course=course, by=physio)
    with pytest.raises(ValidationError, match="already discharged"):
        services.course_review(course=course, by=physio, decision="continue")
    assert Plan.objects.count() == 2


def test_a_colleague_may_discharge_another_clinics_physio_may_not(patient, plan, course):
    with pytest.raises(ValidationError, match="not a patient of your clinic"):
        services.course_discharge(course=course, by=PhysioFactory())
    assert Plan.objects.count() == 1
    colleague = PhysioFactory(clinic=clinic_of(patient.physio))
    discharged = services.course_discharge(course=course, by=colleague)
    assert discharged.maintenance_plan.physio == colleague


def test_asking_for_the_discharge_answers_opens_them_early(physio, patient, course):
    assert course.discharge_asked_at is None
    with pytest.raises(ValidationError):
        services.course_ask_discharge(course=course, by=PhysioFactory())
    asked = services.course_ask_discharge(course=course, by=physio)
    first = asked.discharge_asked_at
    assert first is not None
    assert services.course_ask_discharge(course=course, by=physio).discharge_asked_at == first


# --- Where the course stands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_in", "flags", "expected"),
    [
        (0, {}, rules.BASELINE),
        (34, {}, rules.BASELINE),
        (35, {}, rules.REVIEW),  # the review questionnaire opens 7 days before day 42
        (50, {}, rules.REVIEW),
        (50, {"reviewed": True}, rules.DISCHARGE),
        (10, {"discharge_asked": True}, rules.DISCHARGE),
        (77, {}, rules.DISCHARGE),  # the 12-week program's last week
        (10, {"discharged": True}, rules.DISCHARGE),
    ],
)
def test_which_point_the_tests_are_recorded_at(days_in, flags, expected):
    start = datetime.date(2025, 3, 3)
    end = start + datetime.timedelta(weeks=12, days=-1)
    today = start + datetime.timedelta(days=days_in)
    assert rules.tests_point(start=start, end=end, today=today, **flags) == expected


def test_the_stage_follows_the_course(physio, patient, plan, course):
    def stage():
        fetched = Course.objects.select_related("plan__patient").get(pk=course.pk)
        return outcomes.state(fetched).stage(TODAY())

    plan.start_date = TODAY()
    plan.save()
    Course.objects.filter(pk=course.pk).update(review_on=rules.review_on(TODAY()))
    assert stage() == outcomes.STAGE_BASELINE
    for code, value in (("chair-stand-30s", 10), ("walk-40m", 35)):
        services.result_record(
            course=course,
            instrument=performance(code),
            point=rules.BASELINE,
            answers={"1": value},
            by=physio,
        )
    services.result_record(
        course=course,
        instrument=Instrument.objects.get(code="hip-pain"),
        point=rules.BASELINE,
        answers={"1": 6},
        by=patient,
    )
    assert stage() == outcomes.STAGE_REVIEW
    Course.objects.filter(pk=course.pk).update(review_on=TODAY())
    assert stage() == outcomes.STAGE_REVIEW_DUE
    services.course_review(course=course, by=physio, decision="continue")
    assert stage() == outcomes.STAGE_REVIEWED
    services.course_discharge(course=course, by=physio)
    assert stage() == outcomes.STAGE_DISCHARGED


# --- The discharge e-mail ------------------------------------------------------------------------------


def test_the_summary_mail_links_the_summary_and_holds_no_health_data(physio, patient, course):
    services.course_discharge(course=course, by=physio, note="Keep the bridge.")
    answer = services.course_summary_deliver(
        course_id=course.pk, base_url="https://hipcare.example/", language="en"
    )
    assert answer == "sent"
    (message,) = mail.outbox
    assert message.subject == "Your course summary is ready" and message.to == [patient.email]
    assert f"https://hipcare.example/courses/{course.pk}/summary/" in message.body
    for private in ("Keep the bridge", "Walk to the shops", course.plan.condition.name, "pain"):
        assert private not in message.body


def test_no_summary_mail_to_a_closed_account_or_before_discharge(physio, patient, course):
    kwargs = {"course_id": course.pk, "base_url": "https://h.example/", "language": "en"}
    assert services.course_summary_deliver(**kwargs) == "gone"  # not discharged
    services.course_discharge(course=course, by=physio)
    ErasureRequest.objects.create(patient=patient, patient_number=patient.pk, clinic=patient.clinic)
    assert services.course_summary_deliver(**kwargs) == "closed"
    assert mail.outbox == []


def test_a_patient_without_e_mail_gets_none(physio):
    patient = PatientFactory(physio=physio, email="")
    plan = PlanFactory(patient=patient)
    PrescriptionFactory(plan=plan)
    course = services.course_start(plan=plan)
    services.course_discharge(course=course, by=physio)
    kwargs = {"course_id": course.pk, "base_url": "https://h.example/", "language": "en"}
    assert services.course_summary_deliver(**kwargs) == "no address"
    assert mail.outbox == []
