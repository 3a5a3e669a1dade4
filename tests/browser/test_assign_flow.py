import re
import time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in, log_out
from tests.tasks import run_queued_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_physio_adds_a_patient_assigns_fai_and_the_patient_sees_the_dose(
    page: Page, live_server, catalogue, physio
):
    base = live_server.url
    log_in(page, base, physio.username)

    page.get_by_role("link", name="Add patient").first.click()
    page.get_by_label("First name").fill("Ida")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("E-mail").fill("ida.holm@example.org")
    page.get_by_label("Condition").select_option(label="Femoroacetabular impingement (FAI)")
    page.get_by_label("Affected side").select_option(label="Right")
    page.get_by_role("button", name="Add patient only").click()
    expect(page.get_by_role("heading", name="Ida Holm")).to_be_visible()
    # The physio sees the invitation's state, never its link; the worker mails it to the patient.
    expect(page.get_by_text("Not sent yet")).to_be_visible()
    assert "/accounts/invite/" not in page.content()
    assert run_queued_tasks() == 1
    page.reload()
    expect(page.get_by_text("Sent", exact=True)).to_be_visible()
    invitation = re.search(r"http://\S+/accounts/invite/\S+", mail.outbox[0].body).group(0)

    # The assign flow: open, change one dose, save.
    started = time.monotonic()
    page.get_by_role("link", name="Assign a program").click()
    row = page.get_by_role("group", name="Side-stepping with mini band")
    expect(row.get_by_role("spinbutton", name="Reps to", exact=True)).to_have_value("12")
    row.get_by_role("spinbutton", name="Reps to", exact=True).fill("10")
    page.get_by_role("button", name="Save program").click()
    expect(page.get_by_text("The program is saved.")).to_be_visible()
    elapsed = time.monotonic() - started
    print(f"assign flow: 3 actions (open, edit one dose, save), {elapsed:.2f} s")
    # The current dose (the dose history below it repeats it as the first dose, folded away).
    expect(page.get_by_text("3 × 8–10 reps per side").first).to_be_visible()
    log_out(page)

    page.set_viewport_size(PHONE)
    page.goto(invitation)
    expect(page.get_by_role("heading", name="Welcome to hipcare")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*New password(?! confirmation)")).fill("hips-don't-lie-2026")
    page.get_by_label("New password confirmation").fill("hips-don't-lie-2026")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Today's session")).to_be_visible()
    page.goto(f"{base}/my-program/")
    item = page.locator("details", has_text="Side-stepping with mini band")
    expect(item.get_by_text("3 × 8–10 reps per side")).to_be_visible()

    log_out(page)
    page.goto(invitation)
    expect(page.get_by_role("heading", name="This invitation no longer works")).to_be_visible()
