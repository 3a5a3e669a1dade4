"""Issue 12's rules at their boundaries (clinical-facts.md §3–§5), with no database."""

import datetime

import pytest

from plans import rules
from plans.rules import SessionFacts

DAY = datetime.date(2026, 3, 2)


@pytest.mark.parametrize(
    "pain_now,red_flags,stop",
    [
        (6, [], False),
        (7, [], True),  # 7–10 is severe on the NRS [9][10]
        (10, [], True),
        (0, ["fall"], True),  # a new fall or injury since the last session
        (0, [], False),  # no new fall: an old fall that started the pain is not asked about
        (None, [], False),
        (2, ["night_pain"], True),  # night pain with weight loss or cancer (the question says so)
    ],
)
def test_the_safety_questions_before_the_session(pain_now, red_flags, stop):
    assert rules.screen_says_stop(pain_now, red_flags) is stop


@pytest.mark.parametrize(
    "pain_after,mode,eases",
    [
        (5, rules.PAIN_MODE_MONITORING, False),
        (6, rules.PAIN_MODE_MONITORING, True),  # one session above 5 eases the next [9][10]
        (None, rules.PAIN_MODE_MONITORING, False),
        (0, rules.PAIN_MODE_FREE, False),
        (1, rules.PAIN_MODE_FREE, True),  # pain-free mode: any pain eases off
    ],
)
def test_one_hard_session(pain_after, mode, eases):
    assert rules.eases_next_session(pain_after, mode) is eases


@pytest.mark.parametrize(
    "pains,flagged",
    [
        ([5, 5, 5], True),
        ([4, 4, 4], False),
        ([5, 5, 4], True),  # most sessions
        ([5, 4, 4], False),
        ([5, 5, 4, 4], False),  # half is not most
        ([6], False),  # a single session is not a week of high pain
        ([6, 6], True),
        ([6, None, 6], True),  # a session without the question does not dilute it
    ],
)
def test_pain_before_at_5_on_most_sessions_of_a_week(pains, flagged):
    assert rules.high_pain_week(pains) is flagged


def flags(sessions=(), week=(), review=False):
    return rules.patient_flags(
        sessions=sessions,
        weekly_pain_before=[5, 5, 5, 5],  # steady, not rising
        adherence_14d=100,
        days_running=28,
        last_session=DAY,
        today=DAY,
        pending=False,
        week_pains_before=week,
        review_is_due=review,
    )


def test_steady_pain_at_6_keeps_the_patient_flagged_although_not_rising():
    assert flags(week=[6, 6, 5]) == [rules.FLAG_HIGH_PAIN]
    assert flags(week=[4, 4, 4]) == []


@pytest.mark.parametrize(
    "session,flagged",
    [
        (SessionFacts(DAY, 7, None), True),  # stopped by the safety questions
        (SessionFacts(DAY, 6, None), False),
        (SessionFacts(DAY, 3, 7), True),
        (SessionFacts(DAY, 3, 6), False),
        (SessionFacts(DAY, 0, None, ("fall",)), True),
    ],
)
def test_a_session_that_needs_a_contact_flags_until_covered(session, flagged):
    assert (rules.FLAG_SEVERE in flags(sessions=[session])) is flagged


def test_a_screen_stop_is_a_stop_and_review():
    suggestion = rules.suggest(
        sessions=[],
        weekly_pain_before=[None] * 4,
        adherence_14d=None,
        screened=[SessionFacts(DAY, 8, None)],
    )
    assert suggestion.kind == rules.STOP and suggestion.reasons[0].code == "pain_now_severe"


def test_pain_free_mode_eases_off_where_monitoring_progresses():
    sessions = [SessionFacts(DAY + datetime.timedelta(days=d), 2, 2) for d in (0, 2, 4, 6)]
    kwargs = {"sessions": sessions, "weekly_pain_before": [2, 2, 2, 2], "adherence_14d": 100}
    assert rules.suggest(**kwargs).kind == rules.PROGRESS
    assert rules.suggest(**kwargs, mode=rules.PAIN_MODE_FREE).kind == rules.EASE_OFF


START = datetime.date(2026, 1, 5)
END = START + datetime.timedelta(weeks=12, days=-1)


@pytest.mark.parametrize(
    "today,last_review,due",
    [
        (START + datetime.timedelta(days=41), None, False),  # before 6 weeks
        (START + datetime.timedelta(days=42), None, True),  # the 6-week review
        (START + datetime.timedelta(days=50), START + datetime.timedelta(days=43), False),
        (END, START + datetime.timedelta(days=43), False),
        (END + datetime.timedelta(days=1), START + datetime.timedelta(days=43), True),  # ended
        (END + datetime.timedelta(days=9), END + datetime.timedelta(days=2), False),
    ],
)
def test_review_at_six_weeks_and_at_the_end(today, last_review, due):
    assert rules.review_due(start=START, end=END, today=today, last_review=last_review) is due


def test_a_program_shorter_than_six_weeks_is_reviewed_at_its_end():
    end = START + datetime.timedelta(weeks=4, days=-1)
    assert not rules.review_due(start=START, end=end, today=end, last_review=None)
    after = end + datetime.timedelta(days=1)
    assert rules.review_due(start=START, end=end, today=after, last_review=None)
