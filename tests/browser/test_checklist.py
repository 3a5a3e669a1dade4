import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exercises.dose import Dose
from plans import progress, services
from plans.models import Prescription, Session, SessionEntry
from tests.browser.conftest import PHONE, log_in, log_out
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    expect(page.get_by_text(re.compile(r"Week 1 of \d+: 1 of 3 sessions"))).to_be_visible()

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


# --- Issue 15: the patient's session on a phone ---------------------------------------------------


def start(page, pain=2):
    page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
        str(pain), exact=True
    ).click()
    page.get_by_role("button", name="Save answers and start").click()


def names_of(plan):
    day = timezone.localdate()
    return [rx.exercise.name for rx in progress.prescriptions_on(plan, day)]


def test_changed_answers_are_saved_and_confirmed(browser, live_server, fai_plan, patient):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start(page, 2)
    page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
        "5", exact=True
    ).click()
    page.get_by_role("button", name="Update my answers").click()
    confirmation = page.get_by_text("Your answers are updated: pain now 5 of 10.")
    expect(confirmation).to_be_in_viewport()
    session = Session.objects.get(plan=fai_plan)
    assert session.pain_before == 5
    assert list(session.answers.values_list("step", "pain")) == [("screen", 2), ("screen", 5)]
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_finishing_without_pain_after_shows_the_error_at_the_field(
    browser, live_server, fai_plan, patient, javascript
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start(page)
    first = names_of(fai_plan)[0]
    page.get_by_role("button", name=f"Mark as done – {first}").click()
    expect(page.locator("li", has_text=first).get_by_role("status")).to_have_text(
        re.compile("Done")
    )
    page.get_by_role("button", name="Finish session").click()

    error = page.locator("#finish").get_by_text("Choose how much it hurts after the session")
    expect(error).to_be_in_viewport()
    scale = page.get_by_role("radiogroup", name=re.compile("Pain after the session"))
    expect(scale).to_have_attribute("aria-invalid", "true")
    expect(scale).to_have_accessible_description(re.compile("Choose how much it hurts"))
    expect(page.locator("main > .alert")).to_have_count(0)  # not at the top of the page
    assert page.evaluate("document.activeElement.name") == "pain_after"
    assert Session.objects.get(plan=fai_plan).completed_at is None

    scale.get_by_text("3", exact=True).click()
    page.get_by_role("button", name="Finish session").click()
    expect(page.get_by_text("Well done! Your session is saved.")).to_be_visible()
    context.close()


def test_a_failed_tick_is_shown_at_the_exercise_and_not_ticked(
    browser, live_server, fai_plan, patient
):
    # page.route does not see requests that pass through a service worker (hipcare's, once it
    # controls the page): this test is about a failed send, so none is registered.
    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start(page)
    first, second = names_of(fai_plan)[:2]
    total = len(names_of(fai_plan))
    item = page.locator("li", has_text=first)
    not_saved = "Not saved – check your connection and try again."

    for failure in ("server error", "lost connection"):
        if failure == "server error":
            page.route("**/tick/**", lambda route: route.fulfill(status=500, body="Server Error"))
        else:
            page.route("**/tick/**", lambda route: route.abort("internetdisconnected"))
        page.get_by_role("button", name=f"Mark as done – {first}").click()
        expect(item.get_by_role("alert")).to_have_text(not_saved)
        expect(item.get_by_role("button", name=f"Mark as done – {first}")).to_be_visible()
        expect(page.locator("#done-count")).to_have_text(f"(0 of {total} done)")
        page.unroute("**/tick/**")
    assert not SessionEntry.objects.exists()

    page.get_by_role("button", name=f"Mark as done – {first}").click()  # tried again: saved
    expect(item.get_by_role("status")).to_have_text(re.compile("Done"))
    expect(item.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#done-count")).to_have_text(f"(1 of {total} done)")

    # The physio changes a dose while the page is open: the new dose comes, with why.
    rx = Prescription.objects.current().get(plan=fai_plan, exercise__name_en=second)
    new = services.prescription_change_dose(
        prescription=rx,
        by=fai_plan.physio,
        dose=Dose(rx.dose.sets - 1 or 2, rx.dose.unit, rx.dose.low, rx.dose.high),
    )
    changed = page.locator(f"#rx-{rx.pk}")
    page.get_by_role("button", name=f"Mark as done – {second}").click()
    row = page.locator(f"#rx-{new.pk}")
    expect(row.get_by_role("alert")).to_contain_text("Your physiotherapist has changed this")
    expect(row).to_contain_text(f"{new.dose.sets} ×")
    expect(changed).to_have_count(0)
    assert SessionEntry.objects.count() == 1
    row.get_by_role("button", name=f"Mark as done – {second}").click()
    expect(row.get_by_role("status")).to_have_text(re.compile("Done"))
    expect(page.locator("#done-count")).to_have_text(f"(2 of {total} done)")
    context.close()


def test_the_focus_stays_with_the_work_and_is_clearly_visible(
    browser, live_server, fai_plan, patient
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start(page)
    names = names_of(fai_plan)

    # By keyboard: a tick moves on to the next exercise, an undo stays at its own.
    page.get_by_role("button", name=f"Mark as done – {names[0]}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Mark as done – {names[1]}")).to_be_focused()
    # The counts change as the patient ticks, and are read out politely.
    count = page.locator("#done-count")
    expect(count).to_have_attribute("aria-live", "polite")
    expect(page.locator("#week-progress")).to_have_attribute("aria-live", "polite")
    expect(count).to_have_text(f"(1 of {len(names)} done)")
    expect(page.locator("#week-progress")).to_contain_text("1 of 3 sessions")
    page.get_by_role("button", name=f"Undo – {names[0]}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Mark as done – {names[0]}")).to_be_focused()
    expect(count).to_have_text(f"(0 of {len(names)} done)")
    expect(page.locator("#week-progress")).to_contain_text("0 of 3 sessions")
    # The last one done: on to the finish.
    for name in reversed(names):
        page.get_by_role("button", name=f"Mark as done – {name}").focus()
        page.keyboard.press("Enter")
        expect(page.locator("li", has_text=name).get_by_role("status")).to_have_text(
            re.compile("Done")
        )
    expect(page.locator("#finish-heading")).to_be_focused()
    expect(page.locator("#finish")).to_be_in_viewport()

    # The pain scale's focus: a thick outline of at least 3:1 against the white page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "pain_after"
    label = page.locator("label[for='id_pain_after_0']")
    style = label.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 3, style
    assert contrast(style[2], "rgb(255, 255, 255)") >= 3, style
    context.close()


def contrast(one, other):
    def luminance(css):
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_safety_is_compact_and_starting_lands_on_the_first_exercise(
    browser, live_server, fai_plan, patient, javascript
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    safety = page.locator("section.safety")
    height = safety.bounding_box()["height"]
    assert height <= PHONE["height"] * 0.2, f"the safety box is {height:.0f} px tall"
    expect(page.get_by_role("radiogroup", name=re.compile("Pain right now"))).to_be_in_viewport()
    # The longer advice is one tap away.
    safety.get_by_text("More safety advice").click()
    expect(safety.get_by_text(re.compile("If pain increases from week to week"))).to_be_visible()

    start(page)
    first = page.locator("li", has_text=names_of(fai_plan)[0])
    expect(first).to_be_focused()
    expect(first).to_be_in_viewport(ratio=1)
    expect(page.locator("#done-count")).to_be_in_viewport()
    context.close()


def test_disclosure_rows_are_44_px_touch_targets(browser, live_server, fai_plan, patient):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start(page)
    first = page.locator("li", has_text=names_of(fai_plan)[0])
    for summary in (
        first.locator("summary", has_text="How to do it"),
        first.locator("summary", has_text="Record sets and reps (optional)"),
        page.locator("section.safety summary"),
    ):
        if summary.count():  # the safety advice is a disclosure only since issue 15
            height = summary.bounding_box()["height"]
            assert height >= 44, f"{summary.text_content()}: {height:.0f} px"
    context.close()
