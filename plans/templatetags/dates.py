"""Dates in the reader's language (plans/dates.py), for templates."""

from django import template

from plans import dates

register = template.Library()


@register.filter
def day_range(start, end):
    """{{ week.start|day_range:week.end }}: "22.–28. nov." in Danish, "22–28 Nov" in English."""
    if not start or not end:
        return ""
    return dates.day_range(start, end)
