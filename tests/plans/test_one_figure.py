"""The caseload, the patient page, the checklist and the history show the same figures."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from plans.models import Session, SessionEntry
from tests.factories import PlanFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


@pytest.fixture
def logged_plan(patient):
    # Started 16 days ago: today is day 3 of week 3 (weeks run from the start day).
    plan = PlanFactory(patient=patient, start_date=days_ago(16), sessions_per_week=3)
    rx = PrescriptionFactory(plan=plan, valid_from=plan.start_date)
    for ago in (1, 2, 5, 9, 12):
        session = Session.objects.create(plan=plan, date=days_ago(ago), pain_before=3)
        SessionEntry.objects.create(session=session, prescription=rx)
    Session.objects.create(plan=plan, date=days_ago(3), pain_before=4)  # nothing ticked
    return plan


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_four_pages_show_one_week_and_one_adherence(client, patient, logged_plan):
    # By hand: week 3 holds days 1 and 2 ago, so 2 of its 3 sessions; the last 14 days hold
    # 5 sessions of 3 × 14 / 7 = 6 prescribed (83 %); the whole program 5 of 3 × 17 / 7 = 7.29,
    # shown as "5 of 7", and the percentage is the fraction shown (71 %, issue #15).
    week_line = "Week 3 of 12: 2 of 3 sessions"
    client.force_login(patient.physio)
    caseload = client.get(reverse("plans:caseload"))
    detail = client.get(reverse("plans:patient-detail", args=[patient.pk]))
    client.force_login(patient)
    checklist = client.get(reverse("plans:today"))
    cache.clear()  # rendered, not the patient page's history fragment from the shared cache
    history = client.get(reverse("plans:history"))

    row = next(iter(caseload.context["page"]))
    weeks = {
        "caseload": row.progress.week,
        "patient page": detail.context["progress"].week,
        "checklist": checklist.context["week"],
        "history": history.context["history"].weeks_page[0],
    }
    for page, week in weeks.items():
        assert (week.index, week.done, week.prescribed_display) == (3, 2, 3), page
    for response in (caseload, detail, checklist):
        assert week_line in text(response)
    assert "2 of 3 sessions" in text(history)

    summaries = {
        "caseload": row.progress.summary,
        "patient page": detail.context["summary"],
        "history": history.context["summary"],
    }
    for page, summary in summaries.items():
        assert (summary.recent.done, summary.recent.prescribed_display) == (5, 6), page
        assert (summary.recent.percent, summary.overall.percent) == (83, 71), page
        assert summary.last_session == days_ago(1), page
    assert "83 %" in text(caseload)
    for response in (detail, history):
        assert "83 %" in text(response) and "5 of 6 prescribed sessions" in text(response)
        assert "71 %" in text(response)


def test_a_backfilled_day_shows_the_week_it_belongs_to(client, patient, logged_plan):
    client.force_login(patient)
    response = client.get(reverse("plans:today"), {"date": days_ago(5).isoformat()})
    week = response.context["week"]
    # 5 days ago is in week 2 (days 9 to 3 ago), with the sessions of 5 and 9 days ago.
    assert (week.index, week.start, week.end, week.done) == (2, days_ago(9), days_ago(3), 2)
    assert "Week 2 of 12: 2 of 3 sessions" in text(response)
