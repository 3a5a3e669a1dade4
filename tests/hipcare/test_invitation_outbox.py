"""The invitation outbox: adding a patient never waits on the mail server.

The web request saves the patient and queues the invitation in one transaction; a real worker
process (`manage.py db_worker`) sends it, retrying while the mail server is down.
"""

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from hipcare.models import User
from tests.factories import ConditionFactory
from tests.tasks import run_queued_tasks
from tests.worker import Inbox, free_port, smtp_to, start_worker, stop_worker, wait_for

INVITE_PREFIX = reverse("invite-accept", args=["uid", "token"]).split("uid")[0]
SENT = "<strong>Sent</strong>"


def add_patient(client, email):
    return client.post(
        reverse("plans:patient-add"),
        {"first_name": "Ida", "last_name": "Holm", "email": email,
         "condition": ConditionFactory().pk, "affected_side": "left"},
    )  # fmt: skip


def page_of(client, patient):
    return client.get(reverse("plans:patient-detail", args=[patient.pk])).content.decode()


def test_mail_down_saves_the_patient_and_the_physio_sees_not_sent_yet(client, settings, physio):
    settings.MAILERS = smtp_to(free_port())  # anything sent from the request would fail
    client.raise_request_exception = False  # a 500 is an answer here, not an exception
    client.force_login(physio)
    response = add_patient(client, "ida@example.org")
    saved = User.objects.filter(email="ida@example.org").exists()
    assert (response.status_code, saved) == (302, True), "an error must leave no patient behind"
    patient = User.objects.get(email="ida@example.org")
    assert response.url == reverse("plans:patient-detail", args=[patient.pk])
    assert patient.invitation.sent_at is None and patient.invitation.attempts == 0
    html = page_of(client, patient)
    assert "Not sent yet" in html and INVITE_PREFIX not in html
    # Sending it again is queued the same way: no 500 either.
    response = client.post(reverse("plans:patient-invite", args=[patient.pk]))
    assert response.status_code == 302


def test_a_failed_send_is_retried_and_shown_until_it_gives_up(client, settings, physio):
    settings.MAILERS = smtp_to(free_port())
    settings.INVITATION_RETRY_DELAYS = [0]  # one retry, then it gives up
    client.force_login(physio)
    add_patient(client, "ida@example.org")
    patient = User.objects.get(email="ida@example.org")
    assert run_queued_tasks() == 2  # the first try and its retry
    patient.invitation.refresh_from_db()
    assert patient.invitation.attempts == 2 and patient.invitation.sent_at is None
    assert patient.invitation.retry_at is None  # given up
    assert "Could not be sent" in page_of(client, patient)
    # The physio sends it again once the address or the server is fixed.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client.post(reverse("plans:patient-invite", args=[patient.pk]))
    assert run_queued_tasks() == 1
    patient.invitation.refresh_from_db()
    assert patient.invitation.sent_at is not None
    assert SENT in page_of(client, patient)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation_once_the_mail_server_answers(client, settings, physio):
    """The issue's "done when": mail down (a closed port), then a real worker process and a real
    SMTP server (aiosmtpd) on that port deliver the invitation, and the physio page shows it."""
    port = free_port()
    settings.MAILERS = smtp_to(port)  # the request itself must not need the mail server
    client.raise_request_exception = False  # a 500 is an answer here, not an exception
    client.force_login(physio)
    response = add_patient(client, "ida.holm@example.org")
    assert response.status_code == 302
    patient = User.objects.get(email="ida.holm@example.org")
    invitation = patient.invitation
    assert "Not sent yet" in client.get(response.url).content.decode()

    worker = start_worker(port)
    inbox, controller = Inbox(), None
    try:
        # The server is down: the worker records the failure and queues a retry.
        wait_for(lambda: invitation.refresh_from_db() or invitation.attempts >= 1,
                 seconds=10, what="the first, failed try")  # fmt: skip
        assert invitation.sent_at is None and invitation.last_error
        html = page_of(client, patient)
        assert "Not sent yet" in html and INVITE_PREFIX not in html

        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        wait_for(lambda: invitation.refresh_from_db() or invitation.sent_at is not None,
                 seconds=10, what="the invitation to be sent")  # fmt: skip
    finally:
        errors = stop_worker(worker)
        if controller is not None:
            controller.stop()
    assert worker.returncode == 0, errors

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ida.holm@example.org"
    body = message.get_payload(decode=True).decode()
    assert f"{INVITE_PREFIX}" in body
    html = page_of(client, patient)
    assert SENT in html and "Not sent yet" not in html and INVITE_PREFIX not in html
