"""Table tests for the pain-monitoring rules (clinical-facts.md §4), boundaries on both sides."""

import datetime

import pytest

from exercises.bounds import DOSE_BOUNDS, SETS_MAX, SETS_MIN
from plans import rules
from plans.rules import EASE_OFF, KEEP, PROGRESS, STOP, Dose, SessionFacts

DAY = datetime.date(2026, 11, 24)


def sessions(*pairs, flags=None):
    """(pain_before, pain_after) pairs, oldest first, one every other day up to DAY."""
    n = len(pairs)
    out = []
    for i, (before, after) in enumerate(pairs):
        red = tuple(flags) if flags and i == n - 1 else ()
        out.append(SessionFacts(DAY - datetime.timedelta(days=2 * (n - 1 - i)), before, after, red))
    return out


FLAT = [3.0, 3.0, 3.0, 3.0]

# (sessions, weekly mean pain before, adherence %, expected kind)
TABLE = [
    # Too little data: fewer than 3 sessions in 14 days → keep.
    (sessions((2, 2), (2, 2)), FLAT, 100, KEEP),
    (sessions((2, 2), (2, 2), (2, 2)), FLAT, 100, PROGRESS),
    # Pain after 5 vs 6 of 10 (acceptable up to 5).
    (sessions((3, 5), (3, 5), (3, 5)), FLAT, 100, PROGRESS),
    (sessions((3, 6), (3, 5), (3, 6)), FLAT, 100, EASE_OFF),  # 2 of the last 3 above 5
    (sessions((3, 6), (3, 5), (3, 5)), FLAT, 100, KEEP),  # only 1 of 3 above 5: not settled
    # Pain after 6 vs 7 (7–10 is severe): stop and review, even with too little data.
    (sessions((3, 6), (3, 6), (3, 6)), FLAT, 100, EASE_OFF),
    (sessions((3, 7)), FLAT, 100, STOP),
    (sessions((3, 4), (3, 4), (3, 7)), FLAT, 100, STOP),
    # A red-flag answer: stop and review.
    (sessions((1, 1), flags=["calf"]), FLAT, 100, STOP),
    # Settled by next morning: pain before not higher than the first of the last 3.
    (sessions((3, 4), (3, 4), (3, 4)), FLAT, 100, PROGRESS),
    (sessions((3, 4), (4, 4), (3, 4)), FLAT, 100, KEEP),
    # Weekly mean pain before: flat vs rising.
    (sessions((3, 4), (3, 4), (3, 4)), [3.0, 3.0, 3.0, 3.5], 100, KEEP),  # rose a little
    (sessions((3, 4), (3, 4), (3, 4)), [3.0, 3.0, 4.0, 5.0], 100, EASE_OFF),  # +1 twice
    (sessions((3, 4), (3, 4), (3, 4)), [3.0, 3.0, 4.0, 4.5], 100, KEEP),  # +1 then +0.5
    (sessions((3, 4), (3, 4), (3, 4)), [2.0, 2.5, 3.0, 3.5], 100, STOP),  # 3 weeks in a row
    (sessions((3, 4), (3, 4), (3, 4)), [None, 2.5, 3.0, 3.5], 100, KEEP),  # only 2 rises
    # Adherence 75 % vs 74 % for progress.
    (sessions((2, 2), (2, 2), (2, 2)), FLAT, 75, PROGRESS),
    (sessions((2, 2), (2, 2), (2, 2)), FLAT, 74, KEEP),
    (sessions((2, 2), (2, 2), (2, 2)), FLAT, None, KEEP),
]


@pytest.mark.parametrize("recent,weekly,adherence,expected", TABLE)
def test_suggestion_table(recent, weekly, adherence, expected):
    suggestion = rules.suggest(sessions=recent, weekly_pain_before=weekly, adherence_14d=adherence)
    assert suggestion.kind == expected
    assert suggestion.reasons


def test_reason_carries_the_pain_range():
    suggestion = rules.suggest(
        sessions=sessions((3, 6), (3, 7), (3, 7)), weekly_pain_before=FLAT, adherence_14d=100
    )
    assert suggestion.reasons[0] == rules.Reason("pain_after_range", (3, 6, 7))


# (dose, expected next dose, variant) going up the seed's ladder
PROGRESS_TABLE = [
    (Dose(2, "reps", 10, 15), Dose(2, "reps", 12, 15), ""),  # more reps
    (Dose(2, "reps", 14, 15), Dose(2, "reps", 15, 15), ""),  # up to the range's top
    (Dose(2, "reps", 15, 15), Dose(3, "reps", 15, 15), ""),  # then one more set
    (Dose(4, "reps", 15, 15), Dose(2, "reps", 10, 15), "harder"),  # then the harder variant
    (Dose(3, "seconds", 30, 30), Dose(3, "seconds", 35, 35), ""),  # a longer hold
    (Dose(3, "seconds", 55, 60), Dose(4, "seconds", 55, 60), ""),  # then a set
    (Dose(1, "minutes", 10, 20), Dose(1, "minutes", 12, 22), ""),
    (Dose(1, "minutes", 55, 60), Dose(2, "reps", 10, 15), "harder"),
]


@pytest.mark.parametrize("dose,expected,variant", PROGRESS_TABLE)
def test_progress_ladder(dose, expected, variant):
    step = rules.progress_step(dose, default=Dose(2, "reps", 10, 15) if variant else None)
    assert (step.dose, step.variant) == (expected, variant)


EASE_TABLE = [
    (Dose(3, "reps", 15, 15), Dose(2, "reps", 15, 15), ""),  # one set fewer first
    (Dose(1, "reps", 10, 15), Dose(1, "reps", 8, 13), ""),  # then fewer reps
    (Dose(1, "reps", 4, 5), Dose(1, "reps", 4, 4), ""),
    (Dose(1, "reps", 4, 4), Dose(1, "reps", 4, 4), "easier"),  # then the easier variant
    (Dose(1, "seconds", 30, 45), Dose(1, "seconds", 25, 40), ""),
    (Dose(1, "seconds", 10, 10), Dose(1, "seconds", 10, 10), "easier"),
    (Dose(1, "minutes", 10, 20), Dose(1, "minutes", 8, 18), ""),
]


@pytest.mark.parametrize("dose,expected,variant", EASE_TABLE)
def test_ease_off_ladder(dose, expected, variant):
    step = rules.ease_off_step(dose)
    assert (step.dose, step.variant) == (expected, variant)


@pytest.mark.parametrize("unit", ["reps", "seconds", "minutes"])
@pytest.mark.parametrize("sets", [1, 4, 10])
@pytest.mark.parametrize("kind", [PROGRESS, EASE_OFF])
def test_steps_never_leave_the_catalogue_bounds(unit, sets, kind):
    low_bound, high_bound = DOSE_BOUNDS[unit]
    for low, high in [(low_bound, low_bound), (high_bound, high_bound), (low_bound, high_bound)]:
        dose = Dose(sets, unit, low, high)
        for _ in range(30):  # walk the ladder to its end
            dose = rules.dose_step(kind, dose).dose
            assert SETS_MIN <= dose.sets <= SETS_MAX
            assert low_bound <= dose.low <= dose.high <= high_bound


FLAG_BASE = {
    "weekly_pain_before": FLAT,
    "adherence_14d": 100,
    "days_running": 30,
    "last_session": DAY,
    "today": DAY,
    "pending": False,
}


@pytest.mark.parametrize(
    "change,expected",
    [
        ({}, []),
        ({"sessions": sessions((3, 7))}, [rules.FLAG_SEVERE]),
        ({"sessions": sessions((3, 6))}, []),
        ({"weekly_pain_before": [3.0, 3.0, 4.0, 5.0]}, [rules.FLAG_RISING]),
        ({"adherence_14d": 49}, [rules.FLAG_LOW_ADHERENCE]),
        ({"adherence_14d": 50}, []),
        ({"adherence_14d": 0, "days_running": 6}, []),  # too early to judge
        ({"last_session": DAY - datetime.timedelta(days=7)}, [rules.FLAG_INACTIVE]),
        ({"last_session": DAY - datetime.timedelta(days=6)}, []),
        ({"pending": True}, [rules.FLAG_SUGGESTION]),
        (
            {"pending": True, "adherence_14d": 10, "sessions": sessions((3, 8))},
            [rules.FLAG_SEVERE, rules.FLAG_LOW_ADHERENCE, rules.FLAG_SUGGESTION],
        ),
    ],
)
def test_flags(change, expected):
    kwargs = {"sessions": [], **FLAG_BASE, **change}
    assert rules.patient_flags(**kwargs) == expected
