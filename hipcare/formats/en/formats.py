# Day-month order, as patients and physios in Danish clinics expect, also in English.
# Django's own module for "en" fills in the rest (number separators). Times are 24-hour.
DATE_FORMAT = "j F Y"  # 22 November 2026
SHORT_DATE_FORMAT = "d/m/Y"  # 22/11/2026
DATETIME_FORMAT = "j F Y, H:i"  # 22 November 2026, 14:30 (Django's "en" is US: Nov. 22, 2 p.m.)
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 22/11/2026 14:30
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"  # 22 Nov
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
FIRST_DAY_OF_WEEK = 1

# hipcare's own names, read by |date:"NAME" and plans/dates.py; every language in LANGUAGES has
# them (tests/plans/test_dates.py checks).
LONG_MONTH_DAY_FORMAT = "j F"  # 22 November
WEEKDAY_MONTH_DAY_FORMAT = "l j F"  # Monday 22 November
WEEKDAY_DATE_FORMAT = "l j F Y"  # Monday 22 November 2026
# A range of days (plans.dates.day_range): "22–28 Nov" in one month, "29 Nov – 5 Dec" across.
RANGE_START_DAY_FORMAT = "j"
RANGE_SEPARATOR = "–"
RANGE_SEPARATOR_WIDE = " – "
