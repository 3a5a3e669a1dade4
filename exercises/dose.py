"""A dose as one value: sets and a range of reps, hold seconds or minutes.

The catalogue owns the bounds (exercises/bounds.py); a dose is validated here and nowhere else,
whether it comes from the admin, a form, a service or the progression ladder.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from exercises.bounds import DOSE_BOUNDS, SETS_MAX, SETS_MIN


class DoseUnit(models.TextChoices):
    REPS = "reps", _("repetitions")
    SECONDS = "seconds", _("seconds hold")
    MINUTES = "minutes", _("minutes")


def dose_errors(*, sets, unit, low, high) -> dict:
    """{field: message} for what is wrong; None values (a field left empty) are not judged.

    The keys are the model and form field names (sets, dose_min, dose_max).
    """
    errors = {}
    if sets is not None and not SETS_MIN <= sets <= SETS_MAX:
        errors["sets"] = _("Sets must be between %(low)d and %(high)d.") % {
            "low": SETS_MIN,
            "high": SETS_MAX,
        }
    bounds = DOSE_BOUNDS.get(unit)
    if bounds is None:
        errors["dose_unit"] = _("Unknown unit.")
        return errors
    low_bound, high_bound = bounds
    for field, value in (("dose_min", low), ("dose_max", high)):
        if value is not None and not low_bound <= value <= high_bound:
            errors[field] = _("Must be between %(low)d and %(high)d %(unit)s.") % {
                "low": low_bound,
                "high": high_bound,
                "unit": DoseUnit(unit).label,
            }
    if low is not None and high is not None and low > high:
        errors.setdefault("dose_max", _("The upper value must not be below the lower value."))
    return errors


@dataclass(frozen=True)
class Dose:
    sets: int
    unit: str  # a DoseUnit value
    low: int
    high: int

    @property
    def errors(self) -> dict:
        return dose_errors(sets=self.sets, unit=self.unit, low=self.low, high=self.high)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def clamped(self) -> "Dose":
        """The nearest dose inside the catalogue's bounds (the progression ladder's guard rail)."""
        low_bound, high_bound = DOSE_BOUNDS[self.unit]
        sets = min(max(self.sets, SETS_MIN), SETS_MAX)
        low = min(max(self.low, low_bound), high_bound)
        high = min(max(self.high, low), high_bound)
        return Dose(sets, self.unit, low, high)

    @property
    def range(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"

    def as_fields(self) -> dict:
        """The model's field names, for create() and update() calls."""
        return {
            "sets": self.sets,
            "dose_unit": self.unit,
            "dose_min": self.low,
            "dose_max": self.high,
        }
