"""The patient's side of a course: the questionnaire of a point, the week's hip pain and the
education texts on today's checklist, and result_record's checks."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses import outcomes, rules, services
from courses.models import EducationRead, EducationText, Instrument, Result
from hipcare.models import AccessEvent
from plans.models import Plan
from tests.factories import (
    ClinicAdminFactory,
    ConditionFactory,
    PatientFactory,
    PhysioFactory,
    PlanFactory,
    PrescriptionFactory,
    clinic_of,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
HTMX = {"HX-Request": "true"}


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


def load_hoos12(clinic):
    """The clinic loads HOOS-12 under its licence (stand-in texts: hipcare ships none)."""
    instrument = Instrument.objects.get(code="hoos12")
    texts = {
        item.number: {
            "text_en": f"HOOS question {item.number}",
            "text_da": f"HOOS spørgsmål {item.number}",
            "low_label_en": "None",
            "low_label_da": "Ingen",
            "high_label_en": "Extreme",
            "high_label_da": "Ekstrem",
        }
        for item in instrument.items.all()
    }
    return services.clinic_instrument_load(
        clinic=clinic,
        instrument=instrument,
        by=ClinicAdminFactory(clinic=clinic),
        licence_reference="Mapi 2025-0042",
        texts=texts,
    )


@pytest.fixture
def plan(patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(14))  # program week 3
    PrescriptionFactory(plan=plan)
    return plan


@pytest.fixture
def course(plan):
    return services.course_start(plan=plan, goals="Walk to the shops")


def instrument(code):
    return Instrument.objects.get(code=code)


def url(course, point=rules.BASELINE):
    return reverse("courses:questionnaire", args=[course.pk, point])


def all_answers(hip=4, hoos=None):
    data = {"hip-pain-1": str(hip)}
    if hoos is not None:
        data.update({f"hoos12-{n}": str(hoos) for n in range(1, 13)})
    return data


def course_events(patient, action=None):
    events = AccessEvent.objects.filter(patient=patient, what=AccessEvent.What.COURSE)
    return events.filter(action=action) if action else events


# --- The questionnaire ---------------------------------------------------------------------------


def test_the_baseline_page_asks_the_hip_pain_as_a_scale(client, patient, course):
    client.force_login(patient)
    response = client.get(url(course))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Before your first session" in html
    assert html.count("<fieldset") == 1  # HOOS-12 is not loaded at this clinic
    assert "On average, how much has your hip hurt over the last week?" in html
    radios = re.findall(r'<input type="radio"[^>]*name="hip-pain-1"[^>]*value="(\d+)"', html)
    assert radios == [str(n) for n in range(11)]
    assert "No pain" in html and "Worst pain imaginable" in html
    assert "tick-btn" in html  # the 44 px touch targets of the pain scale
    assert course_events(patient, AccessEvent.Action.VIEW).count() == 1


def test_a_clinic_with_hoos12_loaded_asks_it_too(client, patient, course):
    load_hoos12(patient.clinic)
    client.force_login(patient)
    html = client.get(url(course)).content.decode()
    assert html.count("<fieldset") == 13
    assert "HOOS question 12" in html and "Extreme" in html
    radios = re.findall(r'name="hoos12-1"[^>]*value="(\d+)"', html)
    assert radios == ["0", "1", "2", "3", "4"]


def test_answers_are_saved_and_scored_in_one_go(client, patient, course):
    load_hoos12(patient.clinic)
    client.force_login(patient)
    response = client.post(url(course), all_answers(hip=6, hoos=1))
    assert response.status_code == 302 and response.url == reverse("plans:today")
    results = {r.instrument.code: r for r in Result.objects.select_related("instrument")}
    assert results["hip-pain"].scores == {"value": 6.0}
    assert results["hip-pain"].point == rules.BASELINE
    assert results["hoos12"].scores["summary"] == 75.0
    assert all(r.recorded_by == patient for r in results.values())
    assert course_events(patient, AccessEvent.Action.CHANGE).count() == 1
    page = client.get(reverse("plans:today")).content.decode()
    assert "Thank you: your answers are saved." in page
    assert "questionnaire-card" not in page  # nothing owed now


def test_missing_answers_are_refused_at_each_question_and_nothing_is_saved(client, patient, course):
    load_hoos12(patient.clinic)
    client.force_login(patient)
    data = all_answers(hip=3, hoos=2)
    del data["hoos12-2"], data["hoos12-7"]
    response = client.post(url(course), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert not Result.objects.exists()  # not even the hip pain, which was answered
    assert html.count("Choose an answer.") == 2
    assert 'id="id_hoos12-2-error"' in html and 'id="id_hoos12-7-error"' in html
    # The first open question takes the focus, and only it.
    assert html.count("autofocus") == 1
    assert re.search(r'name="hoos12-2"[^>]*value="0"[^>]*autofocus', html)
    # The answers given are still checked.
    assert re.search(r'name="hip-pain-1"[^>]*value="3"[^>]*checked', html)


def test_a_value_outside_the_scale_is_refused(client, patient, course):
    client.force_login(patient)
    response = client.post(url(course), {"hip-pain-1": "11"})
    assert response.status_code == 422
    assert not Result.objects.exists()


def test_a_second_instruments_failure_rolls_back_the_first(client, patient, course, monkeypatch):
    load_hoos12(patient.clinic)
    record = services.result_record

    def failing(**kwargs):
        if kwargs["instrument"].code == "hoos12":
            raise ValidationError({"3": ["Refused."]})
        return record(**kwargs)

    monkeypatch.setattr(services, "result_record", failing)
    client.force_login(patient)
    response = client.post(url(course), all_answers(hip=3, hoos=2))
    assert response.status_code == 422
    assert "Refused." in response.content.decode()
    assert not Result.objects.exists()


def test_an_ended_program_is_refused_with_a_message(client, patient, course, plan):
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ENDED, ended_on=TODAY())
    client.force_login(patient)
    response = client.post(url(course), all_answers())
    assert response.status_code == 422
    assert "This program has ended." in response.content.decode()


def test_the_page_is_prefilled_with_the_answers_given(client, patient, course):
    services.result_record(
        course=course, instrument=instrument("hip-pain"), point=rules.BASELINE,
        answers={1: 7}, by=patient,
    )  # fmt: skip
    client.force_login(patient)
    html = client.get(url(course)).content.decode()
    assert re.search(r'name="hip-pain-1"[^>]*value="7"[^>]*checked', html)
    assert "Your earlier answers are filled in" in html


def test_only_the_three_points_exist(client, patient, course):
    client.force_login(patient)
    assert client.get(url(course, "week")).status_code == 404
    assert client.get(url(course, "someday")).status_code == 404


def test_a_point_not_asked_yet_sends_the_patient_back(client, patient, course):
    client.force_login(patient)
    response = client.get(url(course, rules.REVIEW))  # week 3: baseline is owed, not review
    assert response.status_code == 302 and response.url == reverse("plans:today")
    assert not course_events(patient).exists()


def test_the_review_opens_a_week_before_it_is_due(client, patient, plan, course):
    services.result_record(
        course=course, instrument=instrument("hip-pain"), point=rules.BASELINE,
        answers={1: 5}, by=patient,
    )  # fmt: skip
    Plan.objects.filter(pk=plan.pk).update(start_date=days_ago(36))
    client.force_login(patient)
    response = client.get(url(course, rules.REVIEW))
    assert response.status_code == 200
    assert "Your 6-week review" in response.content.decode()


def test_another_patients_course_is_not_found(client, other_patient, course):
    client.force_login(other_patient)
    assert client.get(url(course)).status_code == 404
    assert client.post(url(course), all_answers()).status_code == 404
    assert not Result.objects.exists()


def test_questionnaire_in_danish(client, patient, course):
    client.force_login(patient)
    html = client.get(url(course), headers={"Accept-Language": "da"}).content.decode()
    assert "Hvor ondt har din hofte gjort i gennemsnit den seneste uge?" in html


@pytest.mark.parametrize("weeks", [1, 40], ids=["new", "long"])
def test_questionnaire_queries_are_fixed(client, django_assert_num_queries, weeks):
    """More weeks, more weekly results, HOOS-12 loaded: the same queries."""
    patient = PatientFactory()
    plan = PlanFactory(patient=patient, start_date=days_ago(7 * weeks - 3), weeks=52)
    course = services.course_start(plan=plan)
    load_hoos12(patient.clinic)
    pain = instrument("hip-pain")
    for week in range(1, weeks + 1):
        services.result_record(
            course=course, instrument=pain, point=rules.WEEK, week=week, answers={1: 4},
            by=patient,
        )  # fmt: skip
    services.result_record(
        course=course, instrument=pain, point=rules.BASELINE, answers={1: 5}, by=patient
    )
    client.force_login(patient)
    # session, user, the course with its plan and patient, outcomes.state (the clinic's loaded
    # measures, the instruments, their items, their measures, the results), the access log
    with django_assert_num_queries(9):
        response = client.get(url(course))
    assert response.status_code == 200


# --- The week's hip pain -----------------------------------------------------------------------


def weekly_url(course):
    return reverse("courses:weekly-pain", args=[course.pk])


def test_weekly_pain_is_saved_for_the_current_week(client, patient, course):
    client.force_login(patient)
    response = client.post(weekly_url(course), {"week-pain": "4"})
    assert response.status_code == 302 and response.url == reverse("plans:today")
    result = Result.objects.get()
    assert (result.point, result.week, result.scores) == (rules.WEEK, 3, {"value": 4.0})
    assert course_events(patient, AccessEvent.Action.CHANGE).count() == 1
    # Saved again in the same week: the answer is corrected, not doubled.
    client.post(weekly_url(course), {"week-pain": "5"})
    assert Result.objects.get().scores == {"value": 5.0}


def test_weekly_pain_with_htmx_returns_the_card(client, patient, course):
    client.force_login(patient)
    response = client.post(weekly_url(course), {"week-pain": "2"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section class="card mb-3" id="hip-week"')
    assert "Saved: 2 of 10" in html and "autofocus" in html
    assert "<html" not in html


def test_weekly_pain_without_an_answer_is_refused(client, patient, course):
    client.force_login(patient)
    response = client.post(weekly_url(course), {}, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="hip-week"' in html and "Choose an answer." in html
    response = client.post(weekly_url(course), {"week-pain": "11"})
    assert response.status_code == 302 and response.url.endswith("#hip-week")
    assert not Result.objects.exists()
    assert not course_events(patient).exists()


def test_weekly_pain_after_discharge_is_refused(client, patient, course):
    course.discharged_at = timezone.now()
    course.save()
    client.force_login(patient)
    response = client.post(weekly_url(course), {"week-pain": "3"}, headers=HTMX)
    assert response.status_code == 422
    assert not Result.objects.exists()


def test_weekly_pain_of_another_patients_course_is_not_found(client, other_patient, course):
    client.force_login(other_patient)
    assert client.post(weekly_url(course), {"week-pain": "3"}).status_code == 404


# --- Today's checklist cards -----------------------------------------------------------------


def text(condition, slug, week, order=0):
    return EducationText.objects.create(
        condition=condition,
        slug=slug,
        week=week,
        order=order,
        title_en=f"Title {slug}",
        title_da=f"Titel {slug}",
        body_en=f"First paragraph of {slug}.\nSecond paragraph of {slug}.",
        body_da=f"Første afsnit af {slug}.\nAndet afsnit.",
        source="clinical-facts.md [3]",
    )


def test_today_asks_for_the_baseline_without_blocking_the_exercises(client, patient, course):
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert "Before your first session: 2 minutes of questions about your hip" in html
    assert url(course) in html
    assert 'id="checklist"' in html  # the exercises are still there
    # Below the page heading, above the exercises.
    assert html.index("<h1") < html.index("questionnaire-card") < html.index('id="checklist"')


def test_today_asks_for_the_weeks_pain_until_it_is_answered(client, patient, course):
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert "Your hip this week" in html and weekly_url(course) in html
    assert 'name="week-pain"' in html
    client.post(weekly_url(course), {"week-pain": "4"})
    html = client.get(reverse("plans:today")).content.decode()
    assert 'name="week-pain"' not in html


def test_a_plan_without_a_course_shows_no_course_cards(client, patient, plan):
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert "questionnaire-card" not in html and 'id="hip-week"' not in html


def test_education_texts_one_at_a_time(client, patient, plan, course):
    first = text(plan.condition, "first", week=1)
    second = text(plan.condition, "second", week=2)
    text(plan.condition, "later", week=5)  # not yet: week 3 of the program
    other = ConditionFactory(code="bursitis")
    text(other, "other", week=1)
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert "Title first" in html and "Second paragraph of first." in html
    assert "Title second" not in html and "Title other" not in html
    read_url = reverse("courses:education-read", args=[first.pk])
    response = client.post(read_url, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section class="card mb-3" id="education"')
    assert "Title second" in html and "“Title first” is marked as read." in html
    assert EducationRead.objects.filter(patient=patient, text=first).exists()
    # Without JavaScript: back to today, where the next one is.
    response = client.post(reverse("courses:education-read", args=[second.pk]))
    assert response.status_code == 302 and response.url.endswith("#education")
    html = client.get(reverse("plans:today")).content.decode()
    assert 'id="education"' not in html  # "later" is for week 5


def test_a_text_for_another_condition_is_not_found(client, patient, plan):
    other = text(ConditionFactory(code="fai"), "fai-one", week=1)
    client.force_login(patient)
    assert client.post(reverse("courses:education-read", args=[other.pk])).status_code == 404
    assert not EducationRead.objects.exists()


def test_the_texts_read_newest_first(client, patient, plan):
    first, second = text(plan.condition, "a", week=1), text(plan.condition, "b", week=1)
    client.force_login(patient)
    html = client.get(reverse("courses:education")).content.decode()
    assert "You have not read any texts yet." in html
    EducationRead.objects.create(patient=patient, text=first, read_at=timezone.now())
    EducationRead.objects.create(
        patient=patient, text=second, read_at=timezone.now() - datetime.timedelta(days=3)
    )
    # Another patient's read of the same text does not show twice.
    other = PatientFactory(physio=patient.physio)
    EducationRead.objects.create(patient=other, text=second)
    response = client.get(reverse("courses:education"))
    html = response.content.decode()
    assert [t.slug for t in response.context["texts"]] == ["a", "b"]
    assert html.index("Title a") < html.index("Title b")
    assert "Second paragraph of a." in html
    assert course_events(patient, AccessEvent.Action.VIEW).count() == 2


@pytest.mark.parametrize("days", [7, 300], ids=["week-2", "week-43"])
def test_today_with_the_cards_queries_are_fixed(client, django_assert_num_queries, days):
    patient = PatientFactory()
    plan = PlanFactory(patient=patient, start_date=days_ago(days), weeks=52)
    for order in range(4):
        PrescriptionFactory(plan=plan, order=order)
    course = services.course_start(plan=plan)
    load_hoos12(patient.clinic)
    pain = instrument("hip-pain")
    current = days // 7 + 1
    for week in range(1, current + 1):
        text(plan.condition, f"text-{week}", week=week)
        if week < current:  # every earlier week's pain answered, this week's owed
            services.result_record(
                course=course, instrument=pain, point=rules.WEEK, week=week, answers={1: 4},
                by=patient,
            )  # fmt: skip
    client.force_login(patient)
    # The checklist's 9 (tests/plans/test_sessions.py, the pictures among them) and the course
    # cards' 4: the course, the instruments in use with their items, the results, the next text.
    with django_assert_num_queries(13):
        response = client.get(reverse("plans:today"))
    html = response.content.decode()
    assert "questionnaire-card" in html and 'id="hip-week"' in html and 'id="education"' in html


# --- result_record's checks --------------------------------------------------------------------


def test_result_record_refuses_a_value_outside_the_range(course, patient):
    with pytest.raises(ValidationError) as error:
        services.result_record(
            course=course, instrument=instrument("hip-pain"), point=rules.BASELINE,
            answers={1: 11}, by=patient,
        )  # fmt: skip
    assert error.value.message_dict == {"1": ["Answer between 0 and 10."]}
    assert not Result.objects.exists()


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("hip-pain", "4.5", "Give whole numbers."),
        ("walk-40m", "30.25", "Give at most 1 decimal."),
        ("walk-40m", "0.5", "Answer between 1 and 600."),
        ("chair-stand-30s", "many", "“many” is not a number."),
        ("chair-stand-30s", "NaN", "“NaN” is not a number."),
        ("chair-stand-30s", "", "Answer every question."),
    ],
)
def test_result_record_checks_each_answer(course, patient, physio, code, value, message):
    measure = instrument(code)
    by = patient if measure.kind == Instrument.Kind.QUESTIONNAIRE else physio
    with pytest.raises(ValidationError) as error:
        services.result_record(
            course=course, instrument=measure, point=rules.BASELINE, answers={1: value}, by=by
        )
    assert error.value.message_dict == {"1": [message]}


def test_result_record_takes_a_decimal_comma(course, physio):
    result = services.result_record(
        course=course, instrument=instrument("walk-40m"), point=rules.BASELINE,
        answers={"1": "31,5"}, by=physio,
    )  # fmt: skip
    assert result.scores == {"value": 31.5}


def test_result_record_refuses_a_missing_item(course, patient):
    load_hoos12(patient.clinic)
    answers = dict.fromkeys(range(1, 12), 1)  # item 12 left out
    with pytest.raises(ValidationError) as error:
        services.result_record(
            course=course, instrument=instrument("hoos12"), point=rules.BASELINE,
            answers=answers, by=patient,
        )  # fmt: skip
    assert error.value.message_dict == {"12": ["Answer every question."]}
    assert not Result.objects.exists()


def test_only_the_patient_answers_a_questionnaire(course, physio):
    colleague_patient = PatientFactory(physio=physio)
    for someone in (physio, colleague_patient):
        with pytest.raises(ValidationError, match="Only the patient answers"):
            services.result_record(
                course=course, instrument=instrument("hip-pain"), point=rules.BASELINE,
                answers={1: 3}, by=someone,
            )  # fmt: skip
    assert not Result.objects.exists()


def test_a_physio_of_the_clinic_records_a_performance_test_and_nobody_else(course, patient, physio):
    stands = instrument("chair-stand-30s")
    colleague = PhysioFactory(clinic=clinic_of(physio))
    result = services.result_record(
        course=course, instrument=stands, point=rules.BASELINE, answers={1: 11}, by=colleague
    )
    assert result.scores == {"value": 11.0} and result.recorded_by == colleague
    for someone in (patient, PhysioFactory()):  # the patient; another clinic's physio
        with pytest.raises(ValidationError):
            services.result_record(
                course=course, instrument=stands, point=rules.REVIEW, answers={1: 12}, by=someone
            )
    assert Result.objects.count() == 1


def test_result_record_refuses_a_weekly_answer_of_a_measure_not_asked_weekly(course, physio):
    with pytest.raises(ValidationError, match="not asked weekly"):
        services.result_record(
            course=course, instrument=instrument("chair-stand-30s"), point=rules.WEEK, week=2,
            answers={1: 11}, by=physio,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="Unknown point"):
        services.result_record(
            course=course, instrument=instrument("hip-pain"), point=rules.WEEK, week=0,
            answers={1: 3}, by=course.plan.patient,
        )  # fmt: skip


def test_checklist_state_matches_the_full_state(course, patient):
    """outcomes.checklist (the checklist's lighter read) owes what outcomes.state owes."""
    load_hoos12(patient.clinic)
    services.result_record(
        course=course, instrument=instrument("hip-pain"), point=rules.BASELINE,
        answers={1: 5}, by=patient,
    )  # fmt: skip
    full = outcomes.state(course)
    light = outcomes.checklist(course, clinic_id=patient.clinic_id, today=TODAY(), week_number=3)
    assert [i.code for i in light.state.instruments] == [i.code for i in full.instruments]
    # One answer is the page (all or none): HOOS-12, missing here, is asked from the review on
    # (tests/courses/test_review_findings.py: a second "baseline" in week 6 was the defect).
    assert light.point is full.due_point(TODAY()) is None
    assert light.weekly_due and light.weekly_item.instrument.code == "hip-pain"
