"""Issue 17, offline: ticks and answers kept on the phone and sent again (plans/offline.py,
plans/offline_views.py), and hipcare as an app (hipcare/pwa.py). The browser side is in
tests/browser/test_offline.py."""

import datetime
import itertools
import json
import struct
import threading
import uuid
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from exercises.dose import Dose
from hipcare.pwa import device_key
from plans import offline, rules, services
from plans.models import ClientSubmission, Session, SessionAnswer, SessionEntry
from tests.factories import PatientFactory, PlanFactory, PrescriptionFactory, days_ago

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
REPLAY = offline.REPLAY_HEADER


def rxs(plan):
    return list(plan.prescriptions.order_by("order"))


def url(name, day=None, *args):
    return reverse(f"plans:{name}", args=[(day or TODAY()).isoformat(), *args])


def replay(client, name, data, *args, day=None):
    # The header names the signed-in account, as offline.js sends it (worked out once per
    # client, outside the query counts).
    if not hasattr(client, "replay_owner"):
        user_id = client.session.get("_auth_user_id")
        client.replay_owner = device_key(SimpleNamespace(pk=user_id)) if user_id else ""
    return client.post(url(name, day, *args), data, headers={REPLAY: client.replay_owner})


def key():
    return str(uuid.uuid4())


def change_dose(rx):
    dose = rx.dose
    return services.prescription_change_dose(
        prescription=rx, by=rx.plan.physio, dose=Dose(dose.sets + 1, dose.unit, dose.low, dose.high)
    )


# --- The rules, called directly ---------------------------------------------------------------


def test_the_stop_answers_given_to_the_page_are_the_rules_own():
    answers = offline.screen_stop_answers()
    assert answers == {"pains": [7, 8, 9, 10], "flags": list(rules.RED_FLAGS)}
    # The page stops when any one answer is in these lists: true for every answer the rule
    # stops, and only for those (single flags and pairs of flags, every pain).
    flag_sets = [[], *([f] for f in rules.RED_FLAGS), *itertools.combinations(rules.RED_FLAGS, 2)]
    for pain, flags in itertools.product([None, *range(11)], flag_sets):
        page = pain in answers["pains"] or any(f in answers["flags"] for f in flags)
        assert page == rules.screen_says_stop(pain, list(flags)), (pain, flags)


def test_a_tick_counts_for_its_exercise_at_the_dose_in_effect_that_day(plan):
    first, second, third = rxs(plan)
    assert offline.tick_target(plan=plan, day=TODAY(), prescription=first) == first
    new = change_dose(second)  # the physio changed the dose while the phone was offline
    assert offline.tick_target(plan=plan, day=TODAY(), prescription=second) == new
    # A day before the change still has the old dose.
    assert offline.tick_target(plan=plan, day=days_ago(1), prescription=second) == second
    # An exercise no longer in the program that day: nothing to count it for.
    third.valid_until = TODAY()
    third.save(update_fields=["valid_until"])
    assert offline.tick_target(plan=plan, day=TODAY(), prescription=third) is None


def test_a_tick_made_before_a_new_program_counts_for_the_same_exercise_in_it(plan):
    old = rxs(plan)[0]
    new_plan = services.plan_assign(
        physio=plan.physio,
        patient=plan.patient,
        condition=plan.condition,
        side="right",
        start_date=TODAY(),
        weeks=4,
        sessions_per_week=3,
        items=[services.ItemSpec(exercise=old.exercise, dose=old.dose)],
    )
    target = offline.tick_target(plan=new_plan, day=TODAY(), prescription=old)
    assert target.plan == new_plan and target.exercise == old.exercise


def test_the_same_key_twice_makes_one_entry_and_one_key(plan):
    services.session_start(plan=plan, day=TODAY(), pain_before=2)
    rx, k = rxs(plan)[0], uuid.uuid4()
    for _ in range(2):
        offline.tick_replay(plan=plan, day=TODAY(), prescription=rx, done=True, key=k)
    assert SessionEntry.objects.count() == 1
    assert ClientSubmission.objects.get().key == k
    # A replay of that tick after the patient unticked it (under another key) changes nothing.
    offline.tick_replay(plan=plan, day=TODAY(), prescription=rx, done=False, key=uuid.uuid4())
    offline.tick_replay(plan=plan, day=TODAY(), prescription=rx, done=True, key=k)
    assert not SessionEntry.objects.exists()


def test_the_same_answers_twice_are_recorded_once(plan):
    start, finish = uuid.uuid4(), uuid.uuid4()
    for _ in range(2):
        session = services.session_start(plan=plan, day=TODAY(), pain_before=3, client_key=start)
    services.entry_set(session=session, prescription_id=rxs(plan)[0].pk, done=True)
    for _ in range(2):
        services.session_finish(session=session, pain_after=4, client_key=finish)
    steps = list(SessionAnswer.objects.values_list("step", "pain"))
    assert steps == [("screen", 3), ("finish", 4)]
    assert ClientSubmission.objects.count() == 2


def test_a_replayed_tick_for_a_changed_dose_lands_on_the_new_dose(plan):
    services.session_start(plan=plan, day=TODAY(), pain_before=2)
    old = rxs(plan)[1]
    new = change_dose(old)
    entry = offline.tick_replay(
        plan=plan, day=TODAY(), prescription=old, done=True, key=uuid.uuid4(), sets_done=2
    )
    assert entry.prescription == new
    assert SessionEntry.objects.get().prescription == new


def test_an_exercise_ticked_before_a_same_day_dose_change_counts_once(plan):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    old = rxs(plan)[1]
    services.entry_set(session=session, prescription_id=old.pk, done=True)  # online, before
    change_dose(old)  # from today: the old dose is an empty span today
    offline.tick_replay(plan=plan, day=TODAY(), prescription=old, done=True, key=uuid.uuid4())
    assert SessionEntry.objects.get().prescription == old
    offline.tick_replay(plan=plan, day=TODAY(), prescription=old, done=False, key=uuid.uuid4())
    assert not SessionEntry.objects.exists()


def test_a_tick_sent_after_the_session_was_finished_elsewhere_is_still_recorded(plan):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    first, second = rxs(plan)[:2]
    services.entry_set(session=session, prescription_id=first.pk, done=True)
    services.session_finish(session=session, pain_after=3)  # on the tablet
    offline.tick_replay(plan=plan, day=TODAY(), prescription=second, done=True, key=uuid.uuid4())
    assert set(SessionEntry.objects.values_list("prescription", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Session.objects.get().completed_at is not None


def test_a_key_names_one_change(plan, patient):
    session = services.session_start(plan=plan, day=TODAY(), pain_before=2)
    k = uuid.uuid4()
    offline.tick_replay(plan=plan, day=TODAY(), prescription=rxs(plan)[0], done=True, key=k)
    with pytest.raises(ValidationError):  # the key of a tick, sent with answers
        services.session_finish(session=session, pain_after=2, client_key=k)
    with pytest.raises(ValidationError):  # the key of another day's session
        services.session_start(plan=plan, day=days_ago(1), pain_before=1, client_key=k)
    assert not Session.objects.filter(date=days_ago(1)).exists()
    assert Session.objects.get().completed_at is None
    # Another patient's same key is theirs alone: tests/plans/test_offline_review.py.


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_replay_at_once_are_written_once(patient):
    plan = PlanFactory(patient=patient, start_date=days_ago(3))
    rx = PrescriptionFactory(plan=plan)
    start, tick = uuid.uuid4(), uuid.uuid4()
    barrier = threading.Barrier(2)
    errors = []

    def both():
        try:
            barrier.wait()
            services.session_start(plan=plan, day=TODAY(), pain_before=2, client_key=start)
            barrier.wait()
            offline.tick_replay(plan=plan, day=TODAY(), prescription=rx, done=True, key=tick)
        except services.AlreadyApplied:
            pass  # the view answers "done": the twin wrote it
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=both) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert SessionAnswer.objects.count() == 1
    assert SessionEntry.objects.count() == 1
    assert ClientSubmission.objects.count() == 2


# --- The replay, through the views ------------------------------------------------------------


def test_a_replayed_session_is_recorded_once_and_answered_in_json(client, patient, plan):
    client.force_login(patient)
    start, finish = key(), key()
    ticks = [(rx, key()) for rx in rxs(plan)[:2]]
    for _ in range(2):  # the whole queue sent twice (the answers were lost the first time)
        response = replay(client, "session-start", {"pain_before": 2, "client_key": start})
        assert response.status_code == 200
        assert response.json() == {"ok": True, "message": "", "stopped": False}
        for rx, k in ticks:
            response = replay(client, "entry-tick", {"done": "on", "client_key": k}, rx.pk)
            assert response.status_code == 200 and response.json()["ok"] is True
        response = replay(client, "session-finish", {"pain_after": 3, "client_key": finish})
        assert response.status_code == 200 and response.json()["ok"] is True
    assert SessionEntry.objects.count() == 2
    assert list(SessionAnswer.objects.values_list("step", flat=True)) == ["screen", "finish"]
    assert Session.objects.get().pain_after == 3
    assert response.json() == {"ok": True, "message": ""}  # the copy: nothing new to say


def test_a_replayed_finish_says_what_the_page_would(client, patient, plan):
    client.force_login(patient)
    replay(client, "session-start", {"pain_before": 2, "client_key": key()})
    replay(client, "entry-tick", {"done": "on", "client_key": key()}, rxs(plan)[0].pk)
    response = replay(client, "session-finish", {"pain_after": 3, "client_key": key()})
    assert response.json() == {"ok": True, "message": "Well done! Your session is saved."}


def test_replayed_answers_that_stop_the_session_say_so(client, patient, plan):
    client.force_login(patient)
    response = replay(client, "session-start", {"pain_before": 8, "client_key": key()})
    assert response.json()["stopped"] is True
    response = replay(client, "entry-tick", {"done": "on", "client_key": key()}, rxs(plan)[0].pk)
    assert response.status_code == 422
    assert response.json() == {"ok": False, "error": "Your answers say not to exercise today."}
    assert not SessionEntry.objects.exists()


def test_a_replayed_tick_after_a_dose_change_lands_on_the_new_dose(client, patient, plan):
    client.force_login(patient)
    replay(client, "session-start", {"pain_before": 2, "client_key": key()})
    old = rxs(plan)[0]
    new = change_dose(old)
    response = replay(client, "entry-tick", {"done": "on", "client_key": key()}, old.pk)
    assert response.status_code == 200
    assert SessionEntry.objects.get().prescription == new
    # Online, a tick from a page older than the change is still refused (test_sessions.py).


def test_a_replayed_tick_that_cannot_count_is_refused_with_the_reason(client, patient, plan):
    client.force_login(patient)
    rx = rxs(plan)[0]
    response = replay(client, "entry-tick", {"done": "on", "client_key": key()}, rx.pk)
    assert response.status_code == 422
    assert response.json()["error"] == "First answer the questions before the session."
    replay(client, "session-start", {"pain_before": 2, "client_key": key()}, day=days_ago(8))
    response = replay(
        client, "entry-tick", {"done": "on", "client_key": key()}, rx.pk, day=days_ago(8)
    )
    assert response.status_code == 422  # more than a week back: not loggable any more
    assert not Session.objects.exists() and not ClientSubmission.objects.exists()


@pytest.mark.parametrize("bad", ["", "not-a-key", "1234", "0" * 40])
def test_a_replay_without_a_readable_key_is_422_and_writes_nothing(client, patient, plan, bad):
    client.force_login(patient)
    data = {"pain_before": 2} | ({"client_key": bad} if bad else {})
    response = replay(client, "session-start", data)
    assert response.status_code == 422 and response.json()["ok"] is False
    assert "could not be read" in response.json()["error"]
    response = replay(client, "entry-tick", {"done": "on", "client_key": bad}, rxs(plan)[0].pk)
    assert response.status_code == 422
    assert not Session.objects.exists() and not ClientSubmission.objects.exists()


def test_a_bad_key_online_is_refused_too(client, patient, plan):
    client.force_login(patient)
    client.post(url("session-start"), {"pain_before": 2})
    response = client.post(
        url("entry-tick", None, rxs(plan)[0].pk),
        {"done": "on", "client_key": "nonsense"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert not SessionEntry.objects.exists()


def test_an_online_tick_with_a_key_is_written_once(client, patient, plan):
    client.force_login(patient)
    client.post(url("session-start"), {"pain_before": 2, "client_key": key()})
    rx, k = rxs(plan)[0], key()
    for _ in range(2):  # htmx sent it, the answer was lost, the phone sent it again
        response = client.post(
            url("entry-tick", None, rx.pk),
            {"done": "on", "client_key": k},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200 and "✓" in response.content.decode()
    assert SessionEntry.objects.count() == 1
    assert ClientSubmission.objects.filter(kind="tick").count() == 1


def test_someone_elses_prescription_is_404_and_their_key_no_excuse(client, patient, plan):
    stranger = PatientFactory()
    their_plan = PlanFactory(patient=stranger, start_date=days_ago(5))
    their_rx = PrescriptionFactory(plan=their_plan)
    their_session = services.session_start(plan=their_plan, day=TODAY(), pain_before=1)
    their_key = uuid.uuid4()
    services.entry_set(
        session=their_session, prescription_id=their_rx.pk, done=True, client_key=their_key
    )
    client.force_login(patient)
    replay(client, "session-start", {"pain_before": 2, "client_key": key()})
    response = replay(client, "entry-tick", {"done": "on", "client_key": key()}, their_rx.pk)
    assert response.status_code == 404
    # Their key with my own prescription: my tick, written (a key is each patient's own, so
    # theirs neither blocks mine nor is taken as done for me).
    response = replay(
        client, "entry-tick", {"done": "on", "client_key": str(their_key)}, rxs(plan)[0].pk
    )
    assert response.status_code == 200
    assert SessionEntry.objects.filter(session__plan=plan).count() == 1
    assert SessionEntry.objects.filter(session=their_session).count() == 1


def test_a_replay_needs_the_patient_signed_in(client, plan):
    response = replay(client, "session-start", {"pain_before": 2, "client_key": key()})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Session.objects.exists()


# --- Query counts: a replayed tick at 1 week and 2 years of daily sessions --------------------


@pytest.fixture(params=[7, 727], ids=["1-week", "2-years"])
def long_plan(request, patient):
    days = request.param
    plan = PlanFactory(patient=patient, start_date=days_ago(days), weeks=104)
    prescriptions = [PrescriptionFactory(plan=plan, order=order) for order in range(6)]
    sessions = Session.objects.bulk_create(
        Session(plan=plan, date=plan.start_date + datetime.timedelta(days=n), pain_before=3)
        for n in range(days)
    )
    SessionEntry.objects.bulk_create(
        SessionEntry(session=s, prescription=rx) for s in sessions for rx in prescriptions
    )
    Session.objects.filter(plan=plan, date=TODAY()).delete()
    SessionEntry.objects.filter(session__plan=plan, session__date=TODAY()).delete()
    return plan


def test_replay_queries_are_fixed(client, patient, long_plan, django_assert_num_queries):
    client.force_login(patient)
    replay(client, "session-start", {"pain_before": 2, "client_key": key()})
    rx = rxs(long_plan)[0]
    # session, user, plan, the prescription (the patient's); in a transaction: the day's session
    # locked, its key, the dose in effect, the exercise's entry at another dose; entry_set (a
    # savepoint): the session locked, the dose in effect, the entry, the entry's INSERT and its
    # history row; the key's INSERT (a savepoint); then the access log's INSERT
    with django_assert_num_queries(21):
        response = replay(client, "entry-tick", {"done": "on", "client_key": key()}, rx.pk)
    assert response.status_code == 200
    # The same tick sent again: found by its key, nothing written (session, user, plan, the
    # prescription; in a transaction: the session locked, the key, the entry to answer with;
    # the access log's INSERT: the patient sent a change).
    k, second = key(), rxs(long_plan)[1]
    replay(client, "entry-tick", {"done": "on", "client_key": k}, second.pk)
    with django_assert_num_queries(10):
        response = replay(client, "entry-tick", {"done": "on", "client_key": k}, second.pk)
    assert response.json()["ok"] is True
    assert SessionEntry.objects.filter(session__date=TODAY()).count() == 2


def test_checklist_gives_the_page_the_stop_rule_without_a_query_more(
    client, patient, long_plan, django_assert_num_queries
):
    client.force_login(patient)
    with django_assert_num_queries(11):  # as tests/plans/test_sessions.py counts it
        html = client.get(reverse("plans:today")).content.decode()
    assert 'data-stop-pains="7 8 9 10"' in html
    assert f'data-stop-flags="{" ".join(rules.RED_FLAGS)}"' in html
    assert f'data-today="{TODAY().isoformat()}"' in html
    # Not answered yet: the ticks wait, hidden, for answers given offline.
    assert html.count("data-offline-ticking") == len(rxs(long_plan)) + 1  # the rows, the finish


# --- The app: manifest, service worker, offline page, log-out ---------------------------------


def png_size(path):
    with open(path, "rb") as file:
        head = file.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_manifest_is_valid_and_its_icons_exist(client):
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b6e4f"
    purposes = set()
    for icon in manifest["icons"]:
        name = icon["src"].removeprefix("/static/")
        path = finders.find(name)
        assert path, icon["src"]
        width, height = png_size(path)
        assert f"{width}x{height}" == icon["sizes"] and icon["type"] == "image/png"
        purposes.add(icon["purpose"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes and purposes == {"any", "maskable"}
    assert png_size(finders.find("icons/apple-touch-icon.png")) == (180, 180)


def test_the_manifest_speaks_the_visitors_language(client):
    client.cookies["django_language"] = "da"
    manifest = json.loads(
        client.get(reverse("manifest"), headers={"Accept-Language": "da"}).content
    )
    assert manifest["lang"] == "da"


def test_the_service_worker_is_served_at_the_root_never_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert {"no-cache", "no-store"} <= {v.strip() for v in response["Cache-Control"].split(",")}
    script = response.content.decode()
    config = json.loads(script.split("\n", 1)[0].removeprefix("const HIPCARE = ").rstrip(";"))
    assert config["pages"] == [reverse("plans:today"), reverse("plans:my-program")]
    assert config["offline"] == reverse("offline") and len(config["version"]) == 12
    assert 'addEventListener("push"' in script and "notificationclick" in script


def test_the_offline_page_names_no_one(client, patient):
    client.force_login(patient)
    response = client.get(reverse("offline"))
    html = response.content.decode()
    assert response.status_code == 200 and "You are offline" in html
    assert patient.last_name not in html and "<script" not in html


def test_the_patients_pages_link_the_app(client, patient, plan):
    client.force_login(patient)
    html = client.get(reverse("plans:today")).content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in html
    assert '<meta name="theme-color" content="#0b6e4f">' in html
    assert 'data-pwa-user="' in html and 'data-pwa-user=""' not in html
    assert "js/offline.js" in html


def test_a_physio_page_names_no_patient_key(client, physio):
    client.force_login(physio)
    html = client.get(reverse("plans:caseload")).content.decode()
    assert 'data-pwa-user=""' in html


def test_logging_out_ends_the_session_without_clear_site_data(client, patient):
    client.force_login(patient)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not response.has_header("Clear-Site-Data")  # offline.js clears; see hipcare/pwa.py
    assert "_auth_user_id" not in client.session
