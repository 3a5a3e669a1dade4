"""Pure clinical rules: tailoring, adherence and progression. No ORM: tests need no database.

Thresholds that are product rules (clinical-facts.md marks them so) are named constants here.
"""

import datetime
from dataclasses import dataclass, field

from exercises.bounds import MINUTES_MAX
from exercises.dose import Dose

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
# The checklist points out a dose the physio changed for this many days (product rule).
CHANGE_NOTICE_DAYS = 7

# Red flags (clinical-facts.md §5, [11][12]); codes are stored, labels live in the form.
RED_FLAGS = ("fall", "fever", "severe_sudden", "night_pain", "numbness", "calf")


# The pain rule a plan follows (clinical-facts.md §4): the pain-monitoring model accepts pain up
# to ACCEPTABLE_PAIN_MAX; pain-free mode (the seed's FAQ, chosen per plan) accepts none.
PAIN_MODE_MONITORING, PAIN_MODE_FREE = "monitoring", "pain_free"
ACCEPTABLE_PAIN = {PAIN_MODE_MONITORING: ACCEPTABLE_PAIN_MAX, PAIN_MODE_FREE: 0}


def is_severe(pain: int | None) -> bool:
    return pain is not None and pain >= SEVERE_PAIN


def is_above_acceptable(pain: int | None, mode: str = PAIN_MODE_MONITORING) -> bool:
    return pain is not None and pain > ACCEPTABLE_PAIN[mode]


def screen_says_stop(pain_now: int | None, red_flags) -> bool:
    """Before the session: pain now ≥ 7 or any red flag → do not exercise today (§4, §5)."""
    return bool(red_flags) or is_severe(pain_now)


def eases_next_session(pain_after: int | None, mode: str = PAIN_MODE_MONITORING) -> bool:
    """One hard session (pain after above the acceptable level) lowers the next session's
    doses one step: the model reduces the next load after a single breach [9][10]."""
    return is_above_acceptable(pain_after, mode)


# Pain before at or above this level on most sessions of a week keeps the patient flagged for
# review even when it is not rising (clinical-facts.md §4; product rule for "most": more than
# half, and at least HIGH_PAIN_MIN_SESSIONS sessions).
HIGH_PAIN_BEFORE = 5
HIGH_PAIN_MIN_SESSIONS = 2


def high_pain_week(pains_before) -> bool:
    """pains_before: pain before of the sessions done in the last 7 days (None: not asked)."""
    pains = [p for p in pains_before if p is not None]
    high = sum(p >= HIGH_PAIN_BEFORE for p in pains)
    return high >= HIGH_PAIN_MIN_SESSIONS and high > len(pains) / 2


def session_needs_attention(pain_after: int | None, red_flags) -> bool:
    """Severe pain after a session, or any red flag: advise to stop and flag the patient."""
    return bool(red_flags) or is_severe(pain_after)


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


# --- Progression: the pain-monitoring model (clinical-facts.md §4; [9][10], seed [S]) ----------

# Fewer sessions than this in the adherence window is too little data: keep, suggest nothing.
MIN_SESSIONS_FOR_SUGGESTION = 3
RECENT_SESSIONS = 3
# Progress only when at least this share of the prescribed sessions was done in 14 days.
PROGRESS_ADHERENCE_PERCENT = 75
# Ease off when weekly mean pain before rose by at least this much, this many weeks running.
EASE_OFF_WEEKLY_RISE = 1.0
EASE_OFF_RISING_WEEKS = 2
# Stop and review when weekly mean pain before rose this many weeks in a row.
STOP_RISING_WEEKS = 3
# Ease off when pain after exceeded ACCEPTABLE_PAIN_MAX in this many of the last 3 sessions.
EASE_OFF_HIGH_SESSIONS = 2

# The dose ladder (product rules following the seed's order: reps → sets or hold → resistance).
REPS_STEP = 2
HOLD_STEP_SECONDS = 5
MINUTES_STEP = 2
PROGRESSION_MAX_SETS = 4
PROGRESSION_MAX_HOLD_SECONDS = 60
EASE_OFF_MIN_REPS = 4
EASE_OFF_MIN_HOLD_SECONDS = 10
EASE_OFF_MIN_MINUTES = 5

PROGRESS, KEEP, EASE_OFF, STOP = "progress", "keep", "ease_off", "stop"


@dataclass(frozen=True)
class SessionFacts:
    date: datetime.date
    pain_before: int | None
    pain_after: int | None
    red_flags: tuple = ()


@dataclass(frozen=True)
class Reason:
    """A reason in words: `code` picks the sentence, `values` fill it (see plans/describe.py)."""

    code: str
    values: tuple = ()


@dataclass(frozen=True)
class Suggestion:
    kind: str
    reasons: tuple = ()


def rises(series):
    """Week-to-week changes of a chronological series, skipping weeks with no value."""
    values = [v for v in series if v is not None]
    return [b - a for a, b in zip(values, values[1:], strict=False)]


def _rising_run(series, minimum):
    """How many of the latest week-to-week changes in a row are at least `minimum` (> 0)."""
    run = 0
    for change in reversed(rises(series)):
        if change >= minimum and change > 0:
            run += 1
        else:
            break
    return run


def suggest(*, sessions, weekly_pain_before, adherence_14d, screened=(), mode=PAIN_MODE_MONITORING):
    """One of progress, keep, ease off, stop and review, with the reasons.

    sessions: the plan's sessions in the adherence window, oldest first (each SessionFacts).
    weekly_pain_before: mean pain before per 7-day window, oldest first (None: no data).
    adherence_14d: percent done in the adherence window (None: nothing prescribed yet).
    screened: sessions in the window the safety questions stopped (SessionFacts, no exercise).
    mode: the plan's pain rule (PAIN_MODE_MONITORING or PAIN_MODE_FREE).
    """
    last = sessions[-RECENT_SESSIONS:]
    # Safety first: these apply even with too little data for a dose suggestion.
    flagged = sorted((s for s in [*sessions, *screened] if s.red_flags), key=lambda s: s.date)
    if flagged:
        return Suggestion(STOP, (Reason("red_flag", (flagged[-1].date,)),))
    stopped = [s for s in screened if is_severe(s.pain_before)]
    if stopped:
        return Suggestion(STOP, (Reason("pain_now_severe", (stopped[-1].pain_before,)),))
    if any(is_severe(s.pain_after) for s in last):
        pains = [s.pain_after for s in last if s.pain_after is not None]
        return Suggestion(STOP, (Reason("pain_after_range", (len(last), min(pains), max(pains))),))
    if _rising_run(weekly_pain_before, 0.01) >= STOP_RISING_WEEKS:
        return Suggestion(STOP, (Reason("pain_before_rising", (STOP_RISING_WEEKS,)),))

    if len(sessions) < MIN_SESSIONS_FOR_SUGGESTION:
        return Suggestion(KEEP, (Reason("too_little_data", (len(sessions),)),))

    if sum(is_above_acceptable(s.pain_after, mode) for s in last) >= EASE_OFF_HIGH_SESSIONS:
        pains = [s.pain_after for s in last if s.pain_after is not None]
        return Suggestion(
            EASE_OFF, (Reason("pain_after_range", (len(last), min(pains), max(pains))),)
        )
    if _rising_run(weekly_pain_before, EASE_OFF_WEEKLY_RISE) >= EASE_OFF_RISING_WEEKS:
        return Suggestion(EASE_OFF, (Reason("pain_before_rising", (EASE_OFF_RISING_WEEKS,)),))

    pains_after = [s.pain_after for s in last]
    settled = all(p is not None and not is_above_acceptable(p, mode) for p in pains_after)
    first_before = last[0].pain_before
    not_worse = first_before is not None and all(
        s.pain_before is not None and s.pain_before <= first_before for s in last
    )
    changes = rises(weekly_pain_before)
    flat = not changes or changes[-1] <= 0
    adherent = adherence_14d is not None and adherence_14d >= PROGRESS_ADHERENCE_PERCENT
    if settled and not_worse and flat and adherent:
        return Suggestion(
            PROGRESS,
            (
                Reason("pain_after_range", (len(last), min(pains_after), max(pains_after))),
                Reason("adherence", (adherence_14d,)),
            ),
        )
    reasons = []
    if not adherent:
        reasons.append(Reason("adherence_too_low", (adherence_14d or 0,)))
    if not (settled and not_worse):
        reasons.append(Reason("not_settled", ()))
    if not flat:
        reasons.append(Reason("pain_before_up", ()))
    return Suggestion(KEEP, tuple(reasons))


@dataclass(frozen=True)
class Step:
    dose: Dose
    variant: str = ""  # "harder" or "easier" when the next rung is a variant or resistance


def progress_step(dose: Dose, default: Dose | None = None) -> Step:
    """More reps up to the range's top → one more set or a longer hold → harder variant."""
    if dose.unit == "reps":
        if dose.low < dose.high:
            return Step(
                Dose(dose.sets, "reps", min(dose.low + REPS_STEP, dose.high), dose.high).clamped()
            )
        if dose.sets < PROGRESSION_MAX_SETS:
            return Step(Dose(dose.sets + 1, "reps", dose.low, dose.high).clamped())
    elif dose.unit == "seconds":
        if dose.high < PROGRESSION_MAX_HOLD_SECONDS:
            step = min(HOLD_STEP_SECONDS, PROGRESSION_MAX_HOLD_SECONDS - dose.high)
            return Step(Dose(dose.sets, "seconds", dose.low + step, dose.high + step).clamped())
        if dose.sets < PROGRESSION_MAX_SETS:
            return Step(Dose(dose.sets + 1, "seconds", dose.low, dose.high).clamped())
    else:
        if dose.high < MINUTES_MAX:
            step = min(MINUTES_STEP, MINUTES_MAX - dose.high)
            return Step(Dose(dose.sets, "minutes", dose.low + step, dose.high + step).clamped())
    # Top of the ladder: more resistance or the harder variant, from the default dose again.
    return Step((default or dose).clamped(), variant="harder")


def ease_off_step(dose: Dose) -> Step:
    """The same ladder downwards: one set fewer → fewer reps or a shorter hold → easier variant."""
    if dose.sets > 1:
        return Step(Dose(dose.sets - 1, dose.unit, dose.low, dose.high).clamped())
    if dose.unit == "reps" and dose.high > EASE_OFF_MIN_REPS:
        low = max(dose.low - REPS_STEP, EASE_OFF_MIN_REPS)
        high = max(dose.high - REPS_STEP, low)
        return Step(Dose(1, "reps", low, high).clamped())
    if dose.unit == "seconds" and dose.high > EASE_OFF_MIN_HOLD_SECONDS:
        low = max(dose.low - HOLD_STEP_SECONDS, EASE_OFF_MIN_HOLD_SECONDS)
        high = max(dose.high - HOLD_STEP_SECONDS, low)
        return Step(Dose(1, "seconds", low, high).clamped())
    if dose.unit == "minutes" and dose.high > EASE_OFF_MIN_MINUTES:
        low = max(dose.low - MINUTES_STEP, EASE_OFF_MIN_MINUTES)
        high = max(dose.high - MINUTES_STEP, low)
        return Step(Dose(1, "minutes", low, high).clamped())
    return Step(dose.clamped(), variant="easier")


def dose_step(kind: str, dose: Dose, default: Dose | None = None) -> Step | None:
    if kind == PROGRESS:
        return progress_step(dose, default)
    if kind in (EASE_OFF, STOP):  # a review resumes at an eased dose
        return ease_off_step(dose)
    return None


# --- Caseload flags (clinical-facts.md §4, §5, §7) --------------------------------------------

FLAG_SEVERE, FLAG_RISING, FLAG_HIGH_PAIN, FLAG_REVIEW_DUE = (
    "severe", "rising_pain", "high_pain", "review_due",
)  # fmt: skip
FLAG_LOW_ADHERENCE, FLAG_INACTIVE, FLAG_SUGGESTION = "low_adherence", "inactive", "suggestion"
FLAG_URGENCY = {
    FLAG_SEVERE: 1,
    FLAG_RISING: 2,
    FLAG_HIGH_PAIN: 3,
    FLAG_REVIEW_DUE: 4,
    FLAG_LOW_ADHERENCE: 5,
    FLAG_INACTIVE: 6,
    FLAG_SUGGESTION: 7,
}
# A program is reviewed at 6 weeks and when it reaches its last day (clinical-facts.md §3).
REVIEW_AT_DAYS = 6 * 7


def review_due(*, start, end, today, last_review) -> bool:
    """The 6-week review or the end-of-program review has come and no review was recorded since.
    last_review: the date of the newest review of this plan, or None."""
    after_end = end + datetime.timedelta(days=1)
    points = [min(start + datetime.timedelta(days=REVIEW_AT_DAYS), after_end), after_end]
    reached = [p for p in points if p <= today]
    return bool(reached) and (last_review is None or last_review < max(reached))


# Adherence is judged only once the program has run this many days (product rule).
MIN_DAYS_FOR_ADHERENCE_FLAG = 7


def needs_contact(session: SessionFacts) -> bool:
    """A session that asks the physio to contact the patient: a red flag, or severe pain
    before (the safety questions) or after."""
    return (
        bool(session.red_flags) or is_severe(session.pain_before) or is_severe(session.pain_after)
    )


def patient_flags(
    *,
    sessions,
    weekly_pain_before,
    adherence_14d,
    days_running,
    last_session,
    today,
    pending,
    week_pains_before=(),
    review_is_due=False,
    screen_stopped=False,
):
    """Flags for one patient, most urgent first.

    sessions: those no contact has covered yet (screened-out ones included).
    screen_stopped: one of them was stopped by the safety questions, whatever its answers now.
    week_pains_before: pain before of the sessions done in the last 7 days.
    """
    flags = []
    if screen_stopped or any(needs_contact(s) for s in sessions):
        flags.append(FLAG_SEVERE)
    if _rising_run(weekly_pain_before, EASE_OFF_WEEKLY_RISE) >= EASE_OFF_RISING_WEEKS:
        flags.append(FLAG_RISING)
    if high_pain_week(week_pains_before):
        flags.append(FLAG_HIGH_PAIN)
    if review_is_due:
        flags.append(FLAG_REVIEW_DUE)
    if days_running >= MIN_DAYS_FOR_ADHERENCE_FLAG:
        level = adherence_level(adherence_14d)
        if level == "low":
            flags.append(FLAG_LOW_ADHERENCE)
        if last_session is None or (today - last_session).days >= INACTIVE_DAYS:
            flags.append(FLAG_INACTIVE)
    if pending:
        flags.append(FLAG_SUGGESTION)
    return sorted(flags, key=FLAG_URGENCY.get)
