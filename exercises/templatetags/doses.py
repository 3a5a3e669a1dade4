"""`{% dose value %}`: the one way a dose is shown, on every page and in the handout."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()

UNIT_WORDS = {
    "reps": lambda: _("reps"),
    "seconds": lambda: _("s hold"),
    "minutes": lambda: _("min"),
}


@register.inclusion_tag("exercises/_dose.html")
def dose(value, exercise=None):
    """`value` is an exercises.dose.Dose; `exercise` adds "per side" or "alternating sides"."""
    side = ""
    if exercise is not None and exercise.per_side:
        side = _("per side")
    elif exercise is not None and exercise.alternating:
        side = _("alternating sides")
    return {"dose": value, "unit": UNIT_WORDS[value.unit](), "side": side}
