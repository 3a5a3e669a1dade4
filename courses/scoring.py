"""Scoring rules: a questionnaire's answers (item number → value) to its scores (measure code →
value). Pure functions: no database, so the tests table them directly.

Each instrument names its rule (`Instrument.scoring`); an item names its subscale.
"""

from collections.abc import Iterable, Mapping

SINGLE = "single"
HOOS12 = "hoos12"

# HOOS-12 [13], as published on koos.nu (HOOS-12 user's guide): items scored 0 (no problems)
# to 4 (extreme problems); a scale is scored when at least half of its items are answered, a
# missing item taking the person's mean of the scale's answered items; the summed ratings are
# transformed so 0 is the worst and 100 the best. The summary impact score is the mean of the
# three scale scores, given only when all three are scored.
HOOS12_ITEM_MAX = 4
HOOS12_SCALES = ("pain", "function", "qol")
HOOS12_SUMMARY = "summary"


def hoos12_scale(answers: Iterable[int | None]) -> float | None:
    """One HOOS-12 scale, 0–100 (100 = no problems), or None when fewer than half answered."""
    answers = list(answers)
    given = [a for a in answers if a is not None]
    if not answers or len(given) * 2 < len(answers):
        return None
    if any(not 0 <= a <= HOOS12_ITEM_MAX for a in given):
        raise ValueError("HOOS-12 items are answered 0 to 4.")
    mean = sum(given) / len(given)  # the person-specific estimate fills each missing item
    total = mean * len(answers)
    return round(100 - total * 100 / (HOOS12_ITEM_MAX * len(answers)), 1)


def hoos12(subscales: Mapping[int, str], answers: Mapping[int, int | None]) -> dict:
    """subscales: item number → scale code; answers: item number → 0–4 or None."""
    scores = {}
    for scale in HOOS12_SCALES:
        items = sorted(n for n, s in subscales.items() if s == scale)
        scores[scale] = hoos12_scale(answers.get(n) for n in items)
    parts = [scores[s] for s in HOOS12_SCALES]
    scores[HOOS12_SUMMARY] = (
        None if None in parts else round(sum(parts) / len(parts), 1)
    )  # fmt: skip
    return scores


def single(subscales: Mapping[int, str], answers: Mapping[int, float | None]) -> dict:
    """One item, reported as it was given (a pain score, a count, seconds)."""
    (number,) = subscales
    value = answers.get(number)
    return {"value": None if value is None else float(value)}


RULES = {SINGLE: single, HOOS12: hoos12}


def score(rule: str, subscales: Mapping[int, str], answers: Mapping) -> dict:
    return RULES[rule](subscales, answers)
