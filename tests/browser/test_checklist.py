import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exercises.models import Condition, ProgramTemplate
from plans import services
from tests.browser.conftest import PHONE, log_in, log_out
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fai_plan(catalogue, patient):
    template = ProgramTemplate.objects.get(condition__code="fai")
    return services.plan_assign(
        physio=patient.physio,
        patient=patient,
        condition=Condition.objects.get(code="fai"),
        side="right",
        start_date=timezone.localdate() - datetime.timedelta(days=2),
        weeks=12,
        sessions_per_week=3,
        items=services.template_items(template),
        template=template,
    )


def test_patient_ticks_on_a_phone_finishes_and_the_physio_sees_it(
    browser, live_server, fai_plan, patient
):
    base = live_server.url
    # One tick with JavaScript off: a plain form post.
    no_js = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = no_js.new_page()
    log_in(page, base, patient.username)
    page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
        "2", exact=True
    ).click()
    page.get_by_role("button", name="Save answers and start").click()
    page.get_by_role("button", name="Mark as done – Side-stepping with mini band").click()
    expect(page).to_have_url(re.compile(r"/today/#rx-\d+$"))
    row = page.locator("li", has_text="Side-stepping with mini band")
    expect(row.get_by_role("status")).to_have_text(re.compile("Done"))
    no_js.close()

    # Two ticks with JavaScript: saved at once, no page load.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, base, patient.username)
    page.evaluate("window.notReloaded = true")
    for name in ("Adductor squeeze with ball", "Clam shell"):
        page.get_by_role("button", name=f"Mark as done – {name}").click()
        expect(page.locator("li", has_text=name).get_by_role("status")).to_have_text(
            re.compile("Done")
        )
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("radiogroup", name="Pain after the session").get_by_text(
        "3", exact=True
    ).click()
    page.get_by_role("button", name="Finish session").click()
    expect(page.get_by_text("Well done! Your session is saved.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Week 1: 1 of 3 sessions"))).to_be_visible()

    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_text(re.compile(r"1 of \d+ prescribed sessions")).first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Weekly mean pain"))).to_be_visible()
    page.get_by_text("Show the figures as a table").click()
    expect(page.get_by_role("table").get_by_role("cell", name="3.0")).to_be_visible()
    context.close()

    physio_page = browser.new_page()
    log_in(physio_page, base, patient.physio.username, TEST_PASSWORD)
    physio_page.get_by_role("link", name=patient.get_full_name()).click()
    physio_page.get_by_role("link", name=re.compile("session done")).first.click()
    expect(physio_page.get_by_role("heading", name=re.compile("Session on"))).to_be_visible()
    expect(physio_page.get_by_text("3 / 10")).to_be_visible()
    log_out(physio_page)
