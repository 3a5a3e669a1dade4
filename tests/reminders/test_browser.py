"""The reminders page in real Chromium: the browser's time zone, the night-time message, and the
push subscription made by static/js/reminders.js (the browser's push service stubbed: a headless
browser reaches none)."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reminders.models import PushSubscription, ReminderSchedule
from tests.browser.conftest import PHONE, log_in
from tests.reminders.conftest import patient_with_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parents[1] / "browser" / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# A registered service worker whose push manager hands out a fixed subscription, as a phone's
# would: navigator.serviceWorker.ready resolves to it.
FAKE_PUSH = """
(() => {
  const subscription = {
    endpoint: "https://push.example.com/send/phone-1",
    toJSON() { return {endpoint: this.endpoint, expirationTime: null, keys: %s}; },
  };
  const registration = {pushManager: {
    getSubscription: async () => null,
    subscribe: async (options) => {
      sessionStorage.setItem("subscribedWith", Array.from(options.applicationServerKey).length);
      return subscription;
    },
  }};
  Object.defineProperty(navigator.serviceWorker, "ready", {get: () => Promise.resolve(registration)});
})();
"""


def violations(page):
    """axe-core (added to the context with add_init_script: the CSP refuses a script tag)."""
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
             .violations.map((v) => v.id + ": " + v.help)""",
        WCAG_TAGS,
    )


def test_first_visit_takes_the_browsers_zone_and_refuses_a_night_time(browser, live_server):
    patient = patient_with_plan(username="rita")
    context = browser.new_context(viewport=PHONE, timezone_id="America/New_York")
    context.add_init_script(path=AXE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    page.goto(f"{live_server.url}/reminders/")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    page.get_by_label("Time", exact=True).fill("22:30")
    page.get_by_role("button", name="Turn on reminders").click()
    expect(page.get_by_role("alert")).to_contain_text("Your reminders are not saved yet.")
    time_field = page.get_by_label("Time", exact=True)
    expect(time_field).to_have_attribute("aria-invalid", "true")
    expect(time_field).to_have_accessible_description(re.compile("not sent at night"))
    assert violations(page) == []
    assert not ReminderSchedule.objects.exists()
    page.get_by_label("Time", exact=True).fill("07:30")
    page.get_by_label("Time", exact=True).fill("08:30")
    page.get_by_role("button", name="Turn on reminders").click()
    expect(page.locator("main .alert-success")).to_have_text("Your reminders are saved.")
    schedule = ReminderSchedule.objects.get()
    assert (schedule.time_zone, schedule.time.isoformat()) == ("America/New_York", "08:30:00")
    context.close()


def test_ticking_notifications_subscribes_this_phone_then_saves(
    browser, live_server, vapid_keys, settings
):
    patient = patient_with_plan(username="rita")
    keys = {"p256dh": "BPr9" + "A" * 83, "auth": "MDEyMzQ1Njc4OWFiY2RlZg"}  # 65 and 16 bytes
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(FAKE_PUSH % json.dumps(keys))
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    page.goto(f"{live_server.url}/reminders/")
    notification = page.get_by_label("As a notification on this phone")
    expect(notification).to_be_visible()
    expect(page.locator("#push-unsupported")).to_be_hidden()
    notification.check()
    page.get_by_role("button", name="Turn on reminders").click()
    expect(page.locator("main .alert-success")).to_have_text("Your reminders are saved.")
    assert (
        page.evaluate("sessionStorage.getItem('subscribedWith')") == "65"
    )  # the VAPID public key, decoded
    subscription = PushSubscription.objects.get()
    assert (subscription.patient, subscription.endpoint) == (
        patient,
        "https://push.example.com/send/phone-1",
    )
    schedule = ReminderSchedule.objects.get()
    assert schedule.by_push and schedule.by_email
    expect(page.get_by_text("1 phone is set up for notifications.")).to_be_visible()
    context.close()


def test_a_browser_without_push_keeps_the_box_hidden(browser, live_server, vapid_keys):
    patient = patient_with_plan(username="rita")
    context = browser.new_context(viewport=PHONE)
    context.add_init_script("delete window.PushManager;")
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    page.goto(f"{live_server.url}/reminders/")
    expect(page.locator("#push-channel")).to_be_hidden()
    expect(page.locator("#push-unsupported")).to_be_visible()
    context.close()
