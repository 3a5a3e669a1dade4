"""Dose bounds shared by the catalogue, templates, prescriptions and the pure rules (issue #4)."""

SETS_MIN, SETS_MAX = 1, 10
REPS_MIN, REPS_MAX = 1, 100
HOLD_SECONDS_MIN, HOLD_SECONDS_MAX = 1, 300
MINUTES_MIN, MINUTES_MAX = 1, 60

DOSE_BOUNDS = {
    "reps": (REPS_MIN, REPS_MAX),
    "seconds": (HOLD_SECONDS_MIN, HOLD_SECONDS_MAX),
    "minutes": (MINUTES_MIN, MINUTES_MAX),
}
