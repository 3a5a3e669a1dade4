"""Bounds the catalogue owns: doses (issue #4) and program shape, shared by the catalogue,
templates, plans, prescriptions, forms and the pure rules. Each is defined here and only here.
"""

SETS_MIN, SETS_MAX = 1, 10
REPS_MIN, REPS_MAX = 1, 100
HOLD_SECONDS_MIN, HOLD_SECONDS_MAX = 1, 300
MINUTES_MIN, MINUTES_MAX = 1, 60

DOSE_BOUNDS = {
    "reps": (REPS_MIN, REPS_MAX),
    "seconds": (HOLD_SECONDS_MIN, HOLD_SECONDS_MAX),
    "minutes": (MINUTES_MIN, MINUTES_MAX),
}

# Program shape, for templates and the plans started from them.
# The seed article: "at least three to four times a week" (product default 3, range 1–7).
DEFAULT_SESSIONS_PER_WEEK = 3
SESSIONS_PER_WEEK_MIN, SESSIONS_PER_WEEK_MAX = 1, 7
# Up to two years: long enough for maintenance programs after the first 12 weeks.
PLAN_WEEKS_MIN, PLAN_WEEKS_MAX = 1, 104
