"""The course's rules (courses/rules.py), as tables: when which questionnaire is asked, the
weekly pain, and how a change is judged against the minimal important change."""

import datetime

import pytest

from courses import rules
from courses.rules import BASELINE, DISCHARGE, REVIEW, MinimalImportantChange

START = datetime.date(2025, 3, 3)  # a Monday
END = START + datetime.timedelta(weeks=12, days=-1)  # a 12-week program's last day
REVIEW_ON = rules.review_on(START)


def day(n):
    return START + datetime.timedelta(days=n)


def test_review_is_six_weeks_after_the_start():
    assert START + datetime.timedelta(days=42) == REVIEW_ON


@pytest.mark.parametrize(
    ("today", "answered", "flags", "expected"),
    [
        # Baseline first: before anything else, whatever the day.
        (day(0), set(), {}, BASELINE),
        (day(50), set(), {}, BASELINE),
        (END, set(), {"discharge_asked": True}, BASELINE),
        # Nothing between baseline and the review window.
        (day(1), {BASELINE}, {}, None),
        (REVIEW_ON - datetime.timedelta(days=8), {BASELINE}, {}, None),
        # The review window opens 7 days before the review is due, and stays open until the
        # review questionnaire is answered or the physio has reviewed.
        (REVIEW_ON - datetime.timedelta(days=7), {BASELINE}, {}, REVIEW),
        (REVIEW_ON, {BASELINE}, {}, REVIEW),
        (REVIEW_ON + datetime.timedelta(days=10), {BASELINE}, {}, REVIEW),
        (REVIEW_ON, {BASELINE, REVIEW}, {}, None),
        (REVIEW_ON, {BASELINE}, {"reviewed": True}, None),
        # Discharge: in the program's last week, when the physio asks, or once discharged.
        (END - datetime.timedelta(days=8), {BASELINE, REVIEW}, {}, None),
        (END - datetime.timedelta(days=7), {BASELINE, REVIEW}, {}, DISCHARGE),
        (END, {BASELINE, REVIEW}, {}, DISCHARGE),
        (day(20), {BASELINE}, {"discharge_asked": True}, DISCHARGE),
        (day(20), {BASELINE}, {"discharged": True}, DISCHARGE),
        # Discharge open wins over an unanswered review.
        (END, {BASELINE}, {}, DISCHARGE),
        # Nothing after everything is answered.
        (END, {BASELINE, REVIEW, DISCHARGE}, {}, None),
        (
            END + datetime.timedelta(days=30),
            {BASELINE, REVIEW, DISCHARGE},
            {"discharged": True},
            None,
        ),
        (day(20), {BASELINE, DISCHARGE}, {"discharge_asked": True}, None),
    ],
)
def test_questionnaire_due(today, answered, flags, expected):
    due = rules.questionnaire_due(start=START, end=END, today=today, answered=answered, **flags)
    assert due == expected


@pytest.mark.parametrize(
    ("week", "answered", "expected"),
    [
        (None, set(), False),  # outside the program
        (0, set(), False),
        (1, set(), True),
        (1, {1}, False),
        (2, {1}, True),
        (5, {1, 2, 3, 4}, True),
        (5, {5}, False),
    ],
)
def test_weekly_pain_due(week, answered, expected):
    assert rules.weekly_pain_due(week, answered) is expected


NRS = MinimalImportantChange(points=2, percent=30)  # Farrar 2001: 2 points or 30 %
# A hypothetical MIC for a higher-is-better measure (the chair stand): 2 stands.
STANDS = MinimalImportantChange(points=2)
NONE = MinimalImportantChange(points=None, percent=None)


@pytest.mark.parametrize(
    ("start", "end", "higher_is_better", "mic", "expected"),
    [
        # Hip pain, 0–10, lower is better.
        (6, 4, False, NRS, rules.IMPROVED),  # 2 points
        (6, 5, False, NRS, rules.WITHIN),  # 1 point, 17 %
        (3, 2, False, NRS, rules.IMPROVED),  # 1 point but 33 %
        (10, 7, False, NRS, rules.IMPROVED),  # 3 points, 30 % exactly
        (4, 6, False, NRS, rules.WORSENED),  # 2 points up
        (2, 3, False, NRS, rules.WORSENED),  # 1 point but 50 % up
        (5, 5, False, NRS, rules.WITHIN),
        (0, 1, False, NRS, rules.WITHIN),  # no percent of 0
        (0, 2, False, NRS, rules.WORSENED),
        (None, 4, False, NRS, None),
        (6, None, False, NRS, None),
        (None, None, False, NRS, None),
        # A measure without a minimal important change: the change is not judged.
        (60.0, 80.0, True, NONE, rules.UNKNOWN),
        (60.0, 60.0, True, NONE, rules.UNKNOWN),
        (None, 80.0, True, NONE, None),
        # Higher is better (chair stands): the other direction.
        (9, 11, True, STANDS, rules.IMPROVED),
        (9, 10, True, STANDS, rules.WITHIN),
        (11, 9, True, STANDS, rules.WORSENED),
        (12, 12, True, STANDS, rules.WITHIN),
    ],
)
def test_change(start, end, higher_is_better, mic, expected):
    assert rules.change(start, end, higher_is_better=higher_is_better, mic=mic) == expected


def test_mic_known():
    assert NRS.known and STANDS.known
    assert MinimalImportantChange(points=None, percent=30).known
    assert not NONE.known
