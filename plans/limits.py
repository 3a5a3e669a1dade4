"""Limits on what a patient enters, shared by the model constraints, forms, services and pages."""

# The numeric rating scale for pain and effort (clinical-facts.md §4).
PAIN_MIN, PAIN_MAX = 0, 10
# Ticked-exercise details: more sets or seconds than this is a typo, not a session.
ENTRY_SETS_MAX = 20
ENTRY_REPS_MAX = 3600  # an hour, in seconds: the longest hold or timed exercise
