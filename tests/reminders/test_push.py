"""Web push, server side: pywebpush sends the encrypted, signed message to a push service, here a
local HTTP server in the test that stands in for it. The test decrypts what it received with the
phone's keys, as the browser would."""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.urls import reverse
from py_vapid import Vapid02

from reminders import push
from reminders.models import PushSubscription, ReminderDelivery
from tests.factories import PatientFactory, PhysioFactory
from tests.reminders.conftest import daytime_zone, due_now, patient_with_plan, save_schedule
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stand_in_is_public(monkeypatch):
    """The stand-in push service listens on 127.0.0.1, which push.send() refuses for a real
    subscription (test_review_findings.py): here it passes as a public host."""
    monkeypatch.setattr(push, "resolves_to_public", lambda host: True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Phone:
    """A browser's side of a subscription: its key pair and auth secret."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription_json(self, endpoint):
        return {"endpoint": endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}  # fmt: skip

    def decrypt(self, body):
        return http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )


class PushService:
    """A local HTTP server that takes push messages (POST) and answers `status`."""

    def __init__(self, status=201):
        self.status = status
        self.requests = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.requests.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def subscribe(patient, phone, endpoint):
    # Created directly: the page's endpoint accepts https push services only (tested below).
    return PushSubscription.objects.create(
        patient=patient, endpoint=endpoint, p256dh=phone.p256dh, auth=b64url(phone.auth)
    )


def test_a_reminder_reaches_the_phone_encrypted_and_signed(vapid_keys):
    patient = patient_with_plan()
    phone = Phone()
    with PushService() as service:
        subscribe(patient, phone, f"{service.url}/push/phone-1")
        schedule = save_schedule(patient, zone=daytime_zone(), by_email=False, by_push=True)
        due_now(schedule)
        run_queued_tasks()
    assert len(service.requests) == 1
    path, headers, body = service.requests[0]
    assert path == "/push/phone-1"
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) == push.PUSH_TTL_SECONDS
    # VAPID (RFC 8292): a JWT signed with the server's key, for this push service's origin.
    authorization = headers["authorization"]
    assert authorization.startswith("vapid t=")
    assert f"k={vapid_keys['public_key']}" in authorization
    assert Vapid02.verify(authorization)
    token = authorization.split("t=")[1].split(",")[0]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["aud"] == service.url and claims["sub"] == "mailto:reminders@hipcare.example"
    # The phone decrypts the notification: the words and where a tap goes, no health data.
    payload = json.loads(phone.decrypt(body))
    assert payload == {
        "title": "Time for today's exercises",
        "body": "Time for today's exercises. Your checklist is ready in hipcare.",
        "url": "/today/",
    }
    delivery = ReminderDelivery.objects.get()
    assert delivery.pushed == 1 and delivery.pushed_at is not None
    assert delivery.email_sent_at is None and mail.outbox == []


def test_every_phone_of_the_patient_and_the_email(vapid_keys):
    patient = patient_with_plan()
    phones = [Phone(), Phone()]
    with PushService() as service:
        for n, phone in enumerate(phones):
            subscribe(patient, phone, f"{service.url}/push/{n}")
        subscribe(PatientFactory(), Phone(), f"{service.url}/push/someone-else")
        schedule = save_schedule(patient, zone=daytime_zone(), by_email=True, by_push=True)
        due_now(schedule)
        run_queued_tasks()
    assert sorted(path for path, _h, _b in service.requests) == ["/push/0", "/push/1"]
    assert len(mail.outbox) == 1
    assert ReminderDelivery.objects.get().pushed == 2


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_deleted(vapid_keys, status):
    patient = patient_with_plan()
    with PushService(status=status) as service:
        subscribe(patient, Phone(), f"{service.url}/push/gone")
        schedule = save_schedule(patient, zone=daytime_zone(), by_email=False, by_push=True)
        due_now(schedule)
        run_queued_tasks()
    assert len(service.requests) == 1
    assert not PushSubscription.objects.exists()
    assert ReminderDelivery.objects.get().pushed == 0


def test_another_failure_keeps_the_subscription(vapid_keys):
    patient = patient_with_plan()
    with PushService(status=500) as service:
        subscribe(patient, Phone(), f"{service.url}/push/busy")
        schedule = save_schedule(patient, zone=daytime_zone(), by_email=False, by_push=True)
        due_now(schedule)
        run_queued_tasks()
    assert len(service.requests) == 1
    assert PushSubscription.objects.count() == 1


def test_without_vapid_keys_nothing_is_pushed(settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    patient = patient_with_plan()
    with PushService() as service:
        subscribe(patient, Phone(), f"{service.url}/push/phone")
        schedule = save_schedule(patient, zone=daytime_zone(), by_email=True, by_push=True)
        due_now(schedule)
        run_queued_tasks()
    assert service.requests == []
    assert len(mail.outbox) == 1


# --- The page's endpoint: the browser posts its PushSubscription -----------------------------------

SUBSCRIBE = reverse("reminders:push-subscribe")


def post_json(client, data, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(SUBSCRIBE, body, content_type="application/json", **extra)


def test_the_patient_saves_this_phones_subscription(client, patient):
    client.force_login(patient)
    phone = Phone()
    data = phone.subscription_json("https://fcm.googleapis.com/fcm/send/abc123")
    response = post_json(client, data)
    assert response.status_code == 201
    saved = PushSubscription.objects.get()
    assert (saved.patient, saved.endpoint, saved.p256dh) == (
        patient,
        data["endpoint"],
        phone.p256dh,
    )
    # The same phone again: still one row.
    assert post_json(client, data).status_code == 201
    assert PushSubscription.objects.count() == 1


def test_a_phone_used_by_another_patient_before_is_now_this_ones(client, patient, other_patient):
    data = Phone().subscription_json("https://updates.push.services.mozilla.com/wpush/v2/x")
    client.force_login(other_patient)
    post_json(client, data)
    client.force_login(patient)
    post_json(client, data)
    assert PushSubscription.objects.get().patient == patient


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        "[]",
        {},
        {"endpoint": "https://push.example.com/x"},
        {"endpoint": "http://push.example.com/x", "keys": None},
        "PLAIN_HTTP",
        "LOCALHOST",
        "PRIVATE_IP",
        "SHORT_KEY",
        "BAD_AUTH",
        "LONG_ENDPOINT",
    ],
)
def test_anything_but_a_usable_subscription_is_422(client, patient, data):
    phone = Phone()
    good = phone.subscription_json("https://push.example.com/send/1")
    cases = {
        "PLAIN_HTTP": {**good, "endpoint": "http://push.example.com/send/1"},
        "LOCALHOST": {**good, "endpoint": "https://localhost:8000/admin/"},
        "PRIVATE_IP": {**good, "endpoint": "https://10.0.0.5/push"},
        "SHORT_KEY": {**good, "keys": {**good["keys"], "p256dh": b64url(b"\x04" + b"1" * 10)}},
        "BAD_AUTH": {**good, "keys": {**good["keys"], "auth": "!!"}},
        "LONG_ENDPOINT": {**good, "endpoint": "https://push.example.com/" + "x" * 1000},
    }
    client.force_login(patient)
    response = post_json(client, cases.get(data, data) if isinstance(data, str) else data)
    assert response.status_code == 422
    assert response.json()["error"] == str(push.SUBSCRIPTION_INVALID)
    assert not PushSubscription.objects.exists()


def test_the_endpoint_is_csrf_protected_and_for_patients_only(patient):
    from django.test import Client

    data = Phone().subscription_json("https://push.example.com/send/1")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(patient)
    assert post_json(strict, data).status_code == 403
    strict.get(reverse("reminders:settings"))  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    assert post_json(strict, data, headers={"X-CSRFToken": token}).status_code == 201
    physio_client = Client()
    physio_client.force_login(PhysioFactory())
    assert post_json(physio_client, data).status_code == 403


def test_logging_out_forgets_this_phone_and_keeps_the_others(client, patient):
    from django.test import Client

    """A shared or handed-on phone: after the patient logs out there, it gets no more of their
    reminders; a phone they subscribed elsewhere keeps getting them."""
    elsewhere = Phone().subscription_json("https://fcm.googleapis.com/fcm/send/other-phone")
    other_browser = Client()
    other_browser.force_login(patient)
    assert post_json(other_browser, elsewhere).status_code == 201
    client.force_login(patient)
    here = Phone().subscription_json("https://fcm.googleapis.com/fcm/send/this-phone")
    assert post_json(client, here).status_code == 201
    assert PushSubscription.objects.filter(patient=patient).count() == 2
    response = client.post(reverse("logout"))
    assert response.status_code in (200, 302)
    endpoints = list(PushSubscription.objects.values_list("endpoint", flat=True))
    assert endpoints == [elsewhere["endpoint"]], "only this browser's phone is forgotten"


def test_the_command_prints_a_new_key_pair_for_production(capsys):
    from django.core.management import call_command

    call_command("reminders", "--new-keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    public = base64.urlsafe_b64decode(lines["VAPID_PUBLIC_KEY"] + "==")
    private = base64.urlsafe_b64decode(lines["VAPID_PRIVATE_KEY"] + "==")
    assert len(public) == 65 and public[0] == 4 and len(private) == 32
    # The pair belongs together: the private number gives the public point.
    key = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert point == public
