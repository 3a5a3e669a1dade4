"""Review of issue #16 (a course of care), as an attacker and a maintainer: each defect found has
a test here that failed before its fix, and the odd input every new form takes stays a 422."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import outcomes, rules, services
from courses.models import Course, Instrument, Result
from hipcare.models import AccessEvent
from plans.models import Plan
from tests.courses.test_patient_pages import load_hoos12
from tests.factories import (
    ClinicAdminFactory,
    ConditionNoteFactory,
    ExerciseFactory,
    PlanFactory,
    PrescriptionFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
DISCHARGE_DATA = {"note": "Keep going.", "sessions_per_week": "2", "weeks": "26", "confirm": "on"}


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


def instrument(code):
    return Instrument.objects.get(code=code)


def make_course(patient, *, days_in=14, sessions_per_week=3, exercises=None):
    """A 12-week course `days_in` days after its start (14: program week 3)."""
    plan = PlanFactory(
        patient=patient, start_date=days_ago(days_in), sessions_per_week=sessions_per_week
    )
    for order, exercise in enumerate(exercises or [ExerciseFactory()]):
        PrescriptionFactory(plan=plan, exercise=exercise, order=order)
    return services.course_start(plan=plan, goals="Dance at my granddaughter's wedding.")


def record(course, point, value, code="hip-pain"):
    """One value at a point: the patient's answer, or the physio's test."""
    questionnaire = instrument(code).kind == Instrument.Kind.QUESTIONNAIRE
    return services.result_record(
        course=course,
        instrument=instrument(code),
        point=point,
        answers={"1": value},
        by=course.plan.patient if questionnaire else course.plan.physio,
    )


def hoos12_answers(course, point, value=2):
    return services.result_record(
        course=course,
        instrument=instrument("hoos12"),
        point=point,
        answers={str(n): value for n in range(1, 13)},
        by=course.plan.patient,
    )


def questionnaire_url(course, point):
    return reverse("courses:questionnaire", args=[course.pk, point])


# --- 1. The physio's tests opened a questionnaire not due ------------------------------------------
# CourseState.may_answer let the patient open a point "answered already" when any result was
# there, the physio's performance tests included: once the physio recorded the discharge tests
# (the course page links every point's tests), the patient could answer the discharge
# questionnaire in week 3.


def test_the_physios_tests_do_not_open_a_questionnaire_not_due(client, patient):
    course = make_course(patient)
    record(course, rules.BASELINE, 6)
    record(course, rules.DISCHARGE, 12, code="chair-stand-30s")
    assert outcomes.state(course).due_point(TODAY()) is None
    client.force_login(patient)
    url = questionnaire_url(course, rules.DISCHARGE)
    assert client.get(url).status_code == 302  # back to today: "not asked yet"
    response = client.post(url, {"hip-pain-1": "2"})
    assert response.status_code == 302
    assert not Result.objects.filter(
        course=course, point=rules.DISCHARGE, instrument__code="hip-pain"
    ).exists()
    # The patient's own answers still open their point again, to correct them.
    assert client.get(questionnaire_url(course, rules.BASELINE)).status_code == 200


# --- 2. A questionnaire loaded mid-course asked for a second "baseline" ------------------------------
# A point counted as answered only when every questionnaire in use had an answer there: a clinic
# loading HOOS-12 made every running course owe its baseline again ("Before your first session",
# in week 6) and kept the review questionnaire from being asked at all.


def test_a_questionnaire_loaded_mid_course_is_asked_from_the_next_point(client, patient):
    course = make_course(patient, days_in=37)  # the review questionnaire is open
    record(course, rules.BASELINE, 6)
    load_hoos12(patient.clinic)
    state = outcomes.state(course)
    assert state.due_point(TODAY()) == rules.REVIEW
    assert [i.code for i in state.owed(TODAY()).questionnaires] == ["hip-pain", "hoos12"]
    client.force_login(patient)
    page = client.get(reverse("plans:today")).content.decode()
    assert "Before your first session" not in page
    assert questionnaire_url(course, rules.REVIEW) in page


def test_a_questionnaire_loaded_after_the_review_answers_does_not_ask_them_again(patient):
    course = make_course(patient, days_in=37)
    record(course, rules.BASELINE, 6)
    record(course, rules.REVIEW, 4)
    load_hoos12(patient.clinic)
    assert outcomes.state(course).due_point(TODAY()) is None


# --- 3. A measure the clinic stopped vanished from its courses ------------------------------------
# outcomes.state built the outcome rows from the measures in use now: once a clinic stopped
# HOOS-12, the HOOS-12 scores its patients gave disappeared from the course page, the review and
# the printed summary, though the stop page promises they "stay with their courses".


def test_the_scores_of_a_measure_the_clinic_stopped_stay_on_the_course(client, patient):
    loaded = load_hoos12(patient.clinic)
    course = make_course(patient, days_in=37)
    record(course, rules.BASELINE, 6)
    hoos12_answers(course, rules.BASELINE, 3)
    services.clinic_instrument_stop(
        clinic=patient.clinic, instrument=instrument("hoos12"), by=loaded.loaded_by
    )
    state = outcomes.state(course)
    assert "HOOS-12 pain" in [row.measure.name for row in state.rows]
    # ... but the patient is no longer asked it.
    assert [i.code for i in state.questionnaires] == ["hip-pain"]
    assert [i.code for i in state.owed(TODAY()).questionnaires] == ["hip-pain"]
    client.force_login(course.plan.physio)
    for name in ("course", "summary", "review"):
        page = client.get(reverse(f"courses:{name}", args=[course.pk])).content.decode()
        assert "HOOS-12 pain" in page, name
    client.force_login(patient)
    page = client.get(questionnaire_url(course, rules.REVIEW)).content.decode()
    assert page.count("<fieldset") == 1  # hip pain only


# --- 4. A course at one session a week could never be discharged ---------------------------------
# The maintenance program must have fewer sessions a week than the course: below 1 a week there
# is nothing, so the discharge of a 1-a-week course was refused whatever the physio typed.


def test_a_course_at_one_session_a_week_can_be_discharged(client, patient):
    course = make_course(patient, days_in=80, sessions_per_week=1)
    client.force_login(course.plan.physio)
    page = client.get(reverse("courses:discharge", args=[course.pk]))
    assert page.context["form"]["sessions_per_week"].initial == 1
    url = reverse("courses:discharge", args=[course.pk])
    refused = client.post(url, {**DISCHARGE_DATA, "sessions_per_week": "2"})
    assert refused.status_code == 422
    response = client.post(url, {**DISCHARGE_DATA, "sessions_per_week": "1"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.discharged and course.maintenance_plan.sessions_per_week == 1


def test_a_maintenance_program_still_has_fewer_sessions_than_the_course():
    assert rules.maintenance_sessions_allowed(2, course_sessions_per_week=3)
    assert not rules.maintenance_sessions_allowed(3, course_sessions_per_week=3)
    assert rules.maintenance_sessions_allowed(1, course_sessions_per_week=2)
    assert rules.maintenance_sessions_allowed(1, course_sessions_per_week=1)
    assert not rules.maintenance_sessions_allowed(2, course_sessions_per_week=1)


# --- 5. An exercise retired from the catalogue blocked the discharge ---------------------------
# The maintenance program is assigned with the course's exercises, and plans.services.plan_assign
# refuses one no longer in the catalogue: the discharge was refused with no way out (the physio
# cannot change the maintenance program's exercises there).


def test_an_exercise_retired_from_the_catalogue_does_not_block_the_discharge(client, patient):
    kept, retired = ExerciseFactory(name_en="Bridge"), ExerciseFactory(name_en="Old lunge")
    course = make_course(patient, days_in=80, exercises=[kept, retired])
    retired.is_active = False
    retired.save()
    client.force_login(course.plan.physio)
    response = client.post(reverse("courses:discharge", args=[course.pk]), DISCHARGE_DATA)
    assert response.status_code == 302
    course.refresh_from_db()
    maintenance = course.maintenance_plan.prescriptions.current()
    assert [rx.exercise.name for rx in maintenance] == ["Bridge"]


def test_with_every_exercise_retired_the_discharge_is_refused_whole(client, patient):
    retired = ExerciseFactory()
    course = make_course(patient, days_in=80, exercises=[retired])
    retired.is_active = False
    retired.save()
    client.force_login(course.plan.physio)
    response = client.post(reverse("courses:discharge", args=[course.pk]), DISCHARGE_DATA)
    assert response.status_code == 422
    assert "assign a new program" in response.content.decode()
    course.refresh_from_db()
    assert not course.discharged
    assert Plan.objects.get(pk=course.plan_id).status == Plan.Status.ACTIVE
    assert Plan.objects.filter(patient=patient).count() == 1


# --- 6. A caution added to the catalogue mid-course blocked the discharge ----------------------
# plan_assign wants the physio's confirmation of an exercise with a caution for the condition;
# one added to the catalogue after the exercise was prescribed had none, and the discharge page
# had nowhere to give it: "needs your confirmation", with no way to confirm.


def test_a_caution_added_mid_course_is_confirmed_on_the_discharge_form(client, patient):
    exercise = ExerciseFactory(name_en="Deep squat")
    course = make_course(patient, days_in=80, exercises=[exercise])
    ConditionNoteFactory(exercise=exercise, condition=course.plan.condition)
    client.force_login(course.plan.physio)
    url = reverse("courses:discharge", args=[course.pk])
    page = client.get(url).content.decode()
    assert "Deep squat" in page and "Deep flexion provokes impingement." in page
    refused = client.post(url, DISCHARGE_DATA)
    assert refused.status_code == 422
    assert refused.context["form"].has_error(f"caution_{exercise.pk}")
    course.refresh_from_db()
    assert not course.discharged
    response = client.post(url, {**DISCHARGE_DATA, f"caution_{exercise.pk}": "on"})
    assert response.status_code == 302
    course.refresh_from_db()
    rx = course.maintenance_plan.prescriptions.current().get()
    assert rx.exercise == exercise and rx.caution_confirmed


def test_a_caution_confirmed_at_the_prescription_is_not_asked_again(client, patient):
    exercise = ExerciseFactory()
    course = make_course(patient, days_in=80, exercises=[exercise])
    ConditionNoteFactory(exercise=exercise, condition=course.plan.condition)
    course.plan.prescriptions.update(caution_confirmed=True)
    client.force_login(course.plan.physio)
    response = client.post(reverse("courses:discharge", args=[course.pk]), DISCHARGE_DATA)
    assert response.status_code == 302


# --- 7. A double-clicked discharge showed an error -----------------------------------------------
# The second POST of a discharge that went through answered 422 "already discharged" with the
# form again (the browser shows the second answer): it now goes to the summary, as a GET does.


def test_a_discharge_posted_twice_makes_one_maintenance_program(client, patient):
    course = make_course(patient, days_in=80)
    client.force_login(course.plan.physio)
    url = reverse("courses:discharge", args=[course.pk])
    assert client.post(url, DISCHARGE_DATA).status_code == 302
    second = client.post(url, DISCHARGE_DATA)
    assert second.status_code == 302
    assert second["Location"] == reverse("courses:summary", args=[course.pk])
    assert Plan.objects.filter(patient=patient).count() == 2  # the course's and one maintenance
    changes = AccessEvent.objects.filter(what=AccessEvent.What.COURSE, action="change")
    assert changes.count() == 1


# --- 8. The discharge answers could be asked on a program that had ended ------------------------
# course_ask_discharge, unlike the review and the discharge, did not check the program: on the
# course of a program a new one had replaced, it wrote the date and a change to the access log.


def test_the_discharge_answers_are_not_asked_on_a_program_that_ended(client, patient):
    course = make_course(patient, days_in=30)
    Plan.objects.filter(pk=course.plan_id).update(status=Plan.Status.ENDED, ended_on=TODAY())
    client.force_login(course.plan.physio)
    response = client.post(reverse("courses:ask-discharge", args=[course.pk]), follow=True)
    assert "This program has ended." in response.content.decode()
    course.refresh_from_db()
    assert course.discharge_asked_at is None
    assert not AccessEvent.objects.filter(what=AccessEvent.What.COURSE, action="change").exists()


# --- Defects outside courses/ (described in the review; fixed by their owners) -----------------


def test_my_data_shows_the_course_of_care(client, patient):
    course = make_course(patient)
    record(course, rules.BASELINE, 6)
    client.force_login(patient)
    page = client.get(reverse("plans:my-data")).content.decode()
    assert "Dance at my granddaughter" in page
    assert "Average hip pain, last week" in page


# --- Checked and sound: odd input is a 422 at the field, never a 500 or a write ------------------

ODD = ["", "NaN", "1e5", "1,5e3", "-3", "4.5", "x" * 30, "\u202e12", "9" * 40, "inf", "١٠٠٠"]


@pytest.mark.parametrize("value", ODD)
def test_odd_test_values_are_refused_at_their_field(client, patient, value):
    course = make_course(patient)
    client.force_login(course.plan.physio)
    response = client.post(
        reverse("courses:tests-record", args=[course.pk, rules.BASELINE]),
        {"chair-stand-30s-1": value, "walk-40m-1": "999"},
    )
    assert response.status_code == 422
    assert not Result.objects.exists()  # both tests or neither


@pytest.mark.parametrize("value", ODD)
def test_odd_answers_and_doses_are_refused(client, patient, value):
    course = make_course(patient, days_in=80)
    client.force_login(patient)
    for url, data in (
        (questionnaire_url(course, rules.BASELINE), {"hip-pain-1": value}),
        (reverse("courses:weekly-pain", args=[course.pk]), {"week-pain": value}),
    ):
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 422
    client.force_login(course.plan.physio)
    for data in (
        {**DISCHARGE_DATA, "sessions_per_week": value},
        {**DISCHARGE_DATA, "weeks": value},
    ):
        response = client.post(reverse("courses:discharge", args=[course.pk]), data)
        assert response.status_code == 422
    response = client.post(reverse("courses:review", args=[course.pk]), {"decision": value})
    assert response.status_code == 422
    assert not Result.objects.exists()
    assert not Course.objects.filter(discharged_at__isnull=False).exists()


def test_a_clinic_admin_of_another_clinic_cannot_load_or_stop(client, patient):
    load_hoos12(patient.clinic)
    stranger = ClinicAdminFactory()
    client.force_login(stranger)
    for name in ("clinic-instrument-load", "clinic-instrument-stop"):
        url = reverse(f"courses:{name}", args=[patient.clinic.pk, "hoos12"])
        assert client.post(url, {"licence_reference": "Mine"}).status_code == 404
    assert instrument("hoos12").pk in {i.pk for i in services.instruments_for(patient.clinic.pk)}


@pytest.mark.parametrize("size", [1, 5])
def test_the_discharge_page_queries_are_fixed_with_cautions(
    client, patient, django_assert_num_queries, size
):
    exercises = [ExerciseFactory() for _ in range(size)]
    course = make_course(patient, days_in=80, exercises=exercises)
    for exercise in exercises:
        ConditionNoteFactory(exercise=exercise, condition=course.plan.condition)
    for point in (rules.BASELINE, rules.DISCHARGE):
        record(course, point, 5)
    client.force_login(course.plan.physio)
    client.get(reverse("courses:course", args=[course.pk]))  # the second factor's first look
    # session, user, device, the course (joined), outcomes.discharge_cautions' 2, outcomes.state's
    # 5, the access log's INSERT
    with django_assert_num_queries(12):
        response = client.get(reverse("courses:discharge", args=[course.pk]))
    assert len(response.context["form"].caution_fields()) == size
