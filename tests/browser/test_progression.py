"""Issue 12 end to end: a stop before the session reaches the physio, who records the contact;
one hard session makes the next checklist lighter and says why."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from exercises.dose import Dose
from plans.models import Prescription
from tests.browser.conftest import PHONE, log_in, log_out
from tests.factories import PatientFactory, PlanFactory, PrescriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_pain(page: Page, pain: int):
    page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
        str(pain), exact=True
    ).click()


def test_pain_now_8_stops_the_session_and_the_physio_records_the_contact(
    page: Page, live_server, physio
):
    today = timezone.localdate()
    PatientFactory(physio=physio, first_name="Calm", last_name="Aalto")
    patient = PatientFactory(physio=physio, first_name="Hurting", last_name="Holm")
    plan = PlanFactory(patient=patient, start_date=today - datetime.timedelta(days=10))
    PrescriptionFactory(plan=plan, exercise__name_en="Bridge")

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, patient.username)
    expect(page.get_by_role("button", name=re.compile("Mark as done"))).to_have_count(0)
    answer_pain(page, 8)
    page.get_by_role("button", name="Save answers and start").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Do not exercise today")
    expect(alert).to_contain_text(physio.get_full_name())
    expect(page.get_by_role("button", name=re.compile("Mark as done"))).to_have_count(0)
    log_out(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, physio.username)
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("Hurting Holm")
    first_row.get_by_role("link", name=re.compile("Severe pain or warning sign")).click()
    suggestion = page.locator("#suggestion")
    expect(suggestion).to_contain_text("Pain right now was 8 of 10")
    expect(suggestion.get_by_role("button", name="Approve the ticked changes")).to_have_count(0)
    suggestion.get_by_label("What was agreed").fill("Phoned Hurting: flare after gardening.")
    suggestion.get_by_role("button", name="Record the contact").click()
    expect(page.get_by_text("Recorded.")).to_be_visible()
    expect(page.locator("#suggestion")).to_contain_text("flare after gardening")
    page.get_by_role("link", name="Caseload").first.click()
    row = page.get_by_role("row", name=re.compile("Hurting Holm"))
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("Severe pain")
    log_out(page)


def test_one_hard_session_makes_the_next_checklist_lighter_and_says_why(
    page: Page, live_server, physio
):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    patient = PatientFactory(physio=physio, first_name="Second", last_name="Patient")
    plan = PlanFactory(patient=patient, start_date=today - datetime.timedelta(days=10))
    PrescriptionFactory(plan=plan, dose=Dose(3, "reps", 10, 15), exercise__name_en="Bridge")

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, patient.username)
    # The session of yesterday, logged late: screen, tick, finish with pain after 6.
    page.get_by_label("Log a missed day").select_option(yesterday.isoformat())
    page.get_by_role("button", name="Open").click()
    expect(page.locator("li", has_text="Bridge").get_by_text("3 × 10–15 reps")).to_be_visible()
    answer_pain(page, 3)
    page.get_by_role("button", name="Save answers and start").click()
    page.get_by_role("button", name="Mark as done – Bridge").click()
    expect(page.locator("li", has_text="Bridge").get_by_role("status")).to_have_text(
        re.compile("Done")
    )
    page.get_by_role("radiogroup", name="Pain after the session").get_by_text(
        "6", exact=True
    ).click()
    page.get_by_role("button", name="Finish session").click()
    expect(
        page.get_by_text(re.compile("your next session will be a little lighter"))
    ).to_be_visible()
    expect(page.get_by_text("Well done")).to_have_count(0)

    page.goto(f"{live_server.url}/today/")
    expect(page.locator("#eased")).to_contain_text("one step lighter")
    expect(page.locator("#eased")).to_contain_text("6 of 10")
    expect(page.locator("li", has_text="Bridge").get_by_text("2 × 10–15 reps")).to_be_visible()
    log_out(page)

    eased = Prescription.objects.current().get(plan=plan)
    assert (eased.sets, eased.valid_from, eased.eased_after.date) == (2, today, yesterday)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, physio.username)
    page.get_by_role("link", name="Second Patient").click()
    expect(page.get_by_text(re.compile("Eased one step by hipcare"))).to_be_visible()
