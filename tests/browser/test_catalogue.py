import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_physio_filters_for_fai_and_opens_an_exercise(page: Page, live_server, catalogue, physio):
    log_in(page, live_server.url, physio.username)
    page.get_by_role("link", name="Catalogue").click()
    page.get_by_label("Suits condition").select_option(label="Femoroacetabular impingement (FAI)")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"condition="))
    results = page.locator(".list-group-item")
    expect(results.first).to_be_visible()
    assert results.count() >= 10
    # Knee to chest is cautioned for FAI and suits only OA and bursitis (clinical-facts.md §2).
    expect(page.get_by_role("link", name=re.compile(r"^Knee to chest"))).to_have_count(0)
    page.get_by_label("Suits condition").select_option(label="Hip osteoarthritis")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=re.compile(r"^Knee to chest")).click()
    expect(page.get_by_role("heading", name="Knee to chest")).to_be_visible()
    expect(page.get_by_text("Caution – Femoroacetabular impingement")).to_be_visible()
    expect(page.get_by_role("heading", name="How to do it")).to_be_visible()
