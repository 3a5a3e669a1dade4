# Danish date formats (Django date-format syntax). Django's own module for "da" fills in the rest
# (DATETIME_FORMAT, SHORT_DATETIME_FORMAT, number separators).
DATE_FORMAT = "j. F Y"  # 22. november 2026
SHORT_DATE_FORMAT = "d.m.Y"  # 22.11.2026
MONTH_DAY_FORMAT = "j. N"  # 22. nov. (N: Danish short months: jan., marts, maj, sept., nov.)
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
FIRST_DAY_OF_WEEK = 1

# hipcare's own names, read by |date:"NAME" and plans/dates.py; every language in LANGUAGES has
# them (tests/plans/test_dates.py checks).
LONG_MONTH_DAY_FORMAT = "j. F"  # 22. november
WEEKDAY_MONTH_DAY_FORMAT = r"l \d\e\n j. F"  # mandag den 22. november
WEEKDAY_DATE_FORMAT = r"l \d\e\n j. F Y"  # mandag den 22. november 2026
# A range of days (plans.dates.day_range): "22.–28. nov." in one month, "29. nov.–5. dec." across.
RANGE_START_DAY_FORMAT = "j."
RANGE_SEPARATOR = "–"
RANGE_SEPARATOR_WIDE = "–"
