"""Defects found when reviewing the reminders, each with the test that showed it."""

import datetime
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plans.models import SessionEntry
from reminders import push, rules, services
from reminders.models import PushSubscription, ReminderDelivery
from tests.factories import PrescriptionFactory, SessionFactory
from tests.reminders.conftest import daytime_zone, due_now, patient_with_plan, save_schedule
from tests.reminders.test_push import Phone, b64url
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("reminders:push-subscribe")


def post_json(client, body):
    body = body if isinstance(body, str) else json.dumps(body)
    return client.post(SUBSCRIBE, body, content_type="application/json")


def due_kwargs(schedule, due):
    return {"schedule_id": schedule.pk, "version": schedule.version, "due": due.isoformat()}


# --- The push endpoint: no way to make the worker call this server or a private network ----------


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.1/push",  # 127.0.0.1 written short: the resolver reads it as an address
        "https://0x7f.1/push",
        "https://0177.0.0.1/push",
        "https://10.1/push",
        "https://localhost./push",  # a trailing dot is the same name
        "https://metadata.google.internal./computeMetadata/v1/",
    ],
)
def test_an_address_written_as_a_name_is_refused(client, patient, endpoint):
    client.force_login(patient)
    response = post_json(client, Phone().subscription_json(endpoint))
    assert response.status_code == 422
    assert not PushSubscription.objects.exists()


def test_nothing_is_sent_to_a_name_that_resolves_to_a_private_address(monkeypatch, vapid_keys):
    """A public-looking name (as nip.io and similar give) whose address is private or loopback."""
    subscription = PushSubscription.objects.create(
        patient=patient_with_plan(), endpoint="https://push.example.com/x",
        p256dh=Phone().p256dh, auth=b64url(b"a" * 16),
    )  # fmt: skip
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443))],
    )
    calls = []

    def record(self, method, url, *args, **kwargs):
        calls.append(url)
        raise requests.ConnectionError("refused in the test")

    monkeypatch.setattr(requests.sessions.Session, "request", record)
    assert push.send(subscription, {"title": "t", "body": "b", "url": "/today/"}) is False
    assert calls == []


class Redirecting:
    """A stand-in push service that answers every POST to /push with a redirect (307 keeps the
    POST) to /internal, which stands for a private address."""

    def __init__(self):
        self.paths = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.paths.append(self.path)
                if self.path == "/push":
                    self.send_response(307)
                    self.send_header("Location", f"{service.url}/internal")
                else:
                    self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_redirect_from_the_push_service_is_not_followed(monkeypatch, vapid_keys):
    service = Redirecting()
    try:
        # The stand-in is on 127.0.0.1: let the address check pass it, as a public host would.
        monkeypatch.setattr(push, "resolves_to_public", lambda host: True, raising=False)
        phone = Phone()
        subscription = PushSubscription.objects.create(
            patient=patient_with_plan(), endpoint=f"{service.url}/push",
            p256dh=phone.p256dh, auth=b64url(phone.auth),
        )  # fmt: skip
        assert push.send(subscription, {"title": "t", "body": "b", "url": "/today/"}) is False
    finally:
        service.server.shutdown()
        service.server.server_close()
    assert service.paths == ["/push"]


# --- The push endpoint: malformed input is a 422, never a 500 ------------------------------------


@pytest.mark.parametrize("key", ["p256dh", "auth"])
def test_a_key_padded_with_characters_outside_base64url_is_refused(client, patient, key):
    """Python's base64 skips such characters, so the key decoded to the right length while the
    text was longer than its column: the database refused it (a 500)."""
    client.force_login(patient)
    data = Phone().subscription_json("https://fcm.googleapis.com/fcm/send/abc")
    data["keys"][key] = data["keys"][key] + "!" * 100
    response = post_json(client, data)
    assert response.status_code == 422
    assert not PushSubscription.objects.exists()


def test_deeply_nested_json_is_refused(client, patient):
    client.force_login(patient)
    response = post_json(client, "[" * 100_000)
    assert response.status_code == 422


def test_a_patient_keeps_a_bounded_number_of_phones(client, patient):
    """Each phone costs the worker a request (up to its timeout) at every reminder: a patient
    posting thousands of subscriptions would stall the worker, and use it to send requests."""
    client.force_login(patient)
    phone = Phone()
    endpoints = [f"https://fcm.googleapis.com/fcm/send/{n}" for n in range(push.MAX_PHONES + 3)]
    for endpoint in endpoints:
        assert post_json(client, phone.subscription_json(endpoint)).status_code == 201
    kept = set(PushSubscription.objects.filter(patient=patient).values_list("endpoint", flat=True))
    assert kept == set(endpoints[-push.MAX_PHONES :])


# --- The program: no reminder on a day it takes no session ----------------------------------------


def test_no_reminder_once_the_program_is_past_its_end():
    """The program still "active" (not ended by the physio) but past its last day: the checklist
    (the reminder's link, on the site's date) says it has ended, so "time for today's exercises"
    would be wrong."""
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    patient.plans.update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.NO_PLAN
    assert not ReminderDelivery.objects.exists()


def test_no_reminder_before_the_program_starts():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    day = timezone.localdate()
    patient.plans.update(
        start_date=day + datetime.timedelta(days=2), end_date=day + datetime.timedelta(days=90)
    )
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.NO_PLAN


# --- The sender checks again: the session done, or the program ended, after the reminder was due --


def queued_delivery():
    patient = patient_with_plan()
    schedule = save_schedule(patient, zone=daytime_zone())
    schedule, due = due_now(schedule)
    assert services.reminder_due(**due_kwargs(schedule, due)) == rules.REMINDER
    return patient, ReminderDelivery.objects.get()


def test_no_email_when_the_session_is_done_before_the_sending_runs():
    """The sending waited (a busy or restarted worker, or the e-mail's retry minutes later)."""
    patient, delivery = queued_delivery()
    plan = patient.plans.get()
    session = SessionFactory(plan=plan, date=delivery.local_date, completed_at=timezone.now())
    SessionEntry.objects.create(session=session, prescription=PrescriptionFactory(plan=plan))
    run_queued_tasks()
    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.email_sent_at is None


def test_no_email_when_the_program_ended_before_the_sending_runs():
    patient, delivery = queued_delivery()
    patient.plans.update(status="ended", ended_on=timezone.localdate())
    run_queued_tasks()
    assert mail.outbox == []
