"""Issue #16's walk: a shortened course of care. The patient answers the baseline questions on
her phone and exercises; the physio records the tests, reviews at 6 weeks and ends the course;
the patient answers the discharge questions; the physio discharges, and the summary shows the
change in each measure. The patient keeps ticking the maintenance program."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses import services as course_services
from courses.models import Course
from exercises.models import Condition, ProgramTemplate
from plans import services
from plans.models import Plan, Prescription, Session, SessionEntry
from tests.browser.conftest import PHONE, log_in
from tests.factories import ClinicFactory, PatientFactory, PhysioFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HIP_PAIN = "On average, how much has your hip hurt over the last week?"
STANDS = re.compile("Full stands from a chair in 30 seconds")
WALK = re.compile("Seconds to walk 4 × 10 m")


@pytest.fixture
def course_world(catalogue):
    clinic = ClinicFactory(name="Aarhus Hofteklinik")
    anna = PhysioFactory(username="anna", first_name="Anna", last_name="Berg", clinic=clinic)
    karen = PatientFactory(username="karen", physio=anna, first_name="Karen", last_name="Holm")
    template = ProgramTemplate.objects.get(condition__code="osteoarthritis", clinic=None)
    today = timezone.localdate()
    # Shortened: the program started 40 days ago, so the 6-week review opens this week.
    plan = course_services.course_assign(
        goals="Walk to the shops and back without stopping",
        physio=anna,
        patient=karen,
        condition=Condition.objects.get(code="osteoarthritis"),
        side="left",
        start_date=today - datetime.timedelta(days=40),
        weeks=12,
        sessions_per_week=3,
        items=services.template_items(template),
        template=template,
    )
    prescriptions = list(Prescription.objects.filter(plan=plan))
    for days_ago in (39, 36, 33, 29, 26, 22, 19, 15, 12, 8, 5, 2):
        session = Session.objects.create(
            plan=plan, date=today - datetime.timedelta(days=days_ago), pain_before=4,
            pain_after=4, completed_at=timezone.now(),
        )  # fmt: skip
        SessionEntry.objects.bulk_create(
            SessionEntry(session=session, prescription=rx) for rx in prescriptions
        )
    return {"anna": anna, "karen": karen, "plan": plan, "course": Course.objects.get(plan=plan)}


def answer(page, question, value):
    page.get_by_role("group", name=question).get_by_text(value, exact=True).click()


def patient_answers(browser, base, pain, *, card):
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    log_in(page, base, "karen")
    expect(page.get_by_role("heading", name=card)).to_be_visible()
    page.get_by_role("link", name="Answer the questions").click()
    answer(page, HIP_PAIN, pain)
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    return phone, page


def record_tests(page, link, stands, walk):
    page.get_by_role("link", name=link).click()
    page.get_by_label(STANDS).fill(stands)
    page.get_by_label(WALK).fill(walk)
    page.get_by_role("button", name="Save the tests").click()


def test_a_shortened_course_from_baseline_to_discharge(browser, live_server, course_world):
    base = live_server.url
    course = course_world["course"]

    # The patient, before today's session: the baseline questions, then the session itself.
    phone, page = patient_answers(browser, base, "6", card=re.compile("Before your first session"))
    page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
        "2", exact=True
    ).click()
    page.get_by_role("button", name="Save answers and start").click()
    page.get_by_role("button", name="Mark as done – Bridge").click()
    expect(page.locator("li", has_text="Bridge").get_by_role("status")).to_have_text(
        re.compile("Done")
    )
    page.get_by_role("radiogroup", name="Pain after the session").get_by_text(
        "3", exact=True
    ).click()
    page.get_by_role("button", name="Finish session").click()
    expect(page.get_by_text("Well done! Your session is saved.")).to_be_visible()
    # This week's hip pain, on the checklist.
    answer(page, HIP_PAIN, "5")
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    expect(page.get_by_text("Saved: 5 of 10. Thank you.")).to_be_visible()
    phone.close()

    # The physio records the start's tests (the first visit), then the review's.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, base, "anna")
    page.get_by_role("link", name="Karen Holm").first.click()
    page.get_by_role("link", name="Open the course").click()
    expect(page.get_by_text("Walk to the shops and back without stopping")).to_be_visible()
    record_tests(page, "record – Start", "9", "38.5")
    # The physio stays signed in on the desktop (a second-factor code is good once).
    physio = page

    # The patient's 6-week review questions.
    phone, page = patient_answers(browser, base, "4", card=re.compile("review"))
    phone.close()

    page = physio
    page.goto(f"{base}/courses/{course.pk}/")
    record_tests(page, "Record the tests at review", "11", "34")
    page.get_by_role("link", name="Go to the review").click()
    weeks = page.locator("table").first
    expect(weeks.get_by_role("rowheader", name="1", exact=True)).to_be_visible()
    expect(page.get_by_text("Important improvement (at least 2 points or 30 %)")).to_be_visible()
    page.get_by_label("End the course: discharge").check()
    page.get_by_label("Review note").fill("Going well: discharge with a home program.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("heading", name=re.compile("Discharge"))).to_be_visible()

    # The patient is asked for the discharge questions.
    phone, page = patient_answers(browser, base, "2", card=re.compile("finish the course", re.I))
    phone.close()

    page = physio
    page.goto(f"{base}/courses/{course.pk}/")
    record_tests(page, "Record the tests at discharge", "13", "31")
    page.get_by_role("link", name="Discharge", exact=True).click()
    page.get_by_role("textbox", name="Plan to keep going").fill("Keep the program twice a week.")
    # Refused without the confirmation, with the reason at the box.
    page.get_by_role("button", name="Discharge and start the maintenance program").click()
    expect(page.get_by_text(re.compile("Tick this once you have gone through"))).to_be_visible()
    page.get_by_label("I have reviewed the outcomes with the patient").check()
    page.get_by_role("button", name="Discharge and start the maintenance program").click()

    # The summary: each measure's start, end and change.
    expect(page.get_by_role("heading", name="Course summary")).to_be_visible()
    rows = {
        "Average hip pain, last week": ("6", "2", "-4", "Important improvement"),
        "30-second chair stand": ("9", "13", "+4", "on record"),
        "40 m fast-paced walk": ("38.5", "31", "-7.5", "on record"),
    }
    for name, (start, end, change, verdict) in rows.items():
        row = page.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=re.compile(name))
        )
        expect(row).to_contain_text(start)
        expect(row).to_contain_text(end)
        expect(row).to_contain_text(change)
        expect(row).to_contain_text(verdict)
    expect(page.get_by_text(re.compile("Maintenance program: 2 sessions a week"))).to_be_visible()
    desk.close()

    maintenance = Plan.objects.get(patient=course_world["karen"], status=Plan.Status.ACTIVE)
    assert maintenance.sessions_per_week == 2
    assert Course.objects.get(pk=course.pk).maintenance_plan == maintenance

    # The patient reads her summary and keeps ticking the maintenance program.
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    log_in(page, base, "karen")
    expect(page.get_by_text(re.compile(r"Week 1 of 26"))).to_be_visible()
    page.goto(f"{base}/courses/{course.pk}/summary/")
    expect(page.get_by_role("heading", name="Course summary")).to_be_visible()
    expect(page.get_by_text("Keep the program twice a week.")).to_be_visible()
    phone.close()
