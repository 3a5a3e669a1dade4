import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from hipcare.models import User
from tests.factories import TEST_PASSWORD, PatientFactory, PhysioFactory

pytestmark = pytest.mark.django_db


def login(client, user, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


@pytest.mark.parametrize(
    "who,landing",
    [("physio", "plans:caseload"), ("patient", "plans:today"), ("staff", "admin:index")],
)
def test_login_lands_each_role_on_its_page(client, request, who, landing):
    user = request.getfixturevalue(who)
    response = login(client, user)
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse(landing)
    if user.is_physio or user.is_staff:  # the second factor first (tests/hipcare/test_two_factor)
        response = client.get(response.url, follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("two-factor"))
        client.force_login(user)  # passes it (tests/conftest.py)
        response = client.get(reverse(landing))
    else:
        response = client.get(response.url)
    assert response.status_code == 200


def test_wrong_password_gets_a_clear_message(client, physio):
    response = login(client, physio, password="not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, physio):
    client.force_login(physio)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("plans:caseload")).status_code == 302  # back to login


def test_anonymous_is_sent_to_login(client):
    for name in ("home", "plans:caseload", "plans:today", "exercises:list"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


@pytest.mark.parametrize(
    "who,url_name",
    [
        ("patient", "plans:caseload"),
        ("patient", "exercises:list"),
        ("physio", "plans:today"),
        ("staff", "plans:today"),
        ("staff", "plans:caseload"),
    ],
)
def test_other_roles_pages_are_forbidden(client, request, who, url_name):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(url_name)).status_code == 403


def test_patient_cannot_open_the_admin(client, patient):
    client.force_login(patient)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_password_change(client, patient):
    client.force_login(patient)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-password-42",
            "new_password2": "a-new-long-password-42",
        },
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password("a-new-long-password-42")


def test_password_reset_sends_a_working_link(client, patient):
    response = client.post(reverse("password_reset"), {"email": patient.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/reset/" in word)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "Choose your password" in response.content.decode()


def test_used_reset_link_says_so(client):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert "This link no longer works" in response.content.decode()


def test_email_is_unique_case_insensitively():
    PatientFactory(email="same@example.org")
    with pytest.raises(IntegrityError):
        PatientFactory(email="SAME@example.org")


def test_only_patients_have_a_treating_physio():
    physio = PhysioFactory()
    with pytest.raises(IntegrityError):
        PhysioFactory(physio=physio)


def test_patients_of_is_scoped(physio, patient, other_patient):
    assert list(User.objects.patients_of(physio)) == [patient]


def test_healthz_is_one_query_and_no_session(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "sessionid" not in response.cookies


def test_lockout_after_repeated_failures(client, settings, physio):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, physio, password="wrong")
    response = login(client, physio)  # even the right password is refused while locked
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_patient_logs_in_with_the_email(client, patient):
    response = client.post(
        reverse("login"), {"username": patient.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(patient.pk)
