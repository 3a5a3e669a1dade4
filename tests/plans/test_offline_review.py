"""Issue 17, offline, reviewed as an attacker and as a patient on a bad connection: a key belongs
to one patient, a replay to the account whose phone kept it, and the keys do not pile up forever.
The rest of the offline rules are in tests/plans/test_offline.py."""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hipcare import erasure, tasks
from hipcare.pwa import device_key
from plans import offline, services
from plans.models import ClientSubmission, Session, SessionEntry
from tests.factories import (
    ClinicAdminFactory,
    PatientFactory,
    PlanFactory,
    PrescriptionFactory,
    clinic_of,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def days_ago(n):
    return TODAY() - datetime.timedelta(days=n)


def url(name, *args):
    return reverse(f"plans:{name}", args=[TODAY().isoformat(), *args])


def replay(client, name, data, *args, owner):
    return client.post(url(name, *args), data, headers={offline.REPLAY_HEADER: owner})


def patient_with_plan():
    patient = PatientFactory()
    plan = PlanFactory(patient=patient, start_date=days_ago(10))
    PrescriptionFactory(plan=plan)
    return patient, plan


def test_another_patients_key_neither_blocks_nor_answers_for_mine():
    """A key is the patient's own: the same key used by someone else (guessed, copied from
    their phone, or a plain collision) is neither refused nor taken as done for me."""
    them, their_plan = patient_with_plan()
    me, my_plan = patient_with_plan()
    start, tick, finish = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    their_session = services.session_start(
        plan=their_plan, day=TODAY(), pain_before=1, client_key=start
    )
    services.entry_set(
        session=their_session,
        prescription_id=their_plan.prescriptions.get().pk,
        done=True,
        client_key=tick,
    )
    services.session_finish(session=their_session, pain_after=1, client_key=finish)
    # Their keys, sent for my answers and my tick: all written, to my record.
    session = services.session_start(plan=my_plan, day=TODAY(), pain_before=2, client_key=start)
    assert session.plan == my_plan and session.pain_before == 2
    entry = offline.tick_replay(
        plan=my_plan, day=TODAY(), prescription=my_plan.prescriptions.get(), done=True, key=tick
    )
    assert entry is not None and entry.session == session
    client = Client()  # through the view too
    client.force_login(me)
    data = {"pain_after": 3, "client_key": str(finish)}
    response = replay(client, "session-finish", data, owner=device_key(me))
    assert response.status_code == 200 and response.json()["ok"] is True
    assert Session.objects.get(plan=my_plan).pain_after == 3
    # Theirs is untouched.
    their_session.refresh_from_db()
    assert their_session.pain_before == 1 and their_session.pain_after == 1
    assert SessionEntry.objects.filter(session=their_session).count() == 1
    assert ClientSubmission.objects.filter(session__plan=my_plan).count() == 3


def test_a_replay_kept_for_another_account_is_not_written_to_mine():
    """The queue of the first account (a tab left open after their log-in ran out) is sent with
    the second account's cookies: refused as needing a log-in (403, the phone keeps it for its
    owner), and nothing is written to the second patient's record."""
    first, _first_plan = patient_with_plan()
    second, second_plan = patient_with_plan()
    client = Client()
    client.force_login(second)
    data = {"pain_before": 9, "client_key": str(uuid.uuid4())}
    for owner in (device_key(first), "1", ""):
        response = replay(client, "session-start", data, owner=owner)
        assert response.status_code == 403, owner
        assert response.json()["ok"] is False
    rx = second_plan.prescriptions.get()
    tick = {"done": "on", "client_key": str(uuid.uuid4())}
    assert replay(client, "entry-tick", tick, rx.pk, owner=device_key(first)).status_code == 403
    finish = {"pain_after": 9, "client_key": str(uuid.uuid4())}
    assert replay(client, "session-finish", finish, owner=device_key(first)).status_code == 403
    assert not Session.objects.exists() and not ClientSubmission.objects.exists()
    # Their own replay is taken.
    response = replay(client, "session-start", data, owner=device_key(second))
    assert response.status_code == 200 and Session.objects.get().plan == second_plan


def test_a_replay_without_the_csrf_token_is_refused():
    patient, _plan = patient_with_plan()
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    data = {"pain_before": 2, "client_key": str(uuid.uuid4())}
    response = replay(client, "session-start", data, owner=device_key(patient))
    assert response.status_code == 403
    assert not Session.objects.exists()


def test_the_keys_of_old_changes_are_deleted_by_the_daily_housekeeping():
    """Every tick sent with JavaScript leaves a key: kept while a phone may still send the
    change again, then deleted with the daily housekeeping (hipcare/tasks.py)."""
    _patient, plan = patient_with_plan()
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    old, recent = uuid.uuid4(), uuid.uuid4()
    now = timezone.now()
    ClientSubmission.objects.create(
        key=old,
        session=session,
        kind="tick",
        created_at=now - datetime.timedelta(days=offline.KEY_KEEP_DAYS, minutes=1),
    )
    ClientSubmission.objects.create(
        key=recent,
        session=session,
        kind="tick",
        created_at=now - datetime.timedelta(days=offline.KEY_KEEP_DAYS - 1),
    )
    assert offline.KEY_KEEP_DAYS > offline.rules.BACKFILL_DAYS  # past every loggable day
    tasks.housekeeping()
    assert list(ClientSubmission.objects.values_list("key", flat=True)) == [recent]


def test_erasing_the_patient_deletes_their_keys():
    patient, plan = patient_with_plan()
    services.session_start(plan=plan, day=TODAY(), pain_before=2, client_key=uuid.uuid4())
    admin = ClinicAdminFactory(clinic=clinic_of(patient.physio))
    erasure.erase(erasure=erasure.erasure_request(patient=patient), by=admin)
    assert not ClientSubmission.objects.exists()
