"""Hold and rest timers on today's checklist: what an exercise's timer runs. No ORM.

The sources prescribe the holds (e.g. single-leg stance 3 × 30 s per side); the rests between
them and the time to change legs are not in the sources, so they are product rules, here as named
constants. The page (templates/plans/_timer.html) puts a TimerPlan into data- attributes and
static/js/timer.js only plays it: per set, each side's hold (with a short change between the
sides), then a rest before the next set. A set of repetitions is not timed: the patient says when
it is done and the rest runs.
"""

from dataclasses import dataclass

from exercises.dose import Dose

# Rest between two sets of repetitions (product rule): a minute, enough for the hip muscles of a
# home program to recover without the patient cooling down or losing the thread.
REST_BETWEEN_SETS_SECONDS = 60
# Rest between two holds (product rule): half a minute, the length of most of the holds.
REST_BETWEEN_HOLDS_SECONDS = 30
# A short hold (up to this many seconds, e.g. the adductor squeeze's 5–10 s) rests as long as it
# held (product rule): a 1:1 rhythm instead of 30 s of waiting after every 5 s squeeze.
SHORT_HOLD_MAX_SECONDS = 10
# Time to change legs between the left and the right side of a hold (product rule).
SIDE_SWITCH_SECONDS = 5
# A hold per side runs the left side first (product rule: one fixed order the patient learns).
SIDE_ORDER = ("left", "right")
# Screen readers hear "10 seconds left" in a hold or rest of at least twice this length; the
# countdown itself is not read out every second (product rule).
WARN_SECONDS_LEFT = 10

HOLD, REPS, MINUTES = "hold", "reps", "minutes"


@dataclass(frozen=True)
class TimerPlan:
    kind: str  # HOLD, REPS or MINUTES
    sets: int
    # A hold's or a timed bout's length in seconds; 0 for repetitions (the patient ends a set).
    hold_seconds: int
    # The sides held one after the other in each set: ("left", "right"), one of them, or none.
    sides: tuple[str, ...]
    rest_seconds: int  # between two sets; 0 when there is one set only
    switch_seconds: int  # between the two sides of a set; 0 without two sides
    # What the row's "Seconds or minutes" field gets when every set is done (None: left empty).
    entry_amount: int | None

    @property
    def warn_seconds(self) -> int:
        return WARN_SECONDS_LEFT

    @property
    def timed(self) -> bool:
        """A countdown runs for each hold or bout (not for sets of repetitions)."""
        return self.kind != REPS


def hold_rest_seconds(hold_seconds: int) -> int:
    """The rest after a hold: as long as a short hold, otherwise REST_BETWEEN_HOLDS_SECONDS."""
    if hold_seconds <= SHORT_HOLD_MAX_SECONDS:
        return hold_seconds
    return REST_BETWEEN_HOLDS_SECONDS


def sides_held(*, per_side: bool, side: str) -> tuple[str, ...]:
    """The sides a per-side exercise is done on: the prescription's side, or both in SIDE_ORDER.
    An exercise that is not per side (both legs at once, or alternating within a set): none."""
    if not per_side:
        return ()
    if side in SIDE_ORDER:
        return (side,)
    return SIDE_ORDER


def timer_plan(dose: Dose, *, per_side: bool = False, side: str = "both") -> TimerPlan | None:
    """The timer for one prescribed dose, or None when there is nothing to time (one set of
    repetitions). The hold is the dose's lower value, the length every patient reaches."""
    if dose.unit == "reps":
        if dose.sets < 2:
            return None
        return TimerPlan(
            kind=REPS,
            sets=dose.sets,
            hold_seconds=0,
            sides=(),
            rest_seconds=REST_BETWEEN_SETS_SECONDS,
            switch_seconds=0,
            entry_amount=None,
        )
    if dose.unit == "minutes":
        kind, hold, rest = MINUTES, dose.low * 60, REST_BETWEEN_SETS_SECONDS
    else:
        kind, hold, rest = HOLD, dose.low, hold_rest_seconds(dose.low)
    sides = sides_held(per_side=per_side, side=side) if kind == HOLD else ()
    return TimerPlan(
        kind=kind,
        sets=dose.sets,
        hold_seconds=hold,
        sides=sides,
        rest_seconds=rest if dose.sets > 1 else 0,
        switch_seconds=SIDE_SWITCH_SECONDS if len(sides) > 1 else 0,
        entry_amount=dose.low,
    )


def prescription_timer(prescription) -> TimerPlan | None:
    """timer_plan for a Prescription whose exercise is loaded (the checklist's select_related):
    no query."""
    return timer_plan(
        prescription.dose, per_side=prescription.exercise.per_side, side=prescription.side
    )
