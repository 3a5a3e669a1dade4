"""Issue 17: hold and rest timers on today's checklist, in real Chromium on a phone-size page.

The page's clock is Playwright's (page.clock): installed before the first page, then paused, so
the tests move time on by exactly the seconds they mean and never wait them out."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exercises.models import Condition, ProgramTemplate
from plans import services
from plans.models import SessionEntry
from tests.browser.conftest import PHONE, log_in
from tests.browser.test_axe import AXE, RUN_AXE, WCAG_TAGS, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STANCE = "Single-leg stance"  # 3 × 30 s hold per side
BRIDGE = "Bridge"  # 2 × 10–15 reps


@pytest.fixture
def bursitis_plan(catalogue, patient):
    template = ProgramTemplate.objects.get(condition__code="bursitis")
    return services.plan_assign(
        physio=patient.physio,
        patient=patient,
        condition=Condition.objects.get(code="bursitis"),
        side="both",
        start_date=timezone.localdate() - datetime.timedelta(days=2),
        weeks=12,
        sessions_per_week=3,
        items=services.template_items(template),
        template=template,
    )


def start_session(page):
    page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
        "2", exact=True
    ).click()
    page.get_by_role("button", name="Save answers and start").click()


def pause_clock(page):
    """Stop the page's time where it is: from here on only run_for / fast_forward move it."""
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)


def record_announcements(page):
    """Every text the timers' polite live regions receive, in order, in window.said."""
    page.evaluate(
        """() => {
          window.said = [];
          new MutationObserver((changes) => {
            for (const c of changes) {
              const region = c.target.closest ? c.target.closest("[data-timer-say]")
                : c.target.parentElement.closest("[data-timer-say]");
              if (region) window.said.push(region.textContent.trim());
            }
          }).observe(document.getElementById("checklist"),
                     {childList: true, subtree: true, characterData: true});
        }"""
    )


def said(page):
    return page.evaluate("window.said")


class Timer:
    def __init__(self, page, name):
        self.page = page
        self.row = page.locator("li[data-item]", has_text=name)
        self.box = self.row.get_by_role("group", name=f"Timer: {name}")
        self.clock = self.box.get_by_role("timer")
        self.set = self.box.locator("[data-timer-set]")
        self.phase = self.box.locator("[data-timer-phase]")
        self.name = name

    def button(self, label):
        return self.box.get_by_role("button", name=f"{label} – {self.name}", exact=True)

    def expect(self, set_, phase, clock=None):
        expect(self.set).to_have_text(set_)
        expect(self.phase).to_have_text(phase)
        if clock is not None:
            expect(self.clock).to_have_text(clock)


def test_a_hold_per_side_counts_down_marks_the_sets_and_the_tick_saves_them(
    browser, live_server, bursitis_plan, patient
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.clock.install()
    log_in(page, live_server.url, patient.username)
    start_session(page)
    stance = Timer(page, STANCE)
    expect(stance.box).to_be_visible()
    stance.expect("Set 1 of 3", "Hold – left side", "0:30")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    record_announcements(page)
    pause_clock(page)

    stance.button("Start").click()
    expect(stance.button("Pause")).to_be_focused()  # the focus is not lost with Start
    stance.expect("Set 1 of 3", "Hold – left side", "0:30")
    page.clock.run_for(1_000)
    expect(stance.clock).to_have_text("0:29")
    page.clock.run_for(9_000)
    expect(stance.clock).to_have_text("0:20")
    page.clock.run_for(10_000)
    expect(stance.clock).to_have_text("0:10")
    # The left side's hold is over: a few seconds to change legs, then the right side.
    page.clock.run_for(10_000)
    stance.expect("Set 1 of 3", "Change to the right side", "0:05")
    page.clock.run_for(5_000)
    stance.expect("Set 1 of 3", "Hold – right side", "0:30")
    # Both sides held: the counter moves on to set 2 and the rest counts down.
    page.clock.run_for(30_000)
    stance.expect("Set 2 of 3", "Rest", "0:30")
    expect(stance.button("Skip rest")).to_be_visible()
    page.clock.run_for(15_000)
    expect(stance.clock).to_have_text("0:15")
    page.clock.run_for(15_000)
    stance.expect("Set 2 of 3", "Hold – left side", "0:30")

    # Pause holds the time still; Resume goes on from there.
    stance.button("Pause").click()
    stance.expect("Set 2 of 3", "Paused: Hold – left side", "0:30")
    page.clock.run_for(20_000)
    expect(stance.clock).to_have_text("0:30")
    stance.button("Resume").click()
    page.clock.run_for(20_000)
    expect(stance.clock).to_have_text("0:10")

    # The rest of set 2 (10 + 5 + 30), the rest (30) and set 3 (30 + 5 + 30).
    page.clock.run_for(140_000)
    stance.expect("Set 3 of 3", "All sets done")
    expect(stance.clock).to_be_hidden()
    sets_done = stance.row.get_by_label("Sets done")
    seconds = stance.row.get_by_label("Seconds or minutes")
    expect(sets_done).to_have_value("3")
    expect(seconds).to_have_value("30")
    expect(sets_done).to_be_visible()  # the optional fields are opened to show it
    tick = page.get_by_role("button", name=f"Mark as done – {STANCE}")
    expect(tick).to_be_focused()
    assert not SessionEntry.objects.exists()  # nothing is sent before the patient ticks

    # Read out at each step, not every second.
    words = said(page)
    for expected in (
        "Set 1 of 3. Hold – left side: 30 seconds",
        "10 seconds left",
        "Hold done – change to the right side",
        "Hold – right side: 30 seconds",
        "Hold done – rest 30 seconds",
        "Rest done – next set",
        "Paused",
        "All sets done",
    ):
        assert expected in words, (expected, words)
    assert words[-1] == "All sets done"
    assert len(words) < 40, words

    page.clock.resume()
    page.keyboard.press("Enter")
    expect(stance.row.get_by_role("status")).to_have_text(re.compile(r"Done – 3 sets × 30"))
    entry = SessionEntry.objects.get()
    assert (entry.prescription.exercise.name_en, entry.sets_done, entry.reps_done) == (
        STANCE,
        3,
        30,
    )
    expect(stance.box).to_have_count(0)  # a ticked exercise has no timer

    # Undo: the row is swapped in anew and its timer works again, from the first set.
    page.get_by_role("button", name=f"Undo – {STANCE}").click()
    expect(stance.button("Start")).to_be_visible()
    stance.expect("Set 1 of 3", "Hold – left side", "0:30")
    context.close()


def test_a_background_tab_catches_up_from_the_end_time(
    browser, live_server, bursitis_plan, patient
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.clock.install()
    log_in(page, live_server.url, patient.username)
    start_session(page)
    stance = Timer(page, STANCE)
    pause_clock(page)
    stance.button("Start").click()
    # A hidden tab's timers are throttled: 70 s pass with a single late callback. Left 30 s,
    # change 5 s, right 30 s: 5 s into the rest.
    page.clock.fast_forward(70_000)
    stance.expect("Set 2 of 3", "Rest", "0:25")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.clock.fast_forward(600_000)  # long gone: every set done
    stance.expect("Set 3 of 3", "All sets done")
    expect(stance.row.get_by_label("Sets done")).to_have_value("3")
    context.close()


def test_sets_of_reps_rest_between_sets_and_count_them(
    browser, live_server, bursitis_plan, patient
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.clock.install()
    log_in(page, live_server.url, patient.username)
    start_session(page)
    bridge = Timer(page, BRIDGE)
    bridge.expect("Set 1 of 2", "Do the set, then press “Set done”")
    expect(bridge.clock).to_be_hidden()
    expect(bridge.button("Start")).to_be_hidden()
    pause_clock(page)
    bridge.button("Set done – rest").click()
    bridge.expect("Set 2 of 2", "Rest", "1:00")
    expect(bridge.button("Skip rest")).to_be_focused()
    page.clock.run_for(30_000)
    expect(bridge.clock).to_have_text("0:30")
    page.clock.run_for(30_000)
    bridge.expect("Set 2 of 2", "Do the set, then press “Set done”")
    expect(bridge.button("Set done")).to_be_focused()  # the last set: no rest after it
    bridge.button("Set done").click()
    bridge.expect("Set 2 of 2", "All sets done")
    expect(bridge.row.get_by_label("Sets done")).to_have_value("2")
    expect(bridge.row.get_by_label("Reps per set")).to_have_value("")  # the patient's to say
    expect(page.get_by_role("button", name=f"Mark as done – {BRIDGE}")).to_be_focused()
    context.close()


def test_sound_and_vibration_switches_are_remembered(browser, live_server, bursitis_plan, patient):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start_session(page)
    stance = Timer(page, STANCE)
    sound = stance.box.get_by_role("switch", name="Sound")
    vibration = stance.box.get_by_role("switch", name="Vibration")
    expect(sound).to_be_checked()
    expect(vibration).to_be_checked()
    # Touch targets: the switches' rows and the buttons are at least 44 px tall.
    for target in (
        sound.locator("xpath=.."),
        vibration.locator("xpath=.."),
        stance.button("Start"),
    ):
        assert target.bounding_box()["height"] >= 44, target
    sound.click()
    expect(sound).not_to_be_checked()
    # Every timer on the page follows the choice.
    expect(page.get_by_role("switch", name="Sound", checked=True)).to_have_count(0)
    page.reload()
    expect(stance.box.get_by_role("switch", name="Sound")).not_to_be_checked()
    expect(stance.box.get_by_role("switch", name="Vibration")).to_be_checked()
    stance.box.get_by_role("switch", name="Vibration").press("Space")  # by keyboard too
    page.reload()
    expect(stance.box.get_by_role("switch", name="Vibration")).not_to_be_checked()
    expect(stance.box.get_by_role("switch", name="Sound")).not_to_be_checked()
    assert page.evaluate("localStorage.getItem('hipcare.timer.sound')") == "off"
    context.close()


def test_a_running_timer_has_no_axe_violations(browser, live_server, bursitis_plan, patient):
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(path=AXE)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start_session(page)
    Timer(page, STANCE).button("Start").click()
    Timer(page, BRIDGE).button("Set done – rest").click()  # the stance pauses, the bridge rests
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert violations == [], report([("checklist", "phone", v) for v in violations])
    context.close()


def test_without_javascript_there_is_no_timer_and_ticking_works(
    browser, live_server, bursitis_plan, patient
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, patient.username)
    start_session(page)
    row = page.locator("li[data-item]", has_text=STANCE)
    expect(row.locator("[data-timer]")).to_have_count(1)  # in the page, but hidden
    expect(row.locator("[data-timer]")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile(r"^(Start|Set done)"))).to_have_count(0)
    expect(page.get_by_role("timer")).to_have_count(0)
    row.get_by_text("Record sets and reps (optional)").click()
    row.get_by_label("Sets done").fill("2")
    page.get_by_role("button", name=f"Mark as done – {STANCE}").click()
    expect(page).to_have_url(re.compile(r"/today/#rx-\d+$"))
    expect(row.get_by_role("status")).to_have_text(re.compile("Done – 2 sets"))
    assert SessionEntry.objects.get().sets_done == 2
    context.close()
