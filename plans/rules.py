"""Pure clinical rules: tailoring, adherence and progression. No ORM: tests need no database.

Thresholds that are product rules (clinical-facts.md marks them so) are named constants here.
"""

import datetime
from dataclasses import dataclass, field

# --- Tailoring (seed article [S]; clinical-facts.md §1–§3) -------------------------------------

# The seed's tailoring rule per condition, as the categories a template should favour.
TAILORING_FOCUS = {
    # "Focus on low-impact strength and flexibility exercises" [S]; plus function and balance [1][3].
    "osteoarthritis": {"strength", "flexibility", "mobility", "stability"},
    # "Gentle strengthening and stabilization exercises" [S]; isometric abduction early [4][5].
    "bursitis": {"strength", "stability"},
    # "Exercises that focus on hip abduction, adduction, and rotation" [S][6][7].
    "fai": {"strength", "stability", "mobility"},
}


@dataclass(frozen=True)
class ExerciseFacts:
    """What the tailoring rules need to know about one catalogue exercise."""

    slug: str
    category: str
    suits: frozenset[str] = field(default_factory=frozenset)
    cautions: dict[str, str] = field(default_factory=dict)  # condition code -> reason
    active: bool = True


def caution_reason(exercise: ExerciseFacts, condition: str) -> str | None:
    """The ⚠ reason when an exercise needs the physio's confirmation for this condition."""
    return exercise.cautions.get(condition)


def template_problems(condition: str, exercises: list[ExerciseFacts]) -> list[str]:
    """Why a starting template does not fit its condition; empty when it does.

    A template holds only exercises that suit its condition, none cautioned for it, all active,
    each in a category the seed's tailoring rule favours for that condition, with no repeats.
    """
    problems = []
    if not exercises:
        problems.append("the template is empty")
    seen = set()
    for exercise in exercises:
        if exercise.slug in seen:
            problems.append(f"{exercise.slug} appears twice")
        seen.add(exercise.slug)
        if condition not in exercise.suits:
            problems.append(f"{exercise.slug} does not suit {condition}")
        if caution_reason(exercise, condition):
            problems.append(f"{exercise.slug} is cautioned for {condition}")
        if not exercise.active:
            problems.append(f"{exercise.slug} is inactive")
        if exercise.category not in TAILORING_FOCUS.get(condition, set()):
            problems.append(f"{exercise.slug} ({exercise.category}) is outside the focus")
    return problems


# --- Sessions and safety (clinical-facts.md §4, §5) -------------------------------------------

# 7–10 is severe pain on the 0–10 NRS: stop and contact the physio [9][10].
SEVERE_PAIN = 7
# Pain up to 5 of 10 during or after exercise is acceptable in the pain-monitoring model [9][10].
ACCEPTABLE_PAIN_MAX = 5
# A missed session may be logged up to this many days back (product rule).
BACKFILL_DAYS = 7

# Red flags (clinical-facts.md §5, [11][12]); codes are stored, labels live in the form.
RED_FLAGS = ("fall", "fever", "severe_sudden", "night_pain", "numbness", "calf")


def session_needs_attention(pain_after: int | None, red_flags) -> bool:
    """Severe pain after a session, or any red flag: advise to stop and flag the patient."""
    return bool(red_flags) or (pain_after is not None and pain_after >= SEVERE_PAIN)


def loggable_days(*, start, last_day, today, backfill_days=BACKFILL_DAYS):
    """Days a session may be logged for: today and up to `backfill_days` back, within the plan."""

    first = max(start, today - datetime.timedelta(days=backfill_days))
    last = min(last_day, today)
    days = []
    day = last
    while day >= first:
        days.append(day)
        day -= datetime.timedelta(days=1)
    return days


# --- Adherence (clinical-facts.md §7) ----------------------------------------------------------

# Product rule, in line with study definitions of ≥ 80 % as adherent [16].
ADHERENT_PERCENT = 80
PARTIAL_PERCENT = 50
# Low adherence is judged over the last 14 days; no session for 7 days also flags [16].
ADHERENCE_WINDOW_DAYS = 14
INACTIVE_DAYS = 7


def prescribed_sessions(sessions_per_week: int, days: int) -> float:
    """Sessions prescribed over a number of program days (3 a week over 14 days is 6)."""
    return sessions_per_week * max(days, 0) / 7


def adherence_percent(done: int, prescribed: float) -> int | None:
    """Done ÷ prescribed, capped at 100; None when nothing was prescribed yet."""
    if prescribed <= 0:
        return None
    return min(100, round(100 * done / prescribed))


def adherence_level(percent: int | None) -> str | None:
    if percent is None:
        return None
    if percent >= ADHERENT_PERCENT:
        return "adherent"
    if percent >= PARTIAL_PERCENT:
        return "partial"
    return "low"


def program_weeks(*, start, last_day):
    """The program's weeks from its start day (a Wednesday start makes Wednesday–Tuesday weeks)."""

    weeks = []
    week_start = start
    index = 1
    while week_start <= last_day:
        week_end = min(week_start + datetime.timedelta(days=6), last_day)
        weeks.append((index, week_start, week_end))
        week_start += datetime.timedelta(days=7)
        index += 1
    return weeks


def elapsed_days(*, start, end, today) -> int:
    """Program days from `start` to `end` (inclusive) that are not in the future."""
    last = min(end, today)
    return max((last - start).days + 1, 0)
