"""Issue 12 through the services and pages: screen first, one hard session, contacts, reviews."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from exercises.dose import Dose
from plans import progress, rules, services
from plans.models import Prescription, Session, SessionEntry
from tests.factories import PatientFactory, PlanFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


@pytest.fixture
def plan(patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(20))
    PrescriptionFactory(plan=plan, dose=Dose(3, "reps", 10, 15), valid_from=plan.start_date)
    return plan


def do_session(plan, day, *, before=3, after=None, red_flags=()):
    session = services.session_start(plan=plan, day=day, pain_before=before, red_flags=red_flags)
    rx = Prescription.objects.in_effect_on(day).get(plan=plan)
    services.entry_set(session=session, prescription_id=rx.pk, done=True)
    if after is not None:
        services.session_finish(session=session, pain_after=after)
    return session


def test_no_tick_before_the_safety_questions(plan):
    session = services.session_start(plan=plan, day=TODAY())
    rx = plan.prescriptions.get()
    with pytest.raises(ValidationError, match="First answer the questions"):
        services.entry_set(session=session, prescription_id=rx.pk, done=True)
    assert not SessionEntry.objects.exists()


@pytest.mark.parametrize("pain,red_flags", [(7, []), (2, ["fever"])])
def test_a_stopped_session_takes_no_tick(plan, pain, red_flags):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=pain, red_flags=red_flags)
    with pytest.raises(ValidationError, match="not to exercise today"):
        services.entry_set(session=session, prescription_id=plan.prescriptions.get().pk, done=True)
    assert rules.FLAG_SEVERE in progress.for_plan(plan, today=TODAY()).flags


@pytest.mark.parametrize("after,eased", [(5, False), (6, True)])
def test_one_hard_session_eases_the_next_from_the_next_day(plan, after, eased):
    session = do_session(plan, days_ago(1), after=after)
    current = Prescription.objects.current().get(plan=plan)
    if eased:
        assert (current.dose, current.valid_from) == (Dose(2, "reps", 10, 15), TODAY())
        assert current.eased_after == session and current.created_by is None
        # Today's session gets the lighter dose; yesterday's keeps the dose it was done with.
        assert Prescription.objects.in_effect_on(TODAY()).get(plan=plan).sets == 2
        assert SessionEntry.objects.get().prescription.sets == 3
    else:
        assert current.sets == 3 and plan.prescriptions.count() == 1


def test_changing_the_answers_of_a_hard_session_eases_only_once(plan):
    session = do_session(plan, TODAY(), after=6)
    services.session_finish(session=session, pain_after=7)
    services.session_finish(session=session, pain_after=6)
    assert plan.prescriptions.count() == 2  # one eased row, from tomorrow
    eased = Prescription.objects.current().get(plan=plan)
    assert eased.valid_from == TODAY() + datetime.timedelta(days=1)
    assert list(session.answers.values_list("step", "pain")) == [
        ("screen", 3), ("finish", 6), ("finish", 7), ("finish", 6)
    ]  # fmt: skip


def test_pain_free_mode_eases_at_any_pain(plan):
    services.plan_set_pain_mode(plan=plan, by=plan.physio, pain_mode=rules.PAIN_MODE_FREE)
    plan.refresh_from_db()
    do_session(plan, days_ago(1), after=1)
    assert Prescription.objects.current().get(plan=plan).sets == 2


def test_the_checklist_and_handout_say_which_pain_rule_applies(client, patient, plan):
    client.force_login(patient)
    assert "follows pain monitoring" in client.get(reverse("plans:today")).content.decode()
    services.plan_set_pain_mode(plan=plan, by=plan.physio, pain_mode=rules.PAIN_MODE_FREE)
    assert "program is pain-free" in client.get(reverse("plans:today")).content.decode()
    assert "program is pain-free" in client.get(reverse("plans:my-program-print")).content.decode()


def test_a_removed_red_flag_stays_visible_to_the_physio(client, plan):
    services.session_start(plan=plan, day=TODAY(), pain_before=2, red_flags=["calf"])
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2, red_flags=[])
    client.force_login(plan.physio)
    html = client.get(reverse("plans:session-detail", args=[session.pk])).content.decode()
    assert "Answers as given" in html and "A swollen, warm, painful calf" in html
    assert "no warning sign" in html
    # A red flag answered away still waits for the physio's contact (issue 12: flagged at once).
    after = progress.for_plan(plan, today=TODAY())
    assert rules.FLAG_SEVERE in after.flags and after.contact_needed


def test_a_week_of_pain_at_6_flags_the_patient(plan):
    for ago in (1, 3, 5):
        do_session(plan, days_ago(ago), before=6, after=5)
    assert rules.FLAG_HIGH_PAIN in progress.for_plan(plan, today=TODAY()).flags


def test_a_plan_past_its_last_day_asks_for_a_review_and_tells_the_patient(client, patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(30), weeks=4)
    PrescriptionFactory(plan=plan, valid_from=plan.start_date)
    assert plan.end_date < TODAY()
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert "Your program has ended" in html and "starts on" not in html
    assert rules.FLAG_REVIEW_DUE in progress.for_plan(plan, today=TODAY()).flags
    client.force_login(plan.physio)
    client.post(
        reverse("plans:contact-record", args=[patient.pk]),
        {"reason": "review", "note": "Reviewed: keep going twice a week."},
    )
    assert rules.FLAG_REVIEW_DUE not in progress.for_plan(plan, today=TODAY()).flags


def test_another_physio_cannot_record_a_contact(client, plan, other_physio):
    client.force_login(other_physio)
    response = client.post(
        reverse("plans:contact-record", args=[plan.patient.pk]),
        {"reason": "stop", "note": "Not mine."},
    )
    assert response.status_code == 404 and not plan.contacts.exists()


@pytest.mark.parametrize("size", [2, 40])
def test_caseload_with_contacts_and_stops_queries_are_fixed(
    client, physio, django_assert_num_queries, size
):
    for n in range(size):
        patient = PatientFactory(physio=physio)
        plan = PlanFactory(patient=patient, start_date=days_ago(20))
        PrescriptionFactory(plan=plan, valid_from=plan.start_date)
        services.session_start(plan=plan, day=days_ago(n % 5), pain_before=8)
        if n % 2:
            services.contact_record(
                plan=plan, by=physio, reason="stop", note="Called.", covers_through=TODAY()
            )
    client.force_login(physio)
    with django_assert_num_queries(10):  # as in test_views_assign.test_caseload_queries_are_fixed
        response = client.get(reverse("plans:caseload"))
    flagged = [r for r in response.context["page"] if rules.FLAG_SEVERE in r.progress.flags]
    assert len(flagged) == (size + 1) // 2
    assert Session.objects.count() == size


def test_a_stop_answered_away_keeps_the_flag_until_the_contact(plan):
    services.session_start(plan=plan, day=TODAY(), pain_before=8)
    services.session_start(plan=plan, day=TODAY(), pain_before=3)  # "I tapped 8 by mistake"
    session = Session.objects.get()
    services.entry_set(session=session, prescription_id=plan.prescriptions.get().pk, done=True)
    assert rules.FLAG_SEVERE in progress.for_plan(plan, today=TODAY()).flags
    services.contact_record(
        plan=plan, by=plan.physio, reason="stop", note="Mis-tap, fine.", covers_through=TODAY()
    )
    assert rules.FLAG_SEVERE not in progress.for_plan(plan, today=TODAY()).flags


def test_a_hard_day_logged_late_keeps_todays_logged_dose(plan):
    today_session = do_session(plan, TODAY(), after=3)
    do_session(plan, days_ago(1), after=6)  # logged after today's session
    eased = Prescription.objects.current().get(plan=plan)
    assert eased.valid_from == TODAY() + datetime.timedelta(days=1)
    rx_today = Prescription.objects.in_effect_on(TODAY()).get(plan=plan)
    assert rx_today.sets == 3 and today_session.entries.get().prescription == rx_today
    services.entry_set(session=today_session, prescription_id=rx_today.pk, done=False)
    assert not today_session.entries.exists()  # untick still works on today's row


def test_at_the_bottom_of_the_ladder_the_patient_is_not_promised_a_lighter_session(client, patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(20))
    PrescriptionFactory(plan=plan, dose=Dose(1, "reps", 4, 4), valid_from=plan.start_date)
    services.session_start(plan=plan, day=TODAY(), pain_before=2)
    rx = plan.prescriptions.get()
    session = Session.objects.get()
    services.entry_set(session=session, prescription_id=rx.pk, done=True)
    client.force_login(patient)
    response = client.post(
        reverse("plans:session-finish", args=[TODAY().isoformat()]),
        {"pain_after": 6},
        follow=True,
    )
    html = response.content.decode()
    assert "already at their lightest" in html and "a little lighter" not in html
    assert plan.prescriptions.count() == 1


def test_a_review_recorded_from_the_page_clears_review_due(client, patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(43))
    PrescriptionFactory(plan=plan, valid_from=plan.start_date)
    do_session(plan, days_ago(3), after=2)
    assert rules.FLAG_REVIEW_DUE in progress.for_plan(plan, today=TODAY()).flags
    client.force_login(plan.physio)
    page = client.get(reverse("plans:patient-detail", args=[patient.pk]))
    form = page.context["contact_form"]
    data = {name: form[name].value() for name in ("reason", "covers_through")}
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    client.post(reverse("plans:contact-record", args=[patient.pk]), {**data, "note": "Reviewed."})
    assert rules.FLAG_REVIEW_DUE not in progress.for_plan(plan, today=TODAY()).flags
