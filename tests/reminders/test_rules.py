"""The reminder rules (reminders/rules.py), called directly: no database."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from reminders import rules

UTC = datetime.UTC
CPH = ZoneInfo("Europe/Copenhagen")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(zone, *args):
    return datetime.datetime(*args, tzinfo=zone)


# --- Default days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_week", "days"),
    [
        (1, [MON]),
        (2, [MON, THU]),
        (3, [MON, WED, FRI]),
        (4, [MON, TUE, THU, SAT]),
        (5, [MON, TUE, WED, FRI, SAT]),
        (6, [MON, TUE, WED, THU, FRI, SAT]),
        (7, [MON, TUE, WED, THU, FRI, SAT, SUN]),
    ],
)
def test_default_days_spread_the_sessions_over_the_week(per_week, days):
    assert rules.default_days(per_week) == days


def test_default_days_never_leave_two_days_gap_more_than_one_longer_than_another():
    for per_week in range(1, 8):
        days = rules.default_days(per_week)
        gaps = [(b - a) % 7 or 7 for a, b in zip(days, days[1:] + days[:1], strict=True)]
        assert max(gaps) - min(gaps) <= 1, (per_week, days)


def test_days_mask_round_trips_and_refuses_a_non_day():
    assert rules.days_list(rules.days_mask([FRI, MON, WED])) == [MON, WED, FRI]
    assert rules.days_mask(range(7)) == rules.ALL_DAYS
    with pytest.raises(ValueError):
        rules.days_mask([7])


# --- Quiet hours ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "quiet"),
    [
        (datetime.time(7, 59), True),
        (datetime.time(8, 0), False),
        (datetime.time(12, 0), False),
        (datetime.time(20, 59), False),
        (datetime.time(21, 0), True),
        (datetime.time(23, 30), True),
        (datetime.time(0, 0), True),
        (datetime.time(3, 0), True),
    ],
)
def test_quiet_hours_are_the_night(time, quiet):
    assert rules.is_quiet(time) is quiet


def test_the_latest_time_is_the_minute_before_the_night():
    assert rules.latest_time() == datetime.time(20, 59)
    assert not rules.is_quiet(rules.latest_time())


# --- Next occurrence ------------------------------------------------------------------------------


def test_next_occurrence_is_today_when_the_time_is_still_to_come():
    monday_noon = at(CPH, 2026, 6, 1, 12, 0)  # a Monday
    due = rules.next_occurrence(
        days=rules.days_mask([MON, WED]), at=datetime.time(17), zone=CPH, after=monday_noon
    )
    assert due == at(CPH, 2026, 6, 1, 17, 0)
    assert due.tzinfo == UTC and due.hour == 15  # summer time: UTC+2


def test_next_occurrence_skips_to_the_next_chosen_day_once_the_time_has_passed():
    monday_evening = at(CPH, 2026, 6, 1, 17, 0)  # exactly at the time: strictly after
    due = rules.next_occurrence(
        days=rules.days_mask([MON, WED]), at=datetime.time(17), zone=CPH, after=monday_evening
    )
    assert due == at(CPH, 2026, 6, 3, 17, 0)


def test_a_single_day_comes_again_a_week_later():
    monday_evening = at(CPH, 2026, 6, 1, 18, 0)
    due = rules.next_occurrence(
        days=rules.days_mask([MON]), at=datetime.time(17), zone=CPH, after=monday_evening
    )
    assert due == at(CPH, 2026, 6, 8, 17, 0)


def test_no_day_no_occurrence():
    assert (
        rules.next_occurrence(days=0, at=datetime.time(17), zone=CPH, after=at(UTC, 2026, 6, 1))
        is None
    )


def test_the_wall_time_stays_across_the_change_to_summer_time():
    """Copenhagen moves to summer time on Sunday 29 March 2026: 17:00 stays 17:00 on the clock,
    one hour earlier in UTC."""
    every_day = rules.ALL_DAYS
    saturday = rules.next_occurrence(
        days=every_day, at=datetime.time(17), zone=CPH, after=at(CPH, 2026, 3, 28, 9)
    )
    sunday = rules.next_occurrence(days=every_day, at=datetime.time(17), zone=CPH, after=saturday)
    assert saturday == at(UTC, 2026, 3, 28, 16, 0)
    assert sunday == at(UTC, 2026, 3, 29, 15, 0)
    assert sunday - saturday == datetime.timedelta(hours=23)
    assert sunday.astimezone(CPH).time() == datetime.time(17)


def test_the_wall_time_stays_across_the_change_to_winter_time():
    every_day = rules.ALL_DAYS
    saturday = rules.next_occurrence(
        days=every_day, at=datetime.time(8, 30), zone=CPH, after=at(CPH, 2026, 10, 24, 7)
    )
    sunday = rules.next_occurrence(
        days=every_day, at=datetime.time(8, 30), zone=CPH, after=saturday
    )
    assert sunday - saturday == datetime.timedelta(hours=25)
    assert sunday.astimezone(CPH).time() == datetime.time(8, 30)


def test_a_time_the_clock_skips_comes_an_hour_later_not_never():
    """02:30 does not exist in Copenhagen on 29 March 2026 (02:00 → 03:00): it is read as 03:30."""
    due = rules.next_occurrence(
        days=rules.ALL_DAYS, at=datetime.time(2, 30), zone=CPH, after=at(CPH, 2026, 3, 29, 0)
    )
    assert due.astimezone(CPH) == at(CPH, 2026, 3, 29, 3, 30)


def test_the_day_is_the_patients_day_in_their_zone():
    """At 23:30 UTC on a Monday it is already Tuesday in Tokyo and still Monday in New York."""
    instant = at(UTC, 2026, 6, 1, 23, 30)
    assert rules.local_day(instant, ZoneInfo("Asia/Tokyo")) == datetime.date(2026, 6, 2)
    assert rules.local_day(instant, ZoneInfo("America/New_York")) == datetime.date(2026, 6, 1)
    due = rules.next_occurrence(
        days=rules.days_mask([TUE]), at=datetime.time(9), zone=ZoneInfo("Asia/Tokyo"),
        after=instant,
    )  # fmt: skip
    assert due == at(ZoneInfo("Asia/Tokyo"), 2026, 6, 2, 9, 0)


# --- Deciding -------------------------------------------------------------------------------------


def decide(**changes):
    facts = {
        "now": at(CPH, 2026, 6, 1, 17, 0, 5),
        "due": at(CPH, 2026, 6, 1, 17, 0),
        "zone": CPH,
        "closed": False,
        "has_active_plan": True,
        "done_today": False,
    }
    return rules.decide(**{**facts, **changes})


def test_a_due_reminder_is_sent():
    assert decide() == rules.SEND


def test_nothing_on_a_day_whose_session_is_done():
    assert decide(done_today=True) == rules.DONE


def test_no_reminder_without_an_active_plan():
    assert decide(has_active_plan=False) == rules.NO_PLAN


def test_nothing_to_a_closed_account():
    assert decide(closed=True) == rules.CLOSED


def test_never_at_night_in_the_patients_zone_even_when_it_is_day_in_the_sites():
    # 17:00 in Copenhagen is 02:00 in Tokyo the next day.
    tokyo = ZoneInfo("Asia/Tokyo")
    assert decide(zone=tokyo) == rules.QUIET
    # A late run that would fall into the night is not sent either.
    assert decide(now=at(CPH, 2026, 6, 1, 21, 0), due=at(CPH, 2026, 6, 1, 20, 30)) == rules.QUIET


def test_a_reminder_hours_late_is_dropped():
    due = at(CPH, 2026, 6, 1, 9, 0)
    assert decide(due=due, now=due + rules.LATE_LIMIT) == rules.SEND
    assert decide(due=due, now=due + rules.LATE_LIMIT + datetime.timedelta(seconds=1)) == rules.LATE


# --- The gentle note ------------------------------------------------------------------------------

D = datetime.date


def kind(today, recent, last_done=None, last_gentle=None):
    return rules.note_kind(
        today=today, recent_days=recent, last_done=last_done, last_gentle=last_gentle
    )


def test_the_gentle_note_follows_several_missed_reminders_in_a_row():
    assert rules.GENTLE_NOTE_AFTER_MISSED == 3
    recent = [D(2026, 6, 1), D(2026, 6, 3), D(2026, 6, 5)]  # Mon, Wed, Fri: no session since
    assert kind(D(2026, 6, 8), recent) == rules.GENTLE
    assert kind(D(2026, 6, 8), recent, last_done=D(2026, 5, 29)) == rules.GENTLE


def test_fewer_missed_reminders_get_the_usual_one():
    assert kind(D(2026, 6, 8), [D(2026, 6, 3), D(2026, 6, 5)]) == rules.REMINDER
    assert kind(D(2026, 6, 8), []) == rules.REMINDER


def test_a_session_since_the_first_of_them_breaks_the_run():
    recent = [D(2026, 6, 1), D(2026, 6, 3), D(2026, 6, 5)]
    # A session on a day without a reminder (a Tuesday) counts as much as one on a reminder day.
    assert kind(D(2026, 6, 8), recent, last_done=D(2026, 6, 2)) == rules.REMINDER
    assert kind(D(2026, 6, 8), recent, last_done=D(2026, 6, 1)) == rules.REMINDER


def test_after_a_gentle_note_the_count_starts_again():
    gentle = D(2026, 6, 8)
    missed = [D(2026, 6, 1), D(2026, 6, 3), D(2026, 6, 5), gentle, D(2026, 6, 10)]
    assert kind(D(2026, 6, 12), missed, last_gentle=gentle) == rules.REMINDER
    missed.append(D(2026, 6, 12))
    assert kind(D(2026, 6, 15), missed, last_gentle=gentle) == rules.REMINDER  # 2 after it
    missed.append(D(2026, 6, 15))
    assert kind(D(2026, 6, 17), missed, last_gentle=gentle) == rules.GENTLE  # 3 after, a new week


def test_at_most_one_gentle_note_a_week():
    """Every day: a gentle note on Monday, three more missed days, Friday would be the next, but
    it is the same week."""
    gentle = D(2026, 6, 1)
    missed = [gentle, D(2026, 6, 2), D(2026, 6, 3), D(2026, 6, 4)]
    assert kind(D(2026, 6, 5), missed, last_gentle=gentle) == rules.REMINDER
    assert kind(D(2026, 6, 8), [*missed, D(2026, 6, 5)], last_gentle=gentle) == rules.GENTLE
