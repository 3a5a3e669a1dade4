"""Issue 15's goal for the patient: a whole session on a 390×844 phone in at most one interaction
per exercise plus 4, in under 30 s of estimated human time, with the first exercise on the first
screen after starting and the counts updating as the patient ticks.

What is counted: each tap (a click on a button or a link) and each field (a choice on a pain
scale, or text typed). The log-in is counted apart: a patient stays logged in on their phone.
The estimate adds a swipe for each control that is off the screen when the patient needs it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from exercises.models import Condition, ProgramTemplate
from plans import progress, services
from tests.browser.conftest import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECONDS_PER_TAP = 2
SECONDS_PER_FIELD = 3
SECONDS_PER_SWIPE = 1
MAX_SECONDS = 30


class Counter:
    """Wraps the page actions of the test, counting what a patient's thumb would do."""

    def __init__(self, page: Page):
        self.page = page
        self.taps = self.fields = self.swipes = 0
        self.swiped = []  # what was off the screen when needed

    def _reach(self, target: Locator):
        """A control not on the screen (the page may still be scrolling to it) needs a swipe."""
        try:
            expect(target).to_be_in_viewport(ratio=1, timeout=1500)
        except AssertionError:
            self.swipes += 1
            self.swiped.append(" ".join(target.text_content().split()))

    def tap(self, target: Locator):
        self._reach(target)
        target.click()
        self.taps += 1

    def choose(self, target: Locator):
        """A value on a pain scale: a decision, counted as a field."""
        self._reach(target)
        target.click()
        self.fields += 1

    @property
    def interactions(self):
        return self.taps + self.fields

    @property
    def seconds(self):
        return (
            self.taps * SECONDS_PER_TAP
            + self.fields * SECONDS_PER_FIELD
            + self.swipes * SECONDS_PER_SWIPE
        )

    def __str__(self):
        swiped = f" ({', '.join(self.swiped)})" if self.swiped else ""
        return (
            f"{self.interactions} interactions ({self.taps} taps, {self.fields} fields), "
            f"{self.swipes} swipes{swiped}, about {self.seconds} s"
        )


def week_text(plan):
    """The week's figures as the page words them, from the database."""
    return progress.week(plan, timezone.localdate(), today=timezone.localdate()).text


@pytest.fixture
def program(catalogue, patient, request):
    template = ProgramTemplate.objects.get(condition__code=request.param)
    return services.plan_assign(
        physio=patient.physio,
        patient=patient,
        condition=Condition.objects.get(code=request.param),
        side="left",
        start_date=timezone.localdate() - datetime.timedelta(days=2),
        weeks=12,
        sessions_per_week=3,
        items=services.template_items(template),
        template=template,
    )


@pytest.mark.parametrize("program", ["bursitis", "osteoarthritis"], indirect=True)
def test_a_whole_session_on_a_phone(browser, live_server, program, patient, capsys):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    login = Counter(page)
    login.taps, login.fields = 1, 2  # e-mail or username, password, "Log in"
    log_in(page, live_server.url, patient.username)
    names = [rx.exercise.name for rx in progress.prescriptions_on(program, timezone.localdate())]
    total = len(names)
    count = Counter(page)
    problems = []

    # 1. Pain now; the safety questions are read, and none is ticked.
    count.choose(
        page.get_by_role("radiogroup", name=re.compile("Pain right now")).get_by_text(
            "2", exact=True
        )
    )
    count.tap(page.get_by_role("button", name="Save answers and start"))
    page.wait_for_load_state("load")
    # As a person would: look once the page has stopped scrolling to the first exercise.
    page.wait_for_function(
        "() => new Promise(done => { const y = scrollY; setTimeout(() => done(scrollY === y), 250); })"
    )
    first = page.locator("li", has_text=names[0])
    try:  # the whole first exercise, its name to its button, within a moment of the page load
        expect(first).to_be_in_viewport(ratio=1, timeout=1000)
    except AssertionError:
        problems.append("the first exercise is not on the screen after starting")
    done_count = page.locator("#exercises")
    week = page.locator("#week-progress")

    # 2. Every exercise, with the counts checked after each tick.
    for index, name in enumerate(names, start=1):
        item = page.locator("li", has_text=name)
        count.tap(item.get_by_role("button", name=f"Mark as done – {name}"))
        expect(item.get_by_role("status")).to_have_text(re.compile("Done"))
        try:
            expect(done_count).to_contain_text(f"({index} of {total} done)", timeout=1000)
            expect(week).to_contain_text(week_text(program), timeout=1000)
        except AssertionError:
            problems.append(f"the counts did not update after tick {index}")

    # 3. Pain after, and finish.
    count.choose(
        page.get_by_role("radiogroup", name=re.compile("Pain after the session")).get_by_text(
            "3", exact=True
        )
    )
    count.tap(page.get_by_role("button", name="Finish session"))
    expect(page.get_by_text("Well done! Your session is saved.")).to_be_visible()
    context.close()

    limit = total + 4
    with capsys.disabled():
        print(
            f"\nsession, {program.condition.code}, {total} exercises, 390×844: {count}"
            f" (limit {limit} interactions, {MAX_SECONDS} s); log-in adds {login}"
        )
    assert not problems, problems
    assert count.interactions <= limit
    assert count.seconds < MAX_SECONDS
