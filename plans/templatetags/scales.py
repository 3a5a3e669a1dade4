"""The 0–10 scales of plans/_pain_scale.html."""

from django import template

register = template.Library()


@register.filter
def scale_options(field):
    """A choice field's options as (value, label, checked), read from its choices and value
    without rendering a radio widget per option (the checklist shows three 11-point scales)."""
    current = field.value()
    current = "" if current is None else str(current)
    return [(str(value), label, str(value) == current) for value, label in field.field.choices]
