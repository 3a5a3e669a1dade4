"""The rules' codes in words (plans/describe.py), for templates."""

from django import template

from plans import describe

register = template.Library()


@register.filter
def suggestion_kind(suggestion):
    return describe.kind_label(suggestion.kind)


@register.filter
def suggestion_text(suggestion):
    return describe.suggestion_text(suggestion)


@register.filter
def flag_labels(flags):
    return [describe.flag_label(flag) for flag in flags]
