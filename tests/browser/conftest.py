import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from tests.factories import TEST_PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue(transactional_db):
    call_command("load_catalogue", verbosity=0)


def log_in(page: Page, base: str, username: str, password: str = TEST_PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail or username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(caseload|today)/$"))


def log_out(page: Page):
    toggler = page.get_by_role("button", name="Toggle navigation")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("button", name="Log out").click()
