"""Dates follow the reader's language: hipcare/formats/<language>/formats.py and plans/dates.py."""

import datetime
import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, get_format

from plans import services
from plans.dates import day_range
from plans.models import Prescription, Session, SessionEntry
from tests.factories import PlanFactory, PrescriptionFactory

D = datetime.date
LANGUAGES = [code for code, _ in settings.LANGUAGES]
# hipcare's own format names (|date:"NAME" answers the name itself where a language lacks one).
HIPCARE_FORMATS = [
    "MONTH_DAY_FORMAT",
    "LONG_MONTH_DAY_FORMAT",
    "WEEKDAY_MONTH_DAY_FORMAT",
    "WEEKDAY_DATE_FORMAT",
    "RANGE_START_DAY_FORMAT",
    "RANGE_SEPARATOR",
    "RANGE_SEPARATOR_WIDE",
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_hipcares_date_formats(language):
    for name in HIPCARE_FORMATS:
        assert get_format(name, lang=language) != name, (language, name)


@pytest.mark.parametrize(
    "language,one_month,two_months,one_day,march",
    [
        ("da", "22.–28. nov.", "29. nov.–5. dec.", "22. nov.", "2.–8. marts"),
        ("en", "22–28 Nov", "29 Nov – 5 Dec", "22 Nov", "2–8 Mar"),
    ],
)
def test_a_range_of_days_writes_the_month_once(language, one_month, two_months, one_day, march):
    with translation.override(language):
        assert day_range(D(2026, 11, 22), D(2026, 11, 28)) == one_month
        assert day_range(D(2026, 11, 29), D(2026, 12, 5)) == two_months
        assert day_range(D(2026, 11, 22), D(2026, 11, 22)) == one_day
        assert day_range(D(2026, 3, 2), D(2026, 3, 8)) == march
        rendered = Template("{% load dates %}{{ a|day_range:b }}").render(
            Context({"a": D(2026, 11, 22), "b": D(2026, 11, 28)})
        )
        assert rendered == one_month


@pytest.mark.parametrize(
    "language,expected",
    [
        ("da", "mandag den 23. november | mandag den 23. november 2026 | 23. november | 23. nov."),
        ("en", "Monday 23 November | Monday 23 November 2026 | 23 November | 23 Nov"),
    ],
)
def test_named_formats_follow_the_language(language, expected):
    template = Template(
        '{{ d|date:"WEEKDAY_MONTH_DAY_FORMAT" }} | {{ d|date:"WEEKDAY_DATE_FORMAT" }} | '
        '{{ d|date:"LONG_MONTH_DAY_FORMAT" }} | {{ d|date:"MONTH_DAY_FORMAT" }}'
    )
    with translation.override(language):
        assert template.render(Context({"d": D(2026, 11, 23)})) == expected


@pytest.mark.parametrize(
    "language,short,long",
    [
        ("da", "03.11.2026 14:05", "3. november 2026 14:05"),
        (
            "en",
            "03/11/2026 14:05",
            "3 November 2026, 14:05",
        ),  # not Django's US "11/03/2026 2:05 p.m."
    ],
)
def test_times_are_day_first_and_24_hour(language, short, long):
    moment = datetime.datetime(2026, 11, 3, 14, 5)
    with translation.override(language):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == short
        assert date_format(moment, "DATETIME_FORMAT") == long


def _page(client, user, language, url):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return re.sub(r"\s+", " ", client.get(url).content.decode())


@pytest.fixture
def old_plan(patient):
    # Saturday 22 November 2025, 12 weeks: every week is history; page 2 holds weeks 4 to 1.
    plan = PlanFactory(patient=patient, start_date=D(2025, 11, 22), weeks=12)
    rx = PrescriptionFactory(plan=plan, valid_from=plan.start_date)
    session = Session.objects.create(plan=plan, date=D(2025, 11, 23), pain_before=3)
    SessionEntry.objects.create(session=session, prescription=rx)
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,week_1,week_2,day",
    [
        ("da", "Programuge 1 af 12 (22.–28. nov.)", "Programuge 2 af 12 (29. nov.–5. dec.)",
         'title="søndag den 23. november"'),
        ("en", "Week 1 of 12 (22–28 Nov)", "Week 2 of 12 (29 Nov – 5 Dec)",
         'title="Sunday 23 November"'),
    ],
)  # fmt: skip
def test_the_history_labels_weeks_in_the_readers_language(
    client, patient, old_plan, language, week_1, week_2, day
):
    detail = reverse("plans:patient-detail", args=[patient.pk])
    urls = {
        patient: reverse("plans:history") + "?page=2",
        patient.physio: f"{detail}?plan={old_plan.pk}&page=2",
    }
    for user, url in urls.items():
        page = _page(client, user, language, url)
        assert week_1 in page and week_2 in page, user
        assert day in page, user
        assert "22 Nov – 28 Nov" not in page  # the fixed pattern of before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,heading",
    [
        ("da", "Træningspas søndag den 23. november 2025"),
        ("en", "Session on Sunday 23 November 2025"),
    ],
)
def test_a_session_page_names_its_day_in_the_readers_language(
    client, patient, old_plan, language, heading
):
    session = old_plan.sessions.get()
    assert heading in _page(
        client, patient, language, reverse("plans:session-detail", args=[session.pk])
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language,date", [("da", "23.11.2025"), ("en", "23/11/2025")])
def test_an_eased_dose_gives_the_session_day_in_the_readers_language(old_plan, language, date):
    session = old_plan.sessions.get()
    session.pain_after = 8
    session.save()
    with translation.override(language):
        services._ease_next_session(session)
    eased = Prescription.objects.filter(plan=old_plan, eased_after=session).get()
    assert date in eased.change_reason and "2025-11-23" not in eased.change_reason
