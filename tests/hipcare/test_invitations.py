import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from hipcare import accounts
from hipcare.models import User
from tests.factories import ConditionFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_invite_creates_a_patient_without_a_password(physio):
    patient = accounts.patient_invite(
        physio=physio, first_name="Ida", last_name="Holm", email="Ida@Example.org",
        condition=ConditionFactory(), affected_side="left",
    )  # fmt: skip
    assert patient.role == User.Role.PATIENT
    assert patient.physio == physio
    assert not patient.has_usable_password()
    assert accounts.invitation_path(patient).startswith("/accounts/invite/")


def test_invite_refuses_an_email_in_use_in_any_case(physio):
    PatientFactory(email="ida@example.org")
    with pytest.raises(ValidationError) as error:
        accounts.patient_invite(
            physio=physio, first_name="I", last_name="H", email="IDA@example.org",
            condition=ConditionFactory(), affected_side="left",
        )  # fmt: skip
    assert "email" in error.value.message_dict


def test_invitation_mail_carries_the_link(patient):
    link = accounts.invitation_send(patient=patient, base_url="https://clinic.example/")
    assert link.startswith("https://clinic.example/accounts/invite/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.email]
    assert link in mail.outbox[0].body
