"""Course-of-care rules (clinical-facts.md §3, §6): when the patient is asked which
questionnaire, how a change in a measure is judged, and the maintenance program's dose.
Pure functions and named constants: no database, tested directly.
"""

import datetime
from dataclasses import dataclass

from exercises.bounds import SESSIONS_PER_WEEK_MIN
from plans.rules import REVIEW_AT_DAYS

BASELINE, WEEK, REVIEW, DISCHARGE = "baseline", "week", "review", "discharge"
# The points a course measures at, in order (the weekly pain is asked between them).
POINTS = (BASELINE, REVIEW, DISCHARGE)

# The patient's review questionnaire opens this many days before the 6-week review, and the
# discharge questionnaire this many days before the program's last day, or when the physio
# asks for it (product rules).
REVIEW_OPENS_DAYS_BEFORE = 7
DISCHARGE_OPENS_DAYS_BEFORE_END = 7

# After discharge the patient keeps the program at a lower frequency: GLA:D continues exercise
# at home after its 6 supervised weeks [3]; 2 sessions a week for 26 weeks is a product rule
# the physio can change on the discharge form.
MAINTENANCE_SESSIONS_PER_WEEK = 2
MAINTENANCE_WEEKS = 26


def maintenance_sessions_allowed(sessions_per_week: int, *, course_sessions_per_week: int) -> bool:
    """A maintenance program has fewer sessions a week than the course; a course already at the
    fewest there are (1 a week) keeps that many, else it could never be discharged."""
    return sessions_per_week < course_sessions_per_week or (
        sessions_per_week == course_sessions_per_week == SESSIONS_PER_WEEK_MIN
    )


def maintenance_sessions_default(course_sessions_per_week: int) -> int:
    """The maintenance program's sessions a week the discharge form offers: the product rule's,
    or one fewer than the course's when that is already as low, never below the fewest."""
    return max(
        min(MAINTENANCE_SESSIONS_PER_WEEK, course_sessions_per_week - 1), SESSIONS_PER_WEEK_MIN
    )


def review_on(start: datetime.date) -> datetime.date:
    """The day the 6-week review is due: the day plans.rules.review_due starts flagging it."""
    return start + datetime.timedelta(days=REVIEW_AT_DAYS)


def questionnaire_due(
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    answered: set,
    reviewed: bool = False,
    discharged: bool = False,
    discharge_asked: bool = False,
) -> str | None:
    """The point whose questionnaire the patient is asked to fill in today, or None.
    answered: the points (BASELINE, REVIEW, DISCHARGE) with every questionnaire answered."""
    if BASELINE not in answered:
        return BASELINE
    discharge_open = (
        discharge_asked
        or discharged
        or today >= end - datetime.timedelta(days=DISCHARGE_OPENS_DAYS_BEFORE_END)
    )
    if discharge_open:
        return None if DISCHARGE in answered else DISCHARGE
    review_open = today >= review_on(start) - datetime.timedelta(days=REVIEW_OPENS_DAYS_BEFORE)
    if review_open and not reviewed and REVIEW not in answered:
        return REVIEW
    return None


def tests_point(
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    reviewed: bool = False,
    discharged: bool = False,
    discharge_asked: bool = False,
) -> str:
    """The point whose performance tests the physio records now: the start until the review's
    questionnaire opens, then the review, and the discharge once the course is reviewed or the
    discharge questionnaire is open (the same days as questionnaire_due's)."""
    discharge_open = (
        discharge_asked
        or discharged
        or reviewed
        or today >= end - datetime.timedelta(days=DISCHARGE_OPENS_DAYS_BEFORE_END)
    )
    if discharge_open:
        return DISCHARGE
    if today >= review_on(start) - datetime.timedelta(days=REVIEW_OPENS_DAYS_BEFORE):
        return REVIEW
    return BASELINE


def weekly_pain_due(week_number: int | None, answered_weeks: set) -> bool:
    """The weekly average hip pain is asked once in each program week, from week 1."""
    return week_number is not None and week_number >= 1 and week_number not in answered_weeks


# --- Minimal important change ------------------------------------------------------------------

IMPROVED, WORSENED, WITHIN, UNKNOWN = "improved", "worsened", "within", "unknown"


@dataclass(frozen=True)
class MinimalImportantChange:
    """A source's minimal important change: a change at least `points`, or at least `percent`
    of the starting value, counts (either is enough when both are given)."""

    points: float | None
    percent: float | None = None

    @property
    def known(self):
        return self.points is not None or self.percent is not None


def change(start, end, *, higher_is_better: bool, mic: MinimalImportantChange) -> str | None:
    """How a measure moved from start to end: IMPROVED or WORSENED by at least the minimal
    important change, WITHIN it, UNKNOWN when the source gives none; None without both values."""
    if start is None or end is None:
        return None
    if not mic.known:
        return UNKNOWN
    delta = float(end) - float(start)
    size = abs(delta)
    important = (mic.points is not None and size >= mic.points) or (
        mic.percent is not None
        and float(start) != 0
        and size * 100 / abs(float(start)) >= mic.percent
    )
    if not important or delta == 0:
        return WITHIN
    better = delta > 0 if higher_is_better else delta < 0
    return IMPROVED if better else WORSENED
