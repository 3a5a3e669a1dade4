import datetime

import pytest

from plans import rules

D = datetime.date


@pytest.mark.parametrize(
    "pain_after,flags,expected",
    [(None, [], False), (6, [], False), (7, [], True), (10, [], True), (0, ["calf"], True)],
)
def test_session_needs_attention(pain_after, flags, expected):
    assert rules.session_needs_attention(pain_after, flags) is expected


def test_loggable_days_are_today_and_seven_back_within_the_plan():
    today = D(2026, 11, 24)
    days = rules.loggable_days(start=D(2026, 1, 1), last_day=D(2026, 12, 31), today=today)
    assert days[0] == today and days[-1] == D(2026, 11, 17) and len(days) == 8


def test_loggable_days_stop_at_the_start_and_the_end():
    today = D(2026, 11, 24)
    assert rules.loggable_days(start=D(2026, 11, 22), last_day=D(2026, 12, 1), today=today) == [
        D(2026, 11, 24), D(2026, 11, 23), D(2026, 11, 22),
    ]  # fmt: skip
    ended = rules.loggable_days(start=D(2026, 10, 1), last_day=D(2026, 11, 20), today=today)
    assert ended[0] == D(2026, 11, 20)
    assert rules.loggable_days(start=D(2026, 12, 1), last_day=D(2027, 1, 1), today=today) == []


def test_program_weeks_follow_a_mid_week_start():
    weeks = rules.program_weeks(start=D(2026, 11, 4), last_day=D(2026, 11, 20))  # a Wednesday
    assert weeks == [
        (1, D(2026, 11, 4), D(2026, 11, 10)),
        (2, D(2026, 11, 11), D(2026, 11, 17)),
        (3, D(2026, 11, 18), D(2026, 11, 20)),  # the program ended early: a short last week
    ]


@pytest.mark.parametrize(
    "per_week,days,expected", [(3, 14, 6.0), (4, 7, 4.0), (3, 0, 0.0), (3, -5, 0.0)]
)
def test_prescribed_sessions(per_week, days, expected):
    assert rules.prescribed_sessions(per_week, days) == expected


@pytest.mark.parametrize(
    "done,prescribed,percent,level",
    [
        (0, 0, None, None),  # nothing prescribed yet
        (0, 6, 0, "low"),  # weeks with no sessions
        (2, 6, 33, "low"),
        (3, 6, 50, "partial"),
        (4, 5, 80, "adherent"),
        (9, 6, 100, "adherent"),  # capped at 100
        (47, 60, 78, "partial"),
    ],
)
def test_adherence(done, prescribed, percent, level):
    assert rules.adherence_percent(done, prescribed) == percent
    assert rules.adherence_level(percent) == level


def test_elapsed_days():
    assert (
        rules.elapsed_days(start=D(2026, 11, 1), end=D(2026, 11, 30), today=D(2026, 11, 10)) == 10
    )
    assert rules.elapsed_days(start=D(2026, 11, 1), end=D(2026, 11, 5), today=D(2026, 11, 10)) == 5
    assert (
        rules.elapsed_days(start=D(2026, 11, 20), end=D(2026, 11, 30), today=D(2026, 11, 10)) == 0
    )
