import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from hipcare import accounts
from hipcare.models import Invitation, User
from tests.factories import ConditionFactory, PatientFactory
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db
BASE = "https://clinic.example/"


def test_invite_creates_a_patient_without_a_password_and_queues_the_invitation(physio):
    patient = accounts.patient_invite(
        physio=physio, first_name="Ida", last_name="Holm", email="Ida@Example.org",
        condition=ConditionFactory(), affected_side="left", base_url=BASE,
    )  # fmt: skip
    assert patient.role == User.Role.PATIENT
    assert patient.physio == physio
    assert not patient.has_usable_password()
    assert patient.invitation.state == Invitation.State.QUEUED
    assert DBTaskResult.objects.ready().count() == 1
    assert mail.outbox == []  # the worker sends it, not the request
    assert accounts.invitation_path(patient).startswith("/accounts/invite/")


def test_a_refused_invite_queues_nothing(physio):
    """The patient and the queued e-mail commit together, or neither does."""
    PatientFactory(email="ida@example.org")
    with pytest.raises(ValidationError):
        accounts.patient_invite(
            physio=physio, first_name="I", last_name="H", email="IDA@example.org",
            condition=ConditionFactory(), affected_side="left", base_url=BASE,
        )  # fmt: skip
    assert not Invitation.objects.exists() and not DBTaskResult.objects.exists()


def test_invite_refuses_an_email_in_use_in_any_case(physio):
    PatientFactory(email="ida@example.org")
    with pytest.raises(ValidationError) as error:
        accounts.patient_invite(
            physio=physio, first_name="I", last_name="H", email="IDA@example.org",
            condition=ConditionFactory(), affected_side="left", base_url=BASE,
        )  # fmt: skip
    assert "email" in error.value.message_dict


def test_the_worker_mails_the_link_to_the_patient_only(physio):
    patient = PatientFactory(physio=physio, password=None)
    patient.set_unusable_password()
    patient.save()
    accounts.invitation_queue(patient=patient, base_url=BASE)
    assert run_queued_tasks() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.email]
    assert f"{BASE}accounts/invite/" in mail.outbox[0].body
    # Neither the invitation row nor the task's stored result holds the link.
    invitation = Invitation.objects.get(patient=patient)
    assert invitation.state == Invitation.State.SENT and invitation.attempts == 1
    assert DBTaskResult.objects.get().return_value == "sent"
    # A second run sends nothing more; a resend queues one more e-mail.
    assert run_queued_tasks() == 0
    accounts.invitation_queue(patient=patient, base_url=BASE)
    run_queued_tasks()
    assert len(mail.outbox) == 2


def test_a_task_from_before_a_resend_sends_nothing(physio):
    patient = PatientFactory(physio=physio, password=None)
    patient.set_unusable_password()
    patient.save()
    accounts.invitation_queue(patient=patient, base_url=BASE)
    accounts.invitation_queue(patient=patient, base_url=BASE)  # the physio pressed resend
    assert run_queued_tasks() == 2
    assert len(mail.outbox) == 1


def test_the_invitation_mail_is_in_the_language_it_was_queued_in(physio):
    patient = PatientFactory(physio=physio, password=None)
    patient.set_unusable_password()
    patient.save()
    with translation.override("da"):
        accounts.invitation_queue(patient=patient, base_url=BASE)
    run_queued_tasks()
    with translation.override("da"):
        assert mail.outbox[0].subject == translation.gettext("Your hipcare exercise program")
    assert mail.outbox[0].subject != "Your hipcare exercise program"


def test_the_patient_page_never_shows_a_usable_invitation(client, physio):
    """The invitation link reaches only the patient: the physio's page shows its state and a
    resend button, never the link, its token or a copy button."""
    patient = PatientFactory(physio=physio, password=None)
    patient.set_unusable_password()
    patient.save()
    client.force_login(physio)
    for _ in range(2):  # before and after the physio sends it again
        html = client.get(reverse("plans:patient-detail", args=[patient.pk])).content.decode()
        prefix = reverse("invite-accept", args=["uid", "token"]).split("uid")[0]
        assert prefix not in html
        assert default_token_generator.make_token(patient) not in html
        assert "data-copy-target" not in html
        assert "Invitation not yet accepted" in html
        response = client.post(reverse("plans:patient-invite", args=[patient.pk]))
        assert response.status_code == 302
