"""HOOS-12 and single-value scoring against hand-computed tables (courses/scoring.py).

A HOOS-12 scale is 4 items answered 0 (no problems) to 4 (extreme); its score is
100 - (sum × 100 / 16), a missing item taking the mean of the answered ones, scored while at
least half (2 of 4) are answered; the summary is the mean of the three scales, only when all
three are scored."""

import pytest

from courses import scoring

SUBSCALES = {
    **dict.fromkeys((1, 2, 3, 4), "pain"),
    **dict.fromkeys((5, 6, 7, 8), "function"),
    **dict.fromkeys((9, 10, 11, 12), "qol"),
}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([0, 0, 0, 0], 100.0),
        ([4, 4, 4, 4], 0.0),
        ([1, 2, 1, 0], 75.0),  # sum 4: 100 - 4 × 100 / 16
        ([2, 2, 2, 2], 50.0),
        ([1, 1, 1, 0], 81.2),  # sum 3: 100 - 18.75 = 81.25, one decimal
        ([3, 3, 3, 2], 31.2),  # sum 11: 100 - 68.75
        ([2, None, 4, 3], 25.0),  # the mean 3 fills the gap: 100 - 25 × 3
        ([None, 1, 1, 2], 66.7),  # the mean 4/3 fills it: sum 16/3 → 100 - 33.3
        ([0, None, None, 4], 50.0),  # two missing: still scored (half answered), mean 2
        ([None, None, None, 1], None),  # three missing: not scored
        ([None, None, None, None], None),
    ],
)
def test_hoos12_scale_table(answers, expected):
    assert scoring.hoos12_scale(answers) == expected


def test_a_missing_item_is_the_persons_mean_not_zero():
    with_gap = scoring.hoos12_scale([4, None, 4, 4])
    assert with_gap == 0.0  # the gap counted as 0 would give 25.0


@pytest.mark.parametrize("bad", [5, -1, 10])
def test_hoos12_out_of_range_answers_raise(bad):
    with pytest.raises(ValueError):
        scoring.hoos12_scale([0, 1, bad, 2])


def _answers(pain, function, qol):
    values = [*pain, *function, *qol]
    return dict(zip(range(1, 13), values, strict=True))


@pytest.mark.parametrize(
    ("pain", "function", "qol", "expected"),
    [
        (
            [0] * 4,
            [0] * 4,
            [0] * 4,
            {"pain": 100.0, "function": 100.0, "qol": 100.0, "summary": 100.0},
        ),
        (
            [4] * 4,
            [4] * 4,
            [4] * 4,
            {"pain": 0.0, "function": 0.0, "qol": 0.0, "summary": 0.0},
        ),
        (
            [1, 2, 1, 0],
            [2, 2, 2, 2],
            [4, 4, 4, 4],
            {"pain": 75.0, "function": 50.0, "qol": 0.0, "summary": 41.7},  # 125 / 3
        ),
        (
            [2, None, 4, 3],
            [None, None, 0, 0],
            [1, 1, 1, 1],
            {"pain": 25.0, "function": 100.0, "qol": 75.0, "summary": 66.7},
        ),
        # One scale not scored: no summary, the other scales still are.
        (
            [1, 2, 1, 0],
            [None, None, None, 2],
            [1, 1, 1, 1],
            {"pain": 75.0, "function": None, "qol": 75.0, "summary": None},
        ),
    ],
)
def test_hoos12_scores_table(pain, function, qol, expected):
    assert scoring.hoos12(SUBSCALES, _answers(pain, function, qol)) == expected


def test_hoos12_ignores_answers_to_items_it_does_not_have():
    answers = _answers([0] * 4, [0] * 4, [0] * 4) | {13: 4}
    assert scoring.hoos12(SUBSCALES, answers)["summary"] == 100.0


@pytest.mark.parametrize(("given", "expected"), [(0, 0.0), (7, 7.0), (12.5, 12.5), (None, None)])
def test_single_reports_the_value_as_given(given, expected):
    assert scoring.single({1: "value"}, {1: given}) == {"value": expected}


def test_score_dispatches_on_the_instruments_rule():
    assert scoring.score(scoring.SINGLE, {1: "value"}, {1: 6}) == {"value": 6.0}
    assert (
        scoring.score(scoring.HOOS12, SUBSCALES, _answers([0] * 4, [0] * 4, [0] * 4))["summary"]
        == 100.0
    )
