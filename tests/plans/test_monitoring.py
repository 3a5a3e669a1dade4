import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises.dose import Dose
from plans import progress, rules
from plans.models import Prescription, Review, Session, SessionEntry
from tests.factories import PatientFactory, PlanFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


def make_plan(patient, *, started=28, pains=(), sessions_per_week=3):
    """pains: (days ago, pain before, pain after[, red flags]) for sessions with one tick each."""
    plan = PlanFactory(
        patient=patient, start_date=days_ago(started), sessions_per_week=sessions_per_week
    )
    rx = PrescriptionFactory(plan=plan, dose=Dose(2, "reps", 10, 15))
    for ago, before, after, *flags in pains:
        session = Session.objects.create(
            plan=plan, date=days_ago(ago), pain_before=before, pain_after=after,
            red_flags=flags[0] if flags else [], completed_at=timezone.now(),
        )  # fmt: skip
        SessionEntry.objects.create(session=session, prescription=rx)
    return plan


def test_hurting_patient_gets_stop_and_review_with_an_eased_dose(patient):
    plan = make_plan(patient, pains=[(5, 3, 5), (3, 4, 7), (1, 4, 7)])
    monitor = progress.for_plan(plan, today=TODAY())
    assert monitor.suggestion.kind == rules.STOP
    assert monitor.pending
    assert monitor.flags[0] == rules.FLAG_SEVERE
    changes = progress.proposed_changes(monitor.suggestion.kind, plan.prescriptions.all())
    assert changes[0][1].dose == Dose(1, "reps", 10, 15)


def test_well_going_patient_gets_progress(patient):
    plan = make_plan(patient, pains=[(12, 3, 3), (9, 3, 3), (6, 2, 2), (4, 2, 2), (1, 2, 2)])
    monitor = progress.for_plan(plan, today=TODAY())
    assert monitor.suggestion.kind == rules.PROGRESS
    assert monitor.flags == [rules.FLAG_SUGGESTION]


def test_quiet_patient_is_flagged_inactive_and_low(patient):
    plan = make_plan(patient, pains=[(20, 3, 3), (18, 3, 3)])
    monitor = progress.for_plan(plan, today=TODAY())
    assert rules.FLAG_INACTIVE in monitor.flags and rules.FLAG_LOW_ADHERENCE in monitor.flags
    assert monitor.suggestion.kind == rules.KEEP


def test_approving_changes_the_dose_from_today_and_keeps_history(client, patient):
    plan = make_plan(patient, pains=[(5, 3, 5), (3, 4, 6), (1, 4, 6)])
    old = plan.prescriptions.get()
    client.force_login(plan.physio)
    page = client.get(reverse("plans:patient-detail", args=[patient.pk]))
    assert "Pain after the last 3 sessions was 5–6 of 10." in page.content.decode()
    response = client.post(
        reverse("plans:suggestion-decide", args=[patient.pk]),
        {"decision": "approve", "rx": [old.pk], "latest_session_date": days_ago(1).isoformat()},
    )
    assert response.status_code == 302
    new = Prescription.objects.current().get(plan=plan)
    assert (new.sets, new.valid_from) == (1, TODAY())
    old.refresh_from_db()
    assert old.valid_until == TODAY() and old.sets == 2
    assert SessionEntry.objects.filter(prescription=old).count() == 3  # history keeps the old dose
    review = Review.objects.get()
    assert review.decision == "approved" and "6 of 10" in review.reason
    # Decided: no longer pending until a new session arrives.
    monitor = progress.for_plan(plan, today=TODAY())
    assert not monitor.pending and monitor.flags == []
    # The patient's checklist shows the new dose and the change note.
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert "Your program changed" in html and "1 × 10–15" in html


def test_double_approve_changes_once(client, patient):
    plan = make_plan(patient, pains=[(5, 3, 5), (3, 4, 6), (1, 4, 6)])
    rx = plan.prescriptions.get()
    client.force_login(plan.physio)
    data = {"decision": "approve", "rx": [rx.pk], "latest_session_date": days_ago(1).isoformat()}
    url = reverse("plans:suggestion-decide", args=[patient.pk])
    client.post(url, data)
    client.post(url, data)
    assert Review.objects.count() == 1
    assert Prescription.objects.filter(plan=plan).count() == 2


def test_dismiss_keeps_the_dose(client, patient):
    plan = make_plan(patient, pains=[(5, 3, 5), (3, 4, 6), (1, 4, 6)])
    client.force_login(plan.physio)
    client.post(
        reverse("plans:suggestion-decide", args=[patient.pk]),
        {"decision": "dismiss", "latest_session_date": days_ago(1).isoformat()},
    )
    assert Review.objects.get().decision == "dismissed"
    assert Prescription.objects.filter(plan=plan).count() == 1


def test_stale_decision_is_refused(client, patient):
    plan = make_plan(patient, pains=[(5, 3, 5), (3, 4, 7), (1, 4, 7)])
    client.force_login(plan.physio)
    client.post(
        reverse("plans:suggestion-decide", args=[patient.pk]),
        {"decision": "approve", "rx": ["1"], "latest_session_date": days_ago(3).isoformat()},
    )
    assert not Review.objects.exists()


def test_caseload_sorts_by_urgency(client, physio):
    calm = make_plan(
        PatientFactory(physio=physio, last_name="Aalto"),
        pains=[(12, 3, 3), (9, 3, 3), (6, 2, 2), (4, 2, 2), (1, 2, 2)],
    )
    quiet = make_plan(PatientFactory(physio=physio, last_name="Berg"), pains=[(20, 3, 3)])
    hurting = make_plan(PatientFactory(physio=physio, last_name="Cort"), pains=[(1, 4, 8)])
    client.force_login(physio)
    rows = list(client.get(reverse("plans:caseload")).context["page"])
    assert [r.plan for r in rows] == [hurting, quiet, calm]
    assert rows[0].flags[0][0] == rules.FLAG_SEVERE


@pytest.mark.parametrize("size", [5, 200])
def test_caseload_with_flags_queries_are_fixed(client, physio, django_assert_num_queries, size):
    for n in range(size):
        make_plan(PatientFactory(physio=physio), pains=[(n % 10 + 1, 3, 3 + n % 6), (12, 2, 2)])
    client.force_login(physio)
    with django_assert_num_queries(10):  # as in test_views_assign.test_caseload_queries_are_fixed
        response = client.get(reverse("plans:caseload"))
    assert len(response.context["page"]) == min(size, 25)


@pytest.mark.parametrize("value", ["abc", "²", "9" * 30, ""])
def test_forged_prescription_ids_get_a_message_not_a_change(client, patient, value):
    plan = make_plan(patient, pains=[(5, 3, 5), (3, 4, 7), (1, 4, 7)])
    client.force_login(plan.physio)
    response = client.post(
        reverse("plans:suggestion-decide", args=[patient.pk]),
        {"decision": "approve", "rx": [value], "latest_session_date": days_ago(1).isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert not Review.objects.exists() and plan.prescriptions.count() == 1
    assert list(response.context["messages"])  # says what went wrong


def test_a_stop_asks_for_a_contact_not_a_dose_cut(client, patient):
    plan = make_plan(patient, pains=[(5, 3, 5), (3, 4, 7), (1, 4, 7)])
    rx = plan.prescriptions.get()
    client.force_login(plan.physio)
    page = client.get(reverse("plans:patient-detail", args=[patient.pk]))
    assert page.context["contact_form"] is not None and "changes" not in page.context
    client.post(
        reverse("plans:suggestion-decide", args=[patient.pk]),
        {"decision": "approve", "rx": [rx.pk], "latest_session_date": days_ago(1).isoformat()},
    )
    assert not Review.objects.exists() and plan.prescriptions.count() == 1
    assert rules.FLAG_SEVERE in progress.for_plan(plan, today=TODAY()).flags
    response = client.post(
        reverse("plans:contact-record", args=[patient.pk]),
        {"reason": "stop", "covers_through": days_ago(1).isoformat(), "note": "Rang; rest 2 days."},
    )
    assert response.status_code == 302
    after = progress.for_plan(plan, today=TODAY())
    assert rules.FLAG_SEVERE not in after.flags and not after.contact_needed
    assert (
        "Rang; rest 2 days."
        in client.get(reverse("plans:patient-detail", args=[patient.pk])).content.decode()
    )


def test_an_empty_contact_note_is_refused(client, patient):
    plan = make_plan(patient, pains=[(1, 4, 8)])
    client.force_login(plan.physio)
    client.post(
        reverse("plans:contact-record", args=[patient.pk]),
        {"reason": "stop", "covers_through": days_ago(1).isoformat(), "note": "  "},
    )
    assert not plan.contacts.exists()
    assert rules.FLAG_SEVERE in progress.for_plan(plan, today=TODAY()).flags
