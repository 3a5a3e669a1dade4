"""Issue #15: adherence figures that read right.

"1 of 0 prescribed sessions · 100 %" on day one, "24 of 20" and "Week 7 of 12: 4 of 3 sessions" read
wrong. plans/progress.py words every adherence figure (Adherence.text, Week.text); the percentage
is the shown fraction, with sessions beyond the prescription counted at most as prescribed.
The table tests need no database; the last tests render the pages.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from plans import progress, rules
from plans.models import Session, SessionEntry
from tests.factories import PlanFactory, PrescriptionFactory
from tests.plans.fakes import FakePlan, day


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "done,prescribed,text,percent",
    [
        # Day one of 3 a week: 3/7 of a session is due, which the page shows as 0.
        (0, 3 / 7, "No sessions prescribed yet", None),
        (1, 3 / 7, "1 session done; none prescribed yet", None),
        (2, 3 / 7, "2 sessions done; none prescribed yet", None),
        (0, 0, "No sessions prescribed yet", None),
        # Day two: 6/7 of a session, shown as 1.
        (1, 6 / 7, "1 of 1 prescribed sessions", 100),
        (0, 6, "0 of 6 prescribed sessions", 0),
        (5, 6, "5 of 6 prescribed sessions", 83),
        (6, 6, "6 of 6 prescribed sessions", 100),
        # The percentage is the fraction shown: not "3 of 3 · 87 %" (3 of 3.43).
        (3, 3 * 8 / 7, "3 of 3 prescribed sessions", 100),
        (5, 3 * 17 / 7, "5 of 7 prescribed sessions", 71),
        # More than prescribed: said so, and counted as prescribed (at most 100 %).
        (24, 20, "24 sessions (20 prescribed)", 100),
        (24, 3 * 47 / 7, "24 sessions (20 prescribed)", 100),
        (2, 1, "2 sessions (1 prescribed)", 100),
    ],
)
def test_adherence_reads_right(done, prescribed, text, percent):
    adherence = progress.Adherence(done=done, prescribed=prescribed)
    assert adherence.text == text
    assert adherence.percent == percent
    assert adherence.counted == min(done, adherence.prescribed_display)
    assert adherence.counted <= adherence.prescribed_display


def a_week(index, done, *, today, plan=None):
    plan = plan or FakePlan(weeks=12)
    span = progress.week_of(plan, day(7 * (index - 1)))
    rows = [{"date": span.start, "ticks": 1, "pain_before": 2, "pain_after": 2}] * done
    return progress.build_week(plan, span, rows, today=today)


@pytest.mark.parametrize(
    "index,done,today,text,count,percent",
    [
        (7, 0, day(42), "Week 7 of 12: 0 of 3 sessions", "0 of 3 sessions", None),  # under way
        (7, 2, day(44), "Week 7 of 12: 2 of 3 sessions", "2 of 3 sessions", None),
        (7, 4, day(44), "Week 7 of 12: 4 sessions (3 planned)", "4 sessions (3 planned)", None),
        (7, 2, day(60), "Week 7 of 12: 2 of 3 sessions", "2 of 3 sessions", 67),  # over
        (7, 3, day(60), "Week 7 of 12: 3 of 3 sessions", "3 of 3 sessions", 100),
        (7, 4, day(60), "Week 7 of 12: 4 sessions (3 planned)", "4 sessions (3 planned)", 100),
    ],
)
def test_a_week_reads_right(index, done, today, text, count, percent):
    week = a_week(index, done, today=today)
    assert (week.text, week.count_text, week.percent) == (text, count, percent)


@pytest.mark.parametrize(
    "done,text,percent",
    [
        (0, "Week 2 of 12: no sessions planned", None),
        (1, "Week 2 of 12: 1 session (none planned)", None),
    ],
)
def test_the_one_day_last_week_of_an_ended_program(done, text, percent):
    plan = FakePlan(weeks=12, ended_on=day(7))  # ended on the first day of week 2: 3/7 of a session
    week = a_week(2, done, today=day(30), plan=plan)
    assert (week.text, week.percent) == (text, percent)


def test_the_percentage_feeds_the_rules_unchanged_in_a_full_window():
    # 14 days of 3 a week: 6 prescribed exactly, so the rules see the same figure as before.
    adherence = progress.Adherence(done=5, prescribed=rules.prescribed_sessions(3, 14))
    assert adherence.percent == rules.adherence_percent(5, 6) == 83


# --- The pages ------------------------------------------------------------------------------------


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def ticked(plan, rx, day_):
    session = Session.objects.create(plan=plan, date=day_, pain_before=2, pain_after=2)
    SessionEntry.objects.create(session=session, prescription=rx)


@pytest.mark.django_db
def test_day_one_says_none_prescribed_yet_and_shows_no_percentage(client, patient):
    today = timezone.localdate()
    plan = PlanFactory(patient=patient, start_date=today, sessions_per_week=3)
    ticked(plan, PrescriptionFactory(plan=plan, valid_from=today), today)
    client.force_login(patient)
    page = text(client.get(reverse("plans:history")))
    assert "1 of 0" not in page and "100 %" not in page
    assert page.count("1 session done; none prescribed yet") == 2  # recent and whole program
    client.force_login(patient.physio)
    detail = text(client.get(reverse("plans:patient-detail", args=[patient.pk])))
    assert "1 of 0" not in detail and "100 %" not in detail
    assert "1 session done; none prescribed yet" in detail
    assert "Week 1 of 12: 1 of 3 sessions" in detail


@pytest.mark.django_db
def test_more_than_prescribed_says_so(client, patient):
    today = timezone.localdate()
    # Started 8 days ago: week 1 ran to 2 days ago (4 sessions), week 2 began yesterday (2 so
    # far); 9 days of 3 a week prescribe 3.86 sessions, shown as 4, and 6 are done.
    plan = PlanFactory(
        patient=patient, start_date=today - datetime.timedelta(days=8), sessions_per_week=3
    )
    rx = PrescriptionFactory(plan=plan, valid_from=plan.start_date)
    for ago in (0, 1, 2, 3, 4, 5):
        ticked(plan, rx, today - datetime.timedelta(days=ago))
    client.force_login(patient)
    checklist = text(client.get(reverse("plans:today")))
    assert "Week 2 of 12: 2 of 3 sessions" in checklist
    history = text(client.get(reverse("plans:history")))
    assert "6 sessions (4 prescribed)" in history  # not "6 of 4"
    assert "4 sessions (3 planned) · 100 %" in history  # week 1, over
    assert not re.search(r"\b(\d+) of (\d+)\b", history) or all(
        int(a) <= int(b) for a, b in re.findall(r"\b(\d+) of (\d+)\b", history)
    )
    client.force_login(patient.physio)
    caseload = text(client.get(reverse("plans:caseload")))
    assert "Week 2 of 12: 2 of 3 sessions" in caseload
