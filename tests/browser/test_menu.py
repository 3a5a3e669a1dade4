"""Issue #15: the menu on a phone, with and without JavaScript; the language buttons; the "Larger
text" setting, remembered on the account; focus always visible."""

import re

import pytest
from playwright.sync_api import expect

from hipcare.models import User
from tests.browser.conftest import PHONE, log_in, log_out
from tests.factories import PlanFactory, PrescriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan(patient):
    plan = PlanFactory(patient=patient)
    PrescriptionFactory(plan=plan)
    return plan


def root_font_px(page):
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


def test_without_javascript_the_phone_menu_is_open(browser, live_server, patient):
    """Before: the menu sat behind a toggle that needs JavaScript, so "My program", the
    language and "Log out" could not be reached."""
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    expect(page.get_by_role("button", name="Toggle navigation")).to_be_hidden()
    page.get_by_role("link", name="My program").click()
    expect(page).to_have_url(re.compile(r"/my-program/$"))
    expect(page.get_by_role("link", name="My program")).to_have_attribute("aria-current", "page")

    page.get_by_role("button", name="Dansk").click()
    expect(page).to_have_url(re.compile(r"/my-program/$"))
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("button", name="Dansk")).to_have_attribute("aria-current", "true")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    context.close()


def test_with_javascript_the_phone_menu_toggles(browser, live_server, patient):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    history = page.get_by_role("link", name="History", exact=True)
    expect(history).to_be_hidden()
    page.get_by_role("button", name="Toggle navigation").click()
    expect(history).to_be_visible()
    # The language is two buttons, no select and "Change" button.
    expect(page.get_by_role("combobox", name="Language")).to_have_count(0)
    expect(page.get_by_role("group", name="Language").get_by_role("button")).to_have_text(
        ["English", "Dansk"]
    )
    page.get_by_role("button", name="Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    context.close()


def test_larger_text_is_remembered_on_the_account(browser, live_server, patient, plan):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    page.goto(f"{live_server.url}/history/")
    normal = root_font_px(page)
    body = float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))

    page.get_by_role("button", name="Toggle navigation").click()
    toggle = page.get_by_role("button", name="Larger text")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page).to_have_url(re.compile(r"/history/$"))  # back to the page
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    assert root_font_px(page) == pytest.approx(normal * 1.25)
    assert float(
        page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    ) == pytest.approx(body * 1.25)
    assert User.objects.get(pk=patient.pk).large_text is True
    log_out(page)
    context.close()

    # Another phone, another log-in: still larger.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    assert root_font_px(page) == pytest.approx(normal * 1.25)
    page.get_by_role("button", name="Toggle navigation").click()
    toggle = page.get_by_role("button", name="Larger text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\blarge-text\b"))
    assert root_font_px(page) == pytest.approx(normal)
    assert User.objects.get(pk=patient.pk).large_text is False
    context.close()


def focus_ring(page):
    return page.evaluate(
        """() => {
          let el = document.activeElement;
          if (el.matches(".btn-check")) el = document.querySelector(`label[for="${el.id}"]`);
          const s = getComputedStyle(el);
          return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
                  visible: document.activeElement.matches(":focus-visible")};
        }"""
    )


def test_focus_is_always_visible(browser, live_server, patient, plan):
    """Before: a pale yellow outline (1.6:1 on white), and none on the pain scale's buttons."""
    page = browser.new_page(viewport=PHONE)
    log_in(page, live_server.url, patient.username)
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        kind = page.evaluate(
            "document.activeElement.className || document.activeElement.tagName.toLowerCase()"
        )
        if kind == "body":  # past the last control
            break
        ring = focus_ring(page)
        assert ring["visible"], kind
        assert ring["style"] == "solid" and ring["width"] >= 3, (kind, ring)
        assert ring["color"] in ("rgb(26, 26, 26)", "rgb(255, 255, 255)"), (kind, ring)
        seen.add(kind.split()[0])
    assert "btn-check" in seen  # the pain scale
    assert {"skip-link", "navbar-brand", "btn"} <= seen, seen
