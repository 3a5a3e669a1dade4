"""Issue 14: changes to prescriptions, sessions and answers keep their history (django-simple-
history), shown where it matters: a session's later changes on its page, each current dose's
history and the pain rule's changes on the physio's patient page (plans/history.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises.dose import Dose
from plans import history, services
from plans.models import Plan, Prescription, Session, SessionAnswer, SessionEntry
from tests.factories import PatientFactory, PhysioFactory, PlanFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


@pytest.fixture
def plan(patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(10))
    for order in range(2):
        PrescriptionFactory(plan=plan, order=order)
    return plan


def rxs(plan):
    return list(plan.prescriptions.order_by("order", "pk"))


def start(client, pain=3, flags=()):
    url = reverse("plans:session-start", args=[TODAY().isoformat()])
    assert client.post(url, {"pain_before": pain, "red_flags": list(flags)}).status_code == 302


def tick(client, rx, done=True, **numbers):
    url = reverse("plans:entry-tick", args=[TODAY().isoformat(), rx.pk])
    data = {"done": "on" if done else "", **{k: str(v) for k, v in numbers.items()}}
    assert client.post(url, data).status_code == 302


def finish(client, pain, effort="", note=""):
    url = reverse("plans:session-finish", args=[TODAY().isoformat()])
    data = {"pain_after": pain, "effort": effort, "note": note}
    assert client.post(url, data).status_code == 302


def session_page(client, session):
    response = client.get(reverse("plans:session-detail", args=[session.pk]))
    assert response.status_code == 200
    return response


def patient_page(client, patient):
    response = client.get(reverse("plans:patient-detail", args=[patient.pk]))
    assert response.status_code == 200
    return response


# --- The session page ---------------------------------------------------------------------------


def test_pain_after_changed_after_finishing_shows_old_and_new_with_who(client, patient, plan):
    client.force_login(patient)
    start(client, pain=3)
    tick(client, rxs(plan)[0])
    finish(client, pain=2)
    finish(client, pain=4)  # the patient corrects the answer
    session = Session.objects.get(plan=plan)

    changes = session_page(client, session).context["changes"]
    assert [(c.key, c.old, c.new, c.by, c.who) for c in changes] == [
        ("pain_after", "2", "4", patient, "you")
    ]
    html = session_page(client, session).content.decode()
    assert 'id="changes"' in html and "you · Pain after: 2 → 4" in html

    client.force_login(plan.physio)
    html = session_page(client, session).content.decode()
    assert f"{patient.get_full_name()} (patient) · Pain after: 2 → 4" in html


def test_the_first_answers_and_ticks_are_not_changes(client, patient, plan):
    client.force_login(patient)
    start(client, pain=3)
    for rx in rxs(plan):
        tick(client, rx)
        tick(client, rx)  # ticked twice: nothing changed
    finish(client, pain=2, effort=5, note="Fine")
    session = Session.objects.get(plan=plan)
    response = session_page(client, session)
    assert response.context["changes"] == []
    assert 'id="changes"' not in response.content.decode()


def test_changed_answers_ticks_and_notes_are_each_listed(client, patient, plan):
    first, second = rxs(plan)
    client.force_login(patient)
    start(client, pain=3, flags=["calf"])  # a stop: no exercise today
    start(client, pain=4)  # the answers changed: the calf was an old one
    tick(client, first, sets_done=2, reps_done=10)
    tick(client, second)
    tick(client, first, sets_done=3, reps_done=10)
    tick(client, second, done=False)
    finish(client, pain=2, effort=5)
    finish(client, pain=2, effort=6, note="Harder than I said")
    changes = history.session_changes(Session.objects.get(plan=plan), viewer=patient)
    assert [(c.key, c.old, c.new) for c in changes] == [
        ("pain_before", "3", "4"),
        ("red_flags", "A swollen, warm, painful calf", "none"),
        ("tick", "done, 2 × 10", "done, 3 × 10"),
        ("tick", "done", "not done"),
        ("effort", "5", "6"),
        ("note", "–", "Harder than I said"),
    ]
    assert {c.field for c in changes if c.key == "tick"} == {
        first.exercise.name,
        second.exercise.name,
    }
    assert all(c.who == "you" for c in changes)


def test_the_patient_reads_their_physiotherapists_change_as_such(patient, plan):
    colleague = PhysioFactory(first_name="Ida", last_name="Holm")
    args = {"patient_id": plan.patient_id, "physio_id": plan.physio_id}
    assert history.who(plan.physio, patient, **args) == "your physiotherapist"
    assert history.who(colleague, patient, **args) == "Ida Holm (physiotherapist)"
    assert history.who(patient, plan.physio, **args) == f"{patient.get_full_name()} (patient)"
    assert history.who(None, patient, **args) == "unknown"  # outside a request


def test_another_patients_session_is_still_not_found(client, patient, plan, other_patient):
    client.force_login(patient)
    start(client, pain=3)
    session = Session.objects.get(plan=plan)
    for viewer in (other_patient, other_patient.physio):
        client.force_login(viewer)
        response = client.get(reverse("plans:session-detail", args=[session.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("size", [1, 8])
def test_session_page_queries_are_fixed(client, patient, django_assert_num_queries, size):
    plan = PlanFactory(patient=patient, start_date=days_ago(10))
    prescriptions = [PrescriptionFactory(plan=plan, order=n) for n in range(size)]
    client.force_login(patient)
    for pain in range(size):
        start(client, pain=pain % 4 + 1)
    for rx in prescriptions:
        tick(client, rx, sets_done=1)
        tick(client, rx, done=False)
        tick(client, rx, sets_done=2)
    for pain in range(size + 1):
        finish(client, pain=pain % 4 + 1, note=f"note {pain}")
    session = Session.objects.get(plan=plan)
    assert len(history.session_changes(session)) >= 4 * size - 1
    for viewer in (patient, plan.physio):
        client.force_login(viewer)
        # session, user, (the physio's second factor device), session with plan and patient,
        # the access log's INSERT, ticks, prescriptions that day, their notes, answers, and 2 for
        # the change history (the session's rows, the ticks' rows)
        with django_assert_num_queries(10 if viewer == patient else 11):
            session_page(client, session)


# --- The physio's patient page ------------------------------------------------------------------


def test_a_dose_change_shows_in_the_dose_history(client, plan):
    physio = plan.physio
    rx = rxs(plan)[0]
    client.force_login(physio)
    url = reverse("plans:prescription-change", args=[rx.pk])
    data = {"sets": 3, "dose_min": 8, "dose_max": 12, "load": "red band", "reason": "Stronger"}
    assert client.post(url, data).status_code == 302

    response = patient_page(client, plan.patient)
    current = Prescription.objects.current().get(plan=plan, exercise=rx.exercise)
    item = next(i for i in response.context["dose_history"] if i.prescription == current)
    assert item.first == Dose(2, "reps", 10, 15)
    [change] = item.changes
    assert (change.old, change.new, change.by, change.who) == (
        Dose(2, "reps", 10, 15),
        Dose(3, "reps", 8, 12),
        physio,
        "you",
    )
    assert (change.on, change.reason, change.new_load) == (TODAY(), "Stronger", "red band")
    html = response.content.decode()
    assert f'<details class="small mt-1" id="dose-history-{current.pk}">' in html
    assert "(1 change)" in html and "Stronger" in html
    # The other exercise is unchanged: its first dose only.
    other = next(i for i in response.context["dose_history"] if i.prescription != current)
    assert other.changes == []
    # The history row of the new dose names the physio too.
    assert current.history.get(history_type="+").history_user == physio


def test_a_dose_hipcare_eased_reads_as_automatic(patient, plan):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    for rx in rxs(plan):
        services.entry_set(session=session, prescription_id=rx.pk, done=True)
    services.session_finish(session=session, pain_after=8)  # too much: eased one step
    current = list(Prescription.objects.current().filter(plan=plan).order_by("order"))
    [item, _other] = history.dose_history(current, viewer=plan.physio)
    [change] = item.changes
    assert change.by is None and change.who == "hipcare, automatically"
    assert change.on == TODAY() + datetime.timedelta(days=1)
    assert "pain 8 of 10" in change.reason


def test_a_pain_rule_change_is_listed_with_who_and_when(client, plan):
    client.force_login(plan.physio)
    assert "pain-rule-changes" not in patient_page(client, plan.patient).content.decode()
    url = reverse("plans:plan-pain-mode", args=[plan.pk])
    assert client.post(url, {"pain_mode": "pain_free"}).status_code == 302

    response = patient_page(client, plan.patient)
    [change] = response.context["pain_rule_changes"]
    assert (change.by, change.who) == (plan.physio, "you")
    assert (change.old, change.new) == (
        "Pain monitoring (up to 5 of 10)",
        "Pain-free (ease off at any pain)",
    )
    assert timezone.now() - change.at < datetime.timedelta(minutes=1)
    html = response.content.decode()
    assert 'id="pain-rule-changes"' in html
    assert "you: Pain monitoring (up to 5 of 10) → Pain-free (ease off at any pain)" in html
    # Another physio of the clinic reads the name.
    colleague = PhysioFactory()
    assert history.plan_changes(plan, viewer=colleague)[0].who == (
        f"{plan.physio.get_full_name()} (physiotherapist)"
    )


@pytest.mark.parametrize("size", [1, 6])
def test_patient_page_queries_are_fixed(client, django_assert_num_queries, size):
    plan = PlanFactory(start_date=days_ago(10))
    physio = plan.physio
    for order in range(size):
        rx = PrescriptionFactory(plan=plan, order=order, created_by=physio)
        for step in range(size):
            rx = services.prescription_change_dose(
                prescription=rx, by=physio, dose=Dose(2, "reps", 10, 11 + step)
            )
    for n in range(size):
        mode = "pain_free" if n % 2 == 0 else "monitoring"
        services.plan_set_pain_mode(plan=plan, by=physio, pain_mode=mode)
    client.force_login(physio)
    # as in test_sessions.test_physio_patient_page_queries_are_fixed: 12, and 2 for the change
    # history (the doses' rows, the pain rule's)
    with django_assert_num_queries(14):
        response = patient_page(client, plan.patient)
    assert [len(i.changes) for i in response.context["dose_history"]] == [size] * size
    assert len(response.context["pain_rule_changes"]) == size


# --- What is recorded ---------------------------------------------------------------------------


def test_assigning_records_the_physio_on_every_new_row(physio, patient, fai_template):
    old = PlanFactory(patient=patient, physio=physio)
    plan = services.plan_assign(
        physio=physio,
        patient=patient,
        condition=fai_template.condition,
        side="left",
        start_date=TODAY(),
        weeks=6,
        sessions_per_week=3,
        items=services.template_items(fai_template),
    )
    rows = Prescription.history.filter(plan_id=plan.pk)
    assert rows.count() == 3 and {r.history_user for r in rows} == {physio}
    assert plan.history.get().history_user == physio
    ended = old.history.filter(history_type="~").get()
    assert (ended.status, ended.ended_on, ended.history_user) == (
        Plan.Status.ENDED,
        TODAY(),
        physio,
    )


def test_ticks_unticks_and_answers_are_recorded(plan):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    rx = rxs(plan)[0]
    services.entry_set(session=session, prescription_id=rx.pk, done=True)
    services.entry_set(session=session, prescription_id=rx.pk, done=True, sets_done=2)
    services.entry_set(session=session, prescription_id=rx.pk, done=False)
    kinds = SessionEntry.history.filter(session_id=session.pk).order_by("history_date")
    assert [r.history_type for r in kinds] == ["+", "~", "-"]
    assert SessionAnswer.history.filter(session_id=session.pk).count() == 1


def test_deleting_a_patient_takes_the_history_of_their_programs_with_it(client, patient, plan):
    client.force_login(patient)
    start(client, pain=3)
    tick(client, rxs(plan)[0])
    finish(client, pain=2, note="Sore")
    finish(client, pain=4, note="Sorer")
    services.prescription_change_dose(
        prescription=rxs(plan)[1], by=plan.physio, dose=Dose(3, "reps", 10, 15)
    )
    services.plan_set_pain_mode(plan=plan, by=plan.physio, pain_mode="pain_free")
    other = PlanFactory(patient=PatientFactory(physio=plan.physio))
    services.plan_set_pain_mode(plan=other, by=plan.physio, pain_mode="pain_free")
    models = (Plan, Prescription, Session, SessionEntry, SessionAnswer)
    assert all(model.history.exists() for model in models)

    patient.delete()

    assert [model.history.count() for model in models] == [2, 0, 0, 0, 0]  # the other plan's
    assert set(Plan.history.values_list("id", flat=True)) == {other.pk}
