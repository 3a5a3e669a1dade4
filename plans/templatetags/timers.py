"""`{% timer_plan rx as timer %}`: a prescription's hold and rest timer (plans/timers.py)."""

from django import template

from plans import timers

register = template.Library()


@register.simple_tag
def timer_plan(prescription):
    """The TimerPlan for the prescription, or None when there is nothing to time. No query: the
    checklist loads each prescription with its exercise."""
    return timers.prescription_timer(prescription)
