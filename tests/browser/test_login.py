import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_physio_and_patient_log_in_through_the_form(page: Page, live_server, patient):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server.url, patient.physio.username)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    log_out(page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, patient.username)
    expect(page.get_by_role("heading", name="Today's session")).to_be_visible()
