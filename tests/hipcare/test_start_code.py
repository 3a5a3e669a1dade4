"""The in-clinic start: for a patient without e-mail, the physio makes a one-time code that the
patient types with their date of birth to choose a password themselves."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hipcare import accounts
from hipcare.models import Invitation, StartCode, User
from tests.factories import ConditionFactory, PatientFactory

pytestmark = pytest.mark.django_db
BORN = datetime.date(1958, 3, 14)
PASSWORD = "a-long Hip 2 password"
REFUSED = "That did not work. Check the code and your date of birth"


def new_patient(physio, **kwargs):
    patient = PatientFactory(physio=physio, email="", date_of_birth=BORN, **kwargs)
    patient.set_unusable_password()
    patient.save()
    return patient


def make_code(client, physio, patient):
    """The physio presses the button; returns the code as the page shows it."""
    client.force_login(physio)
    response = client.post(reverse("plans:patient-start-code", args=[patient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "For handing to the patient in person only" in html
    return re.search(r'id="start-code-value">([A-Z0-9-]+)<', html).group(1)


def start(client, code, born=BORN, password=PASSWORD):
    return client.post(
        reverse("account-start"),
        {"code": code, "date_of_birth": born.isoformat(),
         "new_password1": password, "new_password2": password},
    )  # fmt: skip


def test_adding_a_patient_without_email_queues_no_invitation(client, physio):
    client.force_login(physio)
    form = {"first_name": "Ida", "last_name": "Holm", "email": "", "date_of_birth": "1958-03-14",
            "condition": ConditionFactory().pk, "affected_side": "left"}  # fmt: skip
    response = client.post(reverse("plans:patient-add"), form)
    assert response.status_code == 302
    patient = User.objects.get(first_name="Ida")
    assert patient.email == "" and patient.username == "ida.holm"
    assert not patient.has_usable_password()
    assert not Invitation.objects.exists() and not DBTaskResult.objects.exists()
    # A second patient of the same name, also without e-mail: the empty e-mail is not a clash
    # (the unique constraint skips it) and the username stays unique.
    response = client.post(reverse("plans:patient-add"), form)
    assert response.status_code == 302
    assert sorted(User.objects.filter(first_name="Ida").values_list("username", flat=True)) == [
        "ida.holm", "ida.holm-2",
    ]  # fmt: skip
    # Without e-mail the date of birth is required (the in-clinic start needs it).
    response = client.post(reverse("plans:patient-add"), {**form, "date_of_birth": ""})
    assert response.status_code == 200
    assert "needs the patient&#x27;s date of birth" in response.content.decode()
    assert User.objects.filter(first_name="Ida").count() == 2


def test_the_code_is_shown_once_and_stored_only_hashed(client, physio):
    patient = new_patient(physio)
    code = make_code(client, physio, patient)
    plain = code.replace("-", "")
    assert len(plain) == 8 and set(plain) <= set(accounts.START_CODE_ALPHABET)
    row = StartCode.objects.get(patient=patient)
    assert row.created_by == physio and row.used_at is None
    assert row.expires_at - row.created_at == datetime.timedelta(hours=2)
    with connection.cursor() as cursor:  # the plain code is nowhere in the table
        cursor.execute("SELECT * FROM hipcare_startcode")
        assert plain not in repr(cursor.fetchall())
    page = client.get(reverse("plans:patient-detail", args=[patient.pk])).content.decode()
    assert code not in page and plain not in page
    assert "Make a start code" in page
    # A new code replaces the old one.
    newer = make_code(client, physio, patient)
    client.logout()
    assert REFUSED in start(client, code).content.decode()
    assert start(client, newer).status_code == 302


def test_the_patient_starts_with_the_code_and_is_logged_in_once(client, physio):
    patient = new_patient(physio)
    code = make_code(client, physio, patient)
    client.logout()
    assert client.get(reverse("account-start")).status_code == 200
    response = start(client, code.lower().replace("-", " "))  # as typed from paper
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(patient.pk)
    assert StartCode.objects.get(patient=patient).used_at is not None
    client.logout()
    response = start(client, code, password="another Hip 2 password")
    assert REFUSED in response.content.decode()
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)


def test_wrong_birth_date_or_code_get_one_answer_and_the_code_locks(client, physio, settings):
    settings.AXES_FAILURE_LIMIT = 50  # the per-address limit is another test's
    settings.AXES_IP_FAILURE_LIMIT = 50
    patient = new_patient(physio)
    code = make_code(client, physio, patient)
    client.logout()
    wrong_code = start(client, "ABCD-EFGH").content.decode()
    for _ in range(settings.START_CODE_FAILURE_LIMIT):
        wrong_born = start(client, code, born=datetime.date(1958, 3, 15)).content.decode()
        assert REFUSED in wrong_born
    assert REFUSED in wrong_code

    # The two answers differ in nothing but the CSRF token and the typed values.
    def strip(html):  # the CSRF tokens and the typed values
        return re.sub(r'value="[^"]*"|[A-Za-z0-9]{64}', "", html)

    assert strip(wrong_code) == strip(wrong_born)
    # Locked now, even with the right date of birth; nothing typed is kept by axes.
    assert REFUSED in start(client, code).content.decode()
    patient.refresh_from_db()
    assert not patient.has_usable_password()
    stored = repr(list(AccessAttempt.objects.values()))
    assert code.replace("-", "") not in stored and code not in stored and "1958" not in stored


def test_one_address_is_stopped_after_the_failure_limit(client, physio, settings):
    patient = new_patient(physio)
    code = make_code(client, physio, patient)
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        start(client, "ABCD-EFGH")
    response = start(client, code)
    assert response.status_code == 429 or response.status_code == 403
    patient.refresh_from_db()
    assert not patient.has_usable_password()


def test_an_expired_code_fails(client, physio):
    patient = new_patient(physio)
    code = make_code(client, physio, patient)
    client.logout()
    StartCode.objects.filter(patient=patient).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert REFUSED in start(client, code).content.decode()
    patient.refresh_from_db()
    assert not patient.has_usable_password()


def test_another_physio_cannot_start_someone_elses_patient(client, physio, other_physio):
    patient = new_patient(physio)
    client.force_login(other_physio)
    response = client.post(reverse("plans:patient-start-code", args=[patient.pk]))
    assert response.status_code == 404
    assert not StartCode.objects.exists()


def test_no_code_without_a_birth_date_or_after_a_password(client, physio):
    patient = new_patient(physio)
    patient.date_of_birth = None
    patient.save()
    client.force_login(physio)
    page = client.get(reverse("plans:patient-detail", args=[patient.pk])).content.decode()
    assert "date of birth on record" in page
    assert client.post(reverse("plans:patient-start-code", args=[patient.pk])).status_code == 302
    started = PatientFactory(physio=physio)  # has chosen a password
    assert client.post(reverse("plans:patient-start-code", args=[started.pk])).status_code == 302
    assert not StartCode.objects.exists()


def test_no_start_code_for_a_patient_with_an_e_mail(client, physio):
    patient = PatientFactory(physio=physio, email="ida@example.org", date_of_birth=BORN)
    patient.set_unusable_password()
    patient.save()
    client.force_login(physio)
    page = client.get(reverse("plans:patient-detail", args=[patient.pk])).content.decode()
    assert "Make a start code" not in page
    client.post(reverse("plans:patient-start-code", args=[patient.pk]))
    assert not StartCode.objects.filter(patient=patient).exists()
