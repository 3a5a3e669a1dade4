"""Dates in the reader's language: the patterns live in hipcare/formats/<language>/formats.py."""

import datetime

from django.utils import dateformat
from django.utils.formats import get_format


def _format(name: str, default: str) -> str:
    # get_format answers the name itself for a name that no format module of the language has.
    value = get_format(name)
    return default if value == name else value


def day_range(start: datetime.date, end: datetime.date) -> str:
    """A range of days, the month written once when both days share it.

    Danish: "22.–28. nov.", "29. nov.–5. dec."; English: "22–28 Nov", "29 Nov – 5 Dec".
    """
    month_day = get_format("MONTH_DAY_FORMAT")
    if start == end:
        return dateformat.format(end, month_day)
    if (start.year, start.month) == (end.year, end.month):
        first = dateformat.format(start, _format("RANGE_START_DAY_FORMAT", "j"))
        separator = _format("RANGE_SEPARATOR", "–")
    else:
        first = dateformat.format(start, month_day)
        separator = _format("RANGE_SEPARATOR_WIDE", " – ")
    return f"{first}{separator}{dateformat.format(end, month_day)}"
