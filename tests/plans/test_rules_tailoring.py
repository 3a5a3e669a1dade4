import pytest

from plans.rules import ExerciseFacts, caution_reason, template_problems

ALL = frozenset({"osteoarthritis", "bursitis", "fai"})


def facts(slug="bridge", category="strength", suits=ALL, cautions=None, active=True):
    return ExerciseFacts(slug, category, suits, cautions or {}, active)


def test_a_suitable_template_has_no_problems():
    assert template_problems("fai", [facts(), facts("clam-shell")]) == []


@pytest.mark.parametrize(
    "exercises,problem",
    [
        ([], "the template is empty"),
        ([facts(suits=frozenset({"osteoarthritis"}))], "bridge does not suit fai"),
        ([facts(cautions={"fai": "deep flexion"})], "bridge is cautioned for fai"),
        ([facts(active=False)], "bridge is inactive"),
        ([facts(), facts()], "bridge appears twice"),
        ([facts(category="flexibility")], "bridge (flexibility) is outside the focus"),
    ],
)
def test_template_problems(exercises, problem):
    assert problem in template_problems("fai", exercises)


def test_a_caution_for_another_condition_does_not_count():
    exercise = facts(cautions={"bursitis": "compresses the tendon"})
    assert caution_reason(exercise, "fai") is None
    assert caution_reason(exercise, "bursitis") == "compresses the tendon"
    assert template_problems("fai", [exercise]) == []


def test_bursitis_focus_excludes_stretching():
    assert "bridge (flexibility) is outside the focus" in template_problems(
        "bursitis", [facts(category="flexibility")]
    )
