"""plans/progress.py: weeks and adherence from session rows, without a database."""

import pytest

from plans import progress, rules
from tests.plans.fakes import FakePlan, day


@pytest.mark.parametrize(
    "offset,expected",
    [
        (-1, None),
        (0, (1, day(0), day(6))),
        (6, (1, day(0), day(6))),
        (7, (2, day(7), day(13))),
        (27, (4, day(21), day(27))),
        (28, None),
    ],
)
def test_week_of_a_day(offset, expected):
    span = progress.week_of(FakePlan(), day(offset))
    assert (span and (span.index, span.start, span.end)) == expected


def test_week_of_agrees_with_the_list_of_program_weeks():
    plan = FakePlan(weeks=5, ended_on=day(30))
    weeks = progress.program_weeks(plan)
    for offset in range(0, 31):
        span = progress.week_of(plan, day(offset))
        assert span in weeks and span.start <= day(offset) <= span.end
    assert weeks[-1].end == day(30)  # the ended program's last week is short


def row(offset, *, ticks=1, before=None, after=None):
    return {"date": day(offset), "ticks": ticks, "pain_before": before, "pain_after": after}


def test_a_week_counts_ticked_sessions_only_and_their_mean_pain():
    rows = [row(7, before=2, after=4), row(8, ticks=0, before=9), row(9, before=4, after=6)]
    week = progress.build_week(
        FakePlan(), progress.week_of(FakePlan(), day(7)), rows, today=day(20)
    )
    assert (week.done, week.pain_before, week.pain_after) == (2, 3, 5)
    assert week.percent == 67 and week.level == "partial" and not week.in_progress


def test_a_week_under_way_has_no_percentage_and_shows_its_full_target():
    week = progress.build_week(
        FakePlan(), progress.week_of(FakePlan(), day(8)), [row(7)], today=day(8)
    )
    assert week.in_progress and week.percent is None and week.prescribed_display == 3


def test_adherence_names_its_denominator():
    adherence = progress.Adherence(done=5, prescribed=rules.prescribed_sessions(3, 14))
    assert (adherence.prescribed_display, adherence.percent, adherence.level) == (6, 83, "adherent")
    assert progress.Adherence(done=0, prescribed=0).percent is None
