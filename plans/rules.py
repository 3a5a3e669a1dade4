"""Pure clinical rules: tailoring, adherence and progression. No ORM: tests need no database.

Thresholds that are product rules (clinical-facts.md marks them so) are named constants here.
"""

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
