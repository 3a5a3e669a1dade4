import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from exercises.dose import Dose
from plans.models import Session, SessionEntry
from tests.browser.conftest import PHONE, log_in, log_out
from tests.factories import PatientFactory, PlanFactory, PrescriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hurting_patient_is_flagged_and_the_eased_dose_reaches_the_checklist(
    page: Page, live_server, physio
):
    today = timezone.localdate()
    PatientFactory(physio=physio, first_name="Calm", last_name="Aalto")
    patient = PatientFactory(physio=physio, first_name="Hurting", last_name="Holm")
    plan = PlanFactory(patient=patient, start_date=today - datetime.timedelta(days=20))
    rx = PrescriptionFactory(plan=plan, dose=Dose(3, "reps", 10, 15), exercise__name_en="Bridge")
    old_sessions = []
    for ago, after in ((5, 5), (3, 7), (1, 7)):
        session = Session.objects.create(
            plan=plan, date=today - datetime.timedelta(days=ago), pain_before=4, pain_after=after,
            completed_at=timezone.now(),
        )  # fmt: skip
        SessionEntry.objects.create(session=session, prescription=rx)
        old_sessions.append(session)

    log_in(page, live_server.url, physio.username)
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("Hurting Holm")
    first_row.get_by_role("link", name=re.compile("Severe pain or warning sign")).click()
    suggestion = page.locator("#suggestion")
    expect(suggestion.get_by_role("heading")).to_contain_text("Stop and review")
    expect(suggestion).to_contain_text("Pain after the last 3 sessions was 5–7 of 10.")
    expect(suggestion.get_by_label(re.compile("Bridge"))).to_be_checked()
    suggestion.get_by_role("button", name="Approve the ticked changes").click()
    expect(page.get_by_text("The new doses apply from today.")).to_be_visible()
    page.get_by_role("link", name="Caseload").first.click()
    hurting_row = page.get_by_role("row", name=re.compile("Hurting Holm"))
    expect(hurting_row).to_be_visible()
    expect(hurting_row).not_to_contain_text("Severe pain")  # reviewed: the flag is cleared
    log_out(page)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, patient.username)
    expect(page.get_by_text("Your program changed")).to_be_visible()
    expect(page.locator("li", has_text="Bridge").get_by_text("2 × 10–15 reps")).to_be_visible()
    page.goto(f"{live_server.url}/sessions/{old_sessions[-1].pk}/")
    expect(page.get_by_text("3 × 10–15 reps")).to_be_visible()
