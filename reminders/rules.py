"""Who gets a reminder, and when: pure functions, no ORM, so tests need no database.

Days of the week are numbered as Python's date.weekday(): Monday 0 … Sunday 6. A schedule keeps
its days as a bit mask (bit 0 Monday … bit 6 Sunday). Times are wall-clock times in the patient's
time zone; instants are aware datetimes.

Product rules are the named constants below.
"""

import datetime
from zoneinfo import ZoneInfo

WEEK = 7
ALL_DAYS = (1 << WEEK) - 1

# *product rule*: the time offered before the patient picks one: late afternoon, after work and
# well before the quiet hours.
DEFAULT_TIME = datetime.time(17, 0)

# *product rule*: never at night in the patient's time zone. A reminder time must be at or after
# QUIET_UNTIL and before QUIET_FROM; nothing is sent outside those hours, however late it is.
QUIET_FROM = datetime.time(21, 0)
QUIET_UNTIL = datetime.time(8, 0)

# *product rule*: a reminder that could not go out within this long after its time (every worker
# was stopped) is dropped, not sent hours later.
LATE_LIMIT = datetime.timedelta(hours=2)

# *product rule*: after this many reminders in a row with no session since the first of them,
# the next one is the gentle note (other words: a short session helps; tell your physio if pain
# stops you) instead of the usual reminder. At most one gentle note per calendar week.
GENTLE_NOTE_AFTER_MISSED = 3

# What the worker does with a reminder that is due (decide()).
SEND = "send"
NO_PLAN = "no plan"  # no active program taking a session that day (a maintenance one counts)
DONE = "done"  # the session of the patient's day is already done
QUIET = "quiet"  # it is night where the patient is
LATE = "late"  # more than LATE_LIMIT after its time
CLOSED = "closed"  # the account is closed (deactivated, or asked to be erased)

# The two kinds of message (note_kind()).
REMINDER = "reminder"
GENTLE = "gentle"


# --- Days ---------------------------------------------------------------------------------------


def days_mask(days) -> int:
    """The bit mask of some weekday numbers."""
    mask = 0
    for day in days:
        if not 0 <= day < WEEK:
            raise ValueError(f"not a weekday number: {day!r}")
        mask |= 1 << day
    return mask


def days_list(mask: int) -> list[int]:
    """The weekday numbers in a bit mask, Monday first."""
    return [day for day in range(WEEK) if mask & (1 << day)]


def default_days(sessions_per_week: int) -> list[int]:
    """*product rule*: the program's sessions per week spread over the week, starting on Monday,
    with gaps as even as whole days allow: 2 → Mon, Thu; 3 → Mon, Wed, Fri; 4 → Mon, Tue, Thu,
    Sat; 7 → every day."""
    n = min(max(int(sessions_per_week), 1), WEEK)
    return [i * WEEK // n for i in range(n)]


# --- Times --------------------------------------------------------------------------------------


def latest_time() -> datetime.time:
    """The last minute before the quiet hours (20:59): the latest time a reminder may be set."""
    last = datetime.datetime.combine(datetime.date(2000, 1, 1), QUIET_FROM)
    return (last - datetime.timedelta(minutes=1)).time()


def is_quiet(at: datetime.time) -> bool:
    """A wall-clock time inside the quiet hours (QUIET_FROM until QUIET_UNTIL)."""
    at = at.replace(tzinfo=None)
    return at >= QUIET_FROM or at < QUIET_UNTIL


def local_day(instant: datetime.datetime, zone: ZoneInfo) -> datetime.date:
    """The patient's date at an instant."""
    return instant.astimezone(zone).date()


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of a day's calendar week."""
    return day - datetime.timedelta(days=day.weekday())


def wall_time(day: datetime.date, at: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    """The instant a wall-clock time is reached on a day in a zone.

    Across the change to summer time a time inside the skipped hour (02:30 in Copenhagen) does not
    exist: it is read with the offset before the change, which is the same instant as the wall
    time one hour later (03:30). A time the change to winter time repeats is its first occurrence.
    """
    instant = datetime.datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
    return instant.astimezone(datetime.UTC)


def next_occurrence(
    *, days: int, at: datetime.time, zone: ZoneInfo, after: datetime.datetime
) -> datetime.datetime | None:
    """The first instant strictly after `after` that is `at` on one of the days in the patient's
    zone (in UTC); None without a day."""
    if not days & ALL_DAYS:
        return None
    start = local_day(after, zone)
    # Eight days: today's time may be past, and the only day may be today's weekday.
    for offset in range(WEEK + 1):
        day = start + datetime.timedelta(days=offset)
        if days & (1 << day.weekday()):
            instant = wall_time(day, at, zone)
            if instant > after:
                return instant
    return None  # pragma: no cover - a day in the mask always comes within eight days


# --- Sending ------------------------------------------------------------------------------------


def out_of_time(*, now: datetime.datetime, due: datetime.datetime, zone: ZoneInfo) -> str | None:
    """LATE or QUIET when a reminder due at `due` may no longer be sent at `now`, else None. The
    sender asks again before every try (a retry of the e-mail too)."""
    if now - due > LATE_LIMIT:
        return LATE
    if is_quiet(now.astimezone(zone).time()):
        return QUIET
    return None


def decide(
    *,
    now: datetime.datetime,
    due: datetime.datetime,
    zone: ZoneInfo,
    closed: bool,
    has_active_plan: bool,
    done_today: bool,
) -> str:
    """What the worker does with a reminder due at `due`, at `now`: SEND, or why not."""
    if closed:
        return CLOSED
    if outside := out_of_time(now=now, due=due, zone=zone):
        return outside
    if not has_active_plan:
        return NO_PLAN
    if done_today:
        return DONE
    return SEND


def note_kind(
    *,
    today: datetime.date,
    recent_days: list[datetime.date],
    last_done: datetime.date | None,
    last_gentle: datetime.date | None,
) -> str:
    """REMINDER, or GENTLE after GENTLE_NOTE_AFTER_MISSED reminders in a row with no session.

    recent_days: the local days of the patient's latest reminders and notes (any order);
    last_done: the latest day before today with a session done; last_gentle: the day of the
    latest gentle note, after which the count starts again."""
    # The count starts again after a gentle note.
    since = [d for d in recent_days if d < today and (last_gentle is None or d > last_gentle)]
    latest = sorted(since, reverse=True)[:GENTLE_NOTE_AFTER_MISSED]
    if len(latest) < GENTLE_NOTE_AFTER_MISSED:
        return REMINDER
    if last_done is not None and last_done >= latest[-1]:
        return REMINDER  # a session since the first of them: not missed in a row
    if last_gentle is not None and week_of(last_gentle) == week_of(today):
        return REMINDER  # one gentle note a week at most
    return GENTLE
