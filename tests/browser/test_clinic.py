"""Issue #14's walk: physio A covers for physio B, opens B's patient, and the patient then sees
that visit in "who has looked at my data"; the clinic admin finds it in the clinic's log."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exercises.models import Condition, ProgramTemplate
from hipcare.models import AccessEvent
from plans import services
from tests.browser.conftest import PHONE, log_in, log_out
from tests.factories import ClinicAdminFactory, ClinicFactory, PatientFactory, PhysioFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clinic_world(catalogue):
    clinic = ClinicFactory(name="Aarhus Hofteklinik")
    anna = PhysioFactory(username="anna", first_name="Anna", last_name="Berg", clinic=clinic)
    bo = PhysioFactory(username="bo", first_name="Bo", last_name="Dahl", clinic=clinic)
    karen = PatientFactory(username="karen", physio=bo, first_name="Karen", last_name="Holm")
    template = ProgramTemplate.objects.get(condition__code="osteoarthritis", clinic=None)
    services.plan_assign(
        physio=bo,
        patient=karen,
        condition=Condition.objects.get(code="osteoarthritis"),
        side="left",
        start_date=timezone.localdate() - datetime.timedelta(days=10),
        weeks=12,
        sessions_per_week=3,
        items=services.template_items(template),
        template=template,
    )
    admin = ClinicAdminFactory(username="lise", first_name="Lise", last_name="Dam", clinic=clinic)
    stranger = PhysioFactory(username="sara", first_name="Sara", last_name="Kjær")
    return {"anna": anna, "bo": bo, "karen": karen, "admin": admin, "stranger": stranger}


def test_a_cover_visit_is_seen_by_the_patient_and_the_clinic_admin(
    browser, live_server, clinic_world
):
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()

    # Anna covers for Bo today: Karen appears in Anna's caseload, marked as Bo's.
    log_in(page, base, "anna")
    expect(page.get_by_text("Karen Holm")).to_have_count(0)
    page.get_by_role("link", name="Cover for a colleague").click()
    page.get_by_label("Colleague").select_option(label="Bo Dahl")
    page.get_by_role("button", name="Cover", exact=True).click()
    expect(page.get_by_text(re.compile("You are covering for Bo Dahl"))).to_be_visible()
    page.get_by_role("link", name="Karen Holm").click()
    expect(page.get_by_role("heading", name="Karen Holm")).to_be_visible()
    expect(page.get_by_text("Not your patient.")).to_be_visible()
    expect(page.get_by_text("Bo Dahl treats this patient.")).to_be_visible()
    log_out(page)

    # A physio of another clinic finds no trace of her.
    log_in(page, base, "sara")
    page.goto(f"{base}/caseload/?scope=clinic&q=Holm")
    expect(page.get_by_text("Karen Holm")).to_have_count(0)
    response = page.goto(f"{base}/patients/{clinic_world['karen'].pk}/")
    assert response.status == 404
    log_out(page)
    desk.close()

    # Karen, on her phone, sees who looked.
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    log_in(page, base, "karen")
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="My data").click()
    page.get_by_role("link", name="Who has looked at my data").click()
    visit = page.get_by_role("listitem").filter(has_text="Anna Berg").first
    expect(visit).to_be_visible()
    expect(visit).to_contain_text("Physiotherapist at your clinic")
    expect(visit).to_contain_text("patient page")
    log_out(page)
    phone.close()

    # The clinic admin filters the clinic's log by Anna and finds the visit, without health data.
    desk = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desk.new_page()
    log_in(page, base, "lise")
    page.get_by_role("link", name="Access log").first.click()
    page.get_by_label("Who").select_option(label="Anna Berg")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name=re.compile("Karen Holm")).first).to_be_visible()
    assert "osteoarthritis" not in page.content().lower()
    desk.close()

    # Exactly one cover-visit to the patient page by Anna, as a colleague of the clinic.
    visits = AccessEvent.objects.filter(
        actor=clinic_world["anna"], patient=clinic_world["karen"], what="patient"
    )
    assert [(v.relation, v.clinic_id) for v in visits] == [
        ("colleague", clinic_world["karen"].clinic_id)
    ]
