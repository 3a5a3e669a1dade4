import datetime
import threading
import time

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from exercises.dose import Dose
from plans import progress, services
from plans.models import Plan, Session, SessionEntry
from tests.factories import PlanFactory, PrescriptionFactory, SessionFactory, days_ago

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def rx_ids(plan):
    return list(plan.prescriptions.order_by("order").values_list("pk", flat=True))


# --- Services -----------------------------------------------------------------------------------


def test_start_again_updates_the_answers_and_keeps_the_first(plan):
    first = services.session_start(plan=plan, day=TODAY(), pain_before=3, red_flags=["calf"])
    second = services.session_start(plan=plan, day=TODAY(), pain_before=5, red_flags=[])
    assert first.pk == second.pk and Session.objects.count() == 1
    second.refresh_from_db()
    assert (second.pain_before, second.red_flags) == (5, [])  # "Update my answers" saves
    answers = list(second.answers.values_list("pain", "red_flags"))
    assert answers == [(3, ["calf"]), (5, [])]  # the removed red flag stays on record


def test_ticking_twice_leaves_one_entry(plan):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    rx = rx_ids(plan)[0]
    services.entry_set(session=session, prescription_id=rx, done=True)
    services.entry_set(session=session, prescription_id=rx, done=True, sets_done=2, reps_done=12)
    entry = SessionEntry.objects.get()
    assert (entry.sets_done, entry.reps_done) == (2, 12)
    services.entry_set(session=session, prescription_id=rx, done=False)
    assert not SessionEntry.objects.exists()


@pytest.mark.parametrize("day", [lambda: days_ago(-1), lambda: days_ago(8), lambda: days_ago(25)])
def test_days_outside_the_window_are_refused(plan, day):
    with pytest.raises(ValidationError):
        services.session_start(plan=plan, day=day())
    assert not Session.objects.exists()


def test_seven_days_back_is_allowed(plan):
    assert services.session_start(plan=plan, day=days_ago(7)).date == days_ago(7)


def test_ended_plan_takes_no_ticks(plan):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    Plan.objects.filter(pk=plan.pk).update(status="ended", ended_on=TODAY())
    with pytest.raises(ValidationError):
        services.entry_set(session=session, prescription_id=rx_ids(plan)[0], done=True)
    assert not SessionEntry.objects.exists()


def test_forged_prescription_is_refused(plan):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    stranger = PrescriptionFactory()
    with pytest.raises(ValidationError):
        services.entry_set(session=session, prescription_id=stranger.pk, done=True)


@pytest.mark.parametrize("field,value", [("pain_after", 11), ("pain_after", -1), ("effort", 99)])
def test_pain_outside_0_10_is_refused(plan, field, value):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    kwargs = {"pain_after": 3, field: value}
    with pytest.raises(ValidationError):
        services.session_finish(session=session, **kwargs)
    session.refresh_from_db()
    assert session.completed_at is None


def test_dose_history_shows_the_dose_of_that_day(plan):
    rx = plan.prescriptions.order_by("order").first()
    session = services.session_start(plan=plan, day=days_ago(3), pain_before=2)
    services.entry_set(session=session, prescription_id=rx.pk, done=True)
    new = services.prescription_change_dose(
        prescription=rx, by=plan.physio, dose=Dose(4, "reps", 12, 15)
    )
    old_rows = progress.prescriptions_on(plan, days_ago(3))
    new_rows = progress.prescriptions_on(plan, TODAY())
    assert rx.pk in [r.pk for r in old_rows] and new.pk in [r.pk for r in new_rows]
    assert SessionEntry.objects.get().prescription.sets == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_make_one_entry(patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(3))
    rx = PrescriptionFactory(plan=plan)
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    barrier = threading.Barrier(2)
    errors = []

    def tick():
        try:
            barrier.wait()
            services.entry_set(session=session, prescription_id=rx.pk, done=True)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert SessionEntry.objects.filter(session=session).count() == 1


# --- History figures ------------------------------------------------------------------------------


def log(plan, day, ticks=1, pain_before=2, pain_after=3):
    session = SessionFactory(plan=plan, date=day, pain_before=pain_before, pain_after=pain_after)
    for rx in list(plan.prescriptions.all())[:ticks]:
        SessionEntry.objects.create(session=session, prescription=rx)
    return session


def test_weekly_figures_count_weeks_with_no_sessions(plan):
    log(plan, plan.start_date)
    log(plan, plan.start_date + datetime.timedelta(days=1))
    log(plan, plan.start_date + datetime.timedelta(days=2), ticks=0)  # nothing ticked: not done
    weeks = progress.history(plan, page_number=1, today=TODAY()).chart_weeks
    assert [w.done for w in weeks] == [2, 0, 0]
    assert weeks[0].percent == 67 and weeks[1].percent == 0
    assert weeks[2].in_progress and weeks[2].percent is None


def test_weekly_figures_of_a_program_that_ended(patient):
    start = days_ago(30)
    plan = PlanFactory(
        patient=patient,
        start_date=start,
        status="ended",
        ended_on=start + datetime.timedelta(days=9),
    )
    PrescriptionFactory(plan=plan)
    log(plan, start)
    weeks = progress.history(plan, page_number=1, today=TODAY()).chart_weeks
    assert [(w.index, w.done) for w in weeks] == [(1, 1), (2, 0)]
    assert weeks[1].end == start + datetime.timedelta(days=9)  # a 3-day last week
    assert round(weeks[1].adherence.prescribed, 2) == round(3 * 3 / 7, 2)


def test_adherence_summary_names_its_denominator(plan):
    for n in (1, 3, 5, 8, 12, 15):
        log(plan, days_ago(n))
    summary = progress.summary(plan, today=TODAY())
    assert summary.recent.done == 5 and summary.recent.prescribed_display == 6
    assert summary.recent.percent == 83
    assert summary.overall.done == 6 and summary.overall.prescribed_display == 9
    assert summary.last_session == days_ago(1)


def test_the_sessions_done_read_with_the_plans_give_the_same_progress(
    plan, patient, django_assert_num_queries
):
    """progress.with_done_counts (the patient page's plans query) counts as _done_counts does:
    ticked sessions only, none after today, the adherence window, the last one; a program
    without any gives none (the subqueries' NULL)."""
    for n in (1, 3, 5, 8, 12, 15):
        log(plan, days_ago(n))
    log(plan, days_ago(2), ticks=0)  # nothing ticked: not done
    log(plan, TODAY() + datetime.timedelta(days=1))  # tomorrow: not yet
    empty = PlanFactory(
        patient=patient, start_date=days_ago(100), weeks=8, status="ended", ended_on=days_ago(50)
    )
    today = TODAY()
    plans = Plan.objects.filter(patient=patient).with_marks().order_by("pk")
    annotated = list(progress.with_done_counts(plans, today=today))
    assert [(p.done_total, p.done_recent, p.done_last) for p in annotated] == [
        (6, 5, days_ago(1)),
        (None, None, None),
    ]
    with django_assert_num_queries(1):  # the last 28 days' sessions only
        read = progress.for_plans(annotated, today=today)
    cache.clear()  # computed again, not the figures just kept in the shared cache
    plain = list(plans)
    with django_assert_num_queries(2):  # and the sessions done
        asked = progress.for_plans(plain, today=today)
    for pk in (plan.pk, empty.pk):
        assert read[pk].summary == asked[pk].summary
        assert read[pk].flags == asked[pk].flags
    assert read[empty.pk].summary.overall.done == 0


# --- Views --------------------------------------------------------------------------------------


def test_checklist_lists_todays_doses_and_safety(client, patient, plan):
    client.force_login(patient)
    response = client.get(reverse("plans:today"))
    html = response.content.decode()
    assert len(response.context["items"]) == 3
    assert "2 × 10–15" in html
    assert "Stop the exercise if you feel sharp pain" in html


def screen(client, day=None, pain=2, red_flags=()):
    day = (day or TODAY()).isoformat()
    data = {"pain_before": pain, "red_flags": list(red_flags)}
    return client.post(reverse("plans:session-start", args=[day]), data)


def test_tick_without_javascript_redirects_back(client, patient, plan):
    client.force_login(patient)
    screen(client)
    rx = rx_ids(plan)[0]
    url = reverse("plans:entry-tick", args=[TODAY().isoformat(), rx])
    response = client.post(url, {"done": "on", "sets_done": 2, "reps_done": 10})
    assert response.status_code == 302 and response.url.endswith(f"#rx-{rx}")
    assert SessionEntry.objects.get().sets_done == 2


def test_tick_with_htmx_returns_the_row(client, patient, plan):
    client.force_login(patient)
    screen(client)
    rx = rx_ids(plan)[0]
    url = reverse("plans:entry-tick", args=[TODAY().isoformat(), rx])
    response = client.post(url, {"done": "on"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li id="rx-{rx}"') and "Undo" in html
    assert "<html" not in html
    response = client.post(url, {"done": ""}, headers={"HX-Request": "true"})
    assert "Mark as done" in response.content.decode()
    assert not SessionEntry.objects.exists()


def test_tick_with_bad_numbers_is_an_error_and_writes_nothing(client, patient, plan):
    client.force_login(patient)
    url = reverse("plans:entry-tick", args=[TODAY().isoformat(), rx_ids(plan)[0]])
    response = client.post(url, {"done": "on", "sets_done": "-4"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "whole numbers" in response.content.decode()
    assert not SessionEntry.objects.exists()


@pytest.mark.parametrize("day", [lambda: days_ago(-1), lambda: days_ago(9), lambda: "not-a-day"])
def test_tick_on_a_bad_day_writes_nothing(client, patient, plan, day):
    client.force_login(patient)
    value = day()
    value = value.isoformat() if hasattr(value, "isoformat") else value
    response = client.post(
        reverse("plans:entry-tick", args=[value, rx_ids(plan)[0]]), {"done": "on"}
    )
    assert response.status_code in (302, 404)
    assert not Session.objects.exists() and not SessionEntry.objects.exists()


def test_tick_of_another_patients_prescription_is_404(client, patient, plan):
    stranger = PrescriptionFactory()
    client.force_login(patient)
    url = reverse("plans:entry-tick", args=[TODAY().isoformat(), stranger.pk])
    assert client.post(url, {"done": "on"}).status_code == 404
    assert not SessionEntry.objects.exists()


def test_finish_with_pain_7_advises_to_stop(client, patient, plan):
    client.force_login(patient)
    day = TODAY().isoformat()
    client.post(reverse("plans:session-start", args=[day]), {"pain_before": 4})
    client.post(reverse("plans:entry-tick", args=[day, rx_ids(plan)[0]]), {"done": "on"})
    response = client.post(
        reverse("plans:session-finish", args=[day]), {"pain_after": 7, "effort": 5}
    )
    assert response.status_code == 302
    html = client.get(reverse("plans:today")).content.decode()
    assert "Stop exercising and contact your physiotherapist" in html


def test_a_red_flag_before_the_session_stops_it(client, patient, plan):
    client.force_login(patient)
    screen(client, red_flags=["calf"])
    assert Session.objects.get().red_flags == ["calf"]
    html = client.get(reverse("plans:today")).content.decode()
    assert "Do not exercise today" in html and "Mark as done" not in html
    response = client.post(
        reverse("plans:entry-tick", args=[TODAY().isoformat(), rx_ids(plan)[0]]), {"done": "on"}
    )
    assert response.status_code == 302 and not SessionEntry.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"pain_after": 11}, {"pain_after": "x"}, {}, {"pain_after": 3, "effort": 11}],
)
def test_finish_with_bad_input_writes_nothing(client, patient, plan, data):
    client.force_login(patient)
    day = TODAY().isoformat()
    screen(client)
    client.post(reverse("plans:entry-tick", args=[day, rx_ids(plan)[0]]), {"done": "on"})
    response = client.post(reverse("plans:session-finish", args=[day]), data)
    assert response.status_code == 422  # the page again, the error at the finish form
    session = Session.objects.get()
    assert session.completed_at is None and session.pain_after is None


def test_finish_needs_a_tick(client, patient, plan):
    client.force_login(patient)
    response = client.post(
        reverse("plans:session-finish", args=[TODAY().isoformat()]), {"pain_after": 2}
    )
    assert response.status_code == 302
    assert not Session.objects.filter(completed_at__isnull=False).exists()
    screen(client)  # answered, nothing ticked: the error is at the finish form
    response = client.post(
        reverse("plans:session-finish", args=[TODAY().isoformat()]), {"pain_after": 2}
    )
    assert response.status_code == 422
    html = response.content.decode()
    finish = html[html.index('id="finish"') :]
    assert "Tick at least one exercise before you finish." in finish
    assert not Session.objects.filter(completed_at__isnull=False).exists()


# --- Issue 15: the session on a phone ---------------------------------------------------------


def test_starting_lands_on_the_first_exercise(client, patient, plan):
    client.force_login(patient)
    response = screen(client)
    assert response.url.endswith(f"#rx-{rx_ids(plan)[0]}")


def test_changed_answers_are_saved_confirmed_and_kept(client, patient, plan):
    client.force_login(patient)
    screen(client, pain=2)
    response = screen(client, pain=5, red_flags=[])
    assert response.status_code == 302 and response.url.endswith("#main")
    html = client.get(response.url).content.decode()
    assert "Your answers are updated: pain now 5 of 10." in html
    session = Session.objects.get()
    assert session.pain_before == 5
    assert list(session.answers.values_list("pain", flat=True)) == [2, 5]


def test_a_missing_pain_after_is_shown_at_its_field(client, patient, plan):
    client.force_login(patient)
    day = TODAY().isoformat()
    screen(client)
    client.post(reverse("plans:entry-tick", args=[day, rx_ids(plan)[0]]), {"done": "on"})
    response = client.post(reverse("plans:session-finish", args=[day]), {"effort": 4})
    assert response.status_code == 422
    html = response.content.decode()
    finish = html[html.index('id="finish"') :]
    message = "Choose how much it hurts after the session, from 0 to 10."
    assert f'id="id_pain_after-error">{message}' in finish
    assert 'aria-invalid="true" aria-describedby="id_pain_after-error"' in finish
    assert 'id="id_pain_after_0" value="0" autocomplete="off" autofocus' in finish
    assert 'id="id_effort_4" value="4" autocomplete="off" checked' in finish  # kept
    assert message not in html[: html.index('id="finish"')]  # not at the top
    assert Session.objects.get().completed_at is None


def test_a_missing_pain_now_is_shown_at_its_field(client, patient, plan):
    client.force_login(patient)
    response = client.post(
        reverse("plans:session-start", args=[TODAY().isoformat()]), {"red_flags": ["calf"]}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_pain_before-error">Choose how much it hurts now, from 0 to 10.' in html
    assert 'id="id_pain_before_0" value="0" autocomplete="off" autofocus' in html
    assert 'value="calf" id="id_red_flags_5" checked' in html  # the answers given stay
    assert not Session.objects.exists()


def test_a_tick_updates_the_counts_out_of_band(client, patient, plan):
    client.force_login(patient)
    screen(client)
    rx = rx_ids(plan)[0]
    url = reverse("plans:entry-tick", args=[TODAY().isoformat(), rx])
    response = client.post(url, {"done": "on"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li id="rx-{rx}"')
    assert '<span id="done-count" hx-swap-oob="innerHTML">(1 of 3 done)</span>' in html
    week = progress.week(plan, TODAY(), today=TODAY())
    assert f'<span id="week-progress" hx-swap-oob="innerHTML">{week.text}' in html
    assert week.done == 1


def test_a_tick_from_a_page_older_than_a_dose_change_shows_the_new_dose(client, patient, plan):
    client.force_login(patient)
    screen(client)
    old = plan.prescriptions.order_by("order").first()
    dose = old.dose
    new = services.prescription_change_dose(
        prescription=old, by=plan.physio, dose=Dose(dose.sets + 1, dose.unit, dose.low, dose.high)
    )
    url = reverse("plans:entry-tick", args=[TODAY().isoformat(), old.pk])
    response = client.post(url, {"done": "on"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 422
    assert html.strip().startswith(f'<li id="rx-{new.pk}"')
    assert "Your physiotherapist has changed this exercise." in html
    assert not SessionEntry.objects.exists()
    response = client.post(url, {"done": "on"})  # without JavaScript: to the new dose
    assert response.url.endswith(f"#rx-{new.pk}")


def test_backfill_a_missed_day(client, patient, plan):
    client.force_login(patient)
    response = client.get(reverse("plans:today"), {"date": days_ago(3).isoformat()})
    assert response.context["day"] == days_ago(3)
    response = client.get(reverse("plans:today"), {"date": days_ago(10).isoformat()})
    assert response.status_code == 302  # with a message, back to today


def test_session_detail_shows_the_dose_of_that_day(client, patient, plan):
    rx = plan.prescriptions.order_by("order").first()
    session = log(plan, days_ago(2))
    services.prescription_change_dose(prescription=rx, by=plan.physio, dose=Dose(5, "reps", 10, 15))
    client.force_login(plan.physio)
    html = client.get(reverse("plans:session-detail", args=[session.pk])).content.decode()
    assert "2 × 10–15" in html and "5 × 10–15" not in html


def test_history_page_shows_weeks_and_chart(client, patient, plan):
    log(plan, days_ago(2), pain_before=4, pain_after=3)
    client.force_login(patient)
    response = client.get(reverse("plans:history"))
    html = response.content.decode()
    assert "<svg" in html and "<polyline" in html
    assert "Show the figures as a table" in html
    assert "Last 14 days" in html


def test_physio_sees_the_history_of_own_patients_only(client, plan, other_physio):
    log(plan, days_ago(2))
    client.force_login(plan.physio)
    response = client.get(reverse("plans:patient-detail", args=[plan.patient.pk]))
    assert response.context["summary"].overall.done == 1
    client.force_login(other_physio)
    assert client.get(reverse("plans:patient-detail", args=[plan.patient.pk])).status_code == 404


# --- Query counts at 1 week and 2 years of daily sessions ------------------------------------------


def daily_sessions(plan, days):
    prescriptions = list(plan.prescriptions.all())
    sessions = Session.objects.bulk_create(
        Session(
            plan=plan,
            date=plan.start_date + datetime.timedelta(days=n),
            pain_before=3,
            pain_after=4,
        )
        for n in range(days)
    )
    SessionEntry.objects.bulk_create(
        SessionEntry(session=s, prescription=rx) for s in sessions for rx in prescriptions
    )


# 727 days back plus today is the whole of a 104-week (two-year) program.
@pytest.fixture(params=[7, 727], ids=["1-week", "2-years"])
def long_plan(request, patient):
    days = request.param
    plan = PlanFactory(patient=patient, start_date=days_ago(days), weeks=104)
    for order in range(6):
        PrescriptionFactory(plan=plan, order=order)
    daily_sessions(plan, days)
    return plan


def test_checklist_queries_are_fixed(client, patient, long_plan, django_assert_num_queries):
    client.force_login(patient)
    # session, user, plan, today's session, prescriptions, their notes, their exercises' pictures
    # (issue 17), weekly figures, the access log's INSERT, and the course cards' course and next
    # text (no course here; with one, tests/courses/test_patient_pages.py)
    with django_assert_num_queries(11):
        response = client.get(reverse("plans:today"))
    assert response.status_code == 200


def test_history_queries_are_fixed(client, patient, long_plan, django_assert_num_queries):
    client.force_login(patient)
    # session, user, plans, the chart window's sessions, ticks per exercise, summary, the access
    # log's INSERT
    with django_assert_num_queries(7):
        started = time.perf_counter()
        response = client.get(reverse("plans:history"))
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    sessions = Session.objects.filter(plan=long_plan).count()
    print(f"history page: {sessions} sessions, {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0


def test_physio_patient_page_queries_are_fixed(client, long_plan, django_assert_num_queries):
    client.force_login(long_plan.physio)
    # session, user, the second factor's device, patient, the access log's INSERT, plans (with
    # the physio's last decisions and the sessions done: the summary), prescriptions, notes,
    # recent contacts, progress (the last 28 days' sessions), 2 change history (the doses' rows,
    # the pain rule's; plans/history.py), 2 history (the chart window's sessions, ticks per
    # exercise; none when the history is in the cache)
    with django_assert_num_queries(14):
        client.get(reverse("plans:patient-detail", args=[long_plan.patient.pk]))


def test_history_pages_back_through_two_years(client, patient, long_plan):
    client.force_login(patient)
    response = client.get(reverse("plans:history"), {"page": 3})
    weeks = list(response.context["history"].weeks_page)
    chart = response.context["history"].chart_weeks
    assert len(chart) <= 16 and len(weeks) <= 8
    if long_plan.weeks and (TODAY() - long_plan.start_date).days > 7 * 24:
        assert weeks[0].index == chart[-1].index  # the chart ends with the page's newest week
        assert [w.index for w in weeks] == sorted((w.index for w in weeks), reverse=True)
        assert all(w.done == 7 for w in weeks)  # daily sessions: every day of those weeks
