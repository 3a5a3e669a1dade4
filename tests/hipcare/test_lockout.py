"""One identity per person: the lock-out counts per account (any spelling, or the e-mail) and per
address across accounts, and says nothing about whether an account exists."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.urls import reverse

from hipcare import accounts
from hipcare.models import User
from tests.factories import TEST_PASSWORD, ConditionFactory, PatientFactory

pytestmark = pytest.mark.django_db

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 8
WRONG = "not-the-password"
MIGRATIONS = Path(__file__).resolve().parents[2] / "hipcare" / "migrations"


@pytest.fixture(autouse=True)
def _lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = ACCOUNT_LIMIT
    settings.AXES_IP_FAILURE_LIMIT = ADDRESS_LIMIT


@pytest.fixture
def karen(physio):
    return PatientFactory(username="patient", email="karen@example.org", physio=physio)


def log_in(client, username, password=TEST_PASSWORD, ip="10.0.0.1", url="login"):
    return client.post(reverse(url), {"username": username, "password": password}, REMOTE_ADDR=ip)


def page(response):
    """The page as a person reads it: without the per-response CSRF token."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", text)


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("spelling", ["PATIENT", "Patient", "KAREN@EXAMPLE.ORG"])
def test_five_wrong_passwords_lock_every_spelling_of_the_account(client, karen, spelling):
    for n in range(ACCOUNT_LIMIT):
        expected = 200 if n < ACCOUNT_LIMIT - 1 else 429  # the last failure answers locked
        assert log_in(client, "patient", WRONG).status_code == expected
    response = log_in(client, spelling)  # the right password, another spelling
    assert response.status_code == 429
    assert not logged_in(client)


def test_failures_by_username_and_by_email_add_up(client, karen):
    for _ in range(ACCOUNT_LIMIT - 1):
        log_in(client, "patient", WRONG)
    log_in(client, "Karen@Example.org", WRONG)
    response = log_in(client, "patient")
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_account_lock_holds_from_another_address(client, karen):
    for n in range(ACCOUNT_LIMIT):
        log_in(client, "patient", WRONG, ip=f"10.0.1.{n}")
    assert log_in(client, "Patient", ip="10.0.2.1").status_code == 429


def test_one_password_against_many_accounts_locks_the_address(client, physio):
    victims = PatientFactory.create_batch(ADDRESS_LIMIT + 1, physio=physio)
    for victim in victims[: ADDRESS_LIMIT - 1]:
        assert log_in(client, victim.username, WRONG).status_code == 200
    assert log_in(client, victims[ADDRESS_LIMIT - 1].username, WRONG).status_code == 429
    # The next account, even with its right password, is refused from this address ...
    response = log_in(client, victims[-1].username)
    assert response.status_code == 429
    assert not logged_in(client)
    # ... and the same for names that belong to no one.
    assert log_in(client, "nobody-at-all", WRONG).status_code == 429
    # Each account has had one failure only: from another address it logs in.
    assert log_in(client, victims[-1].username, ip="10.9.9.9").status_code == 302


def test_behind_a_proxy_each_client_address_counts_on_its_own(client, settings, physio):
    # BEHIND_PROXY=true sets this: the address the proxy appended last to X-Forwarded-For.
    settings.AXES_CLIENT_IP_CALLABLE = "hipcare.lockout.forwarded_client_address"
    victims = PatientFactory.create_batch(ADDRESS_LIMIT + 1, physio=physio)

    def via_proxy(username, password, client_address, forged="203.0.113.9"):
        return client.post(
            reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{forged}, {client_address}",
        )

    for n, victim in enumerate(victims[:ADDRESS_LIMIT]):
        # Forging the first entries does not make a new address.
        via_proxy(victim.username, WRONG, "198.51.100.1", forged=f"203.0.113.{n}")
    assert via_proxy(victims[-1].username, TEST_PASSWORD, "198.51.100.1").status_code == 429
    # Another client behind the same proxy is not locked out with the first.
    assert via_proxy(victims[-1].username, TEST_PASSWORD, "198.51.100.2").status_code == 302


def test_a_forwarded_address_that_is_no_address_falls_back_to_the_peer(rf):
    from hipcare.lockout import forwarded_client_address

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-ip")
    assert forwarded_client_address(request) == "127.0.0.1"
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 2001:db8::1 ")
    assert forwarded_client_address(request) == "2001:db8::1"


def test_a_successful_log_in_does_not_reset_the_address_count(client, physio):
    own = PatientFactory(physio=physio)
    victims = PatientFactory.create_batch(ADDRESS_LIMIT, physio=physio)
    for victim in victims[:-1]:
        log_in(client, victim.username, WRONG)
    assert log_in(client, own.username).status_code == 302  # the attacker's own account
    client.logout()
    log_in(client, victims[-1].username, WRONG)
    assert log_in(client, own.username).status_code == 429


def test_a_successful_log_in_resets_the_accounts_own_failures(client, karen):
    for _ in range(ACCOUNT_LIMIT - 1):
        log_in(client, "patient", WRONG)
    assert log_in(client, "PATIENT").status_code == 302
    client.logout()
    for _ in range(ACCOUNT_LIMIT - 1):
        log_in(client, "Patient", WRONG)
    assert log_in(client, "patient").status_code == 302


def test_locked_pages_do_not_tell_whether_an_account_exists(client, karen, physio):
    # A known account locked through mixed spellings, from one address ...
    for spelling in ["patient", "PATIENT", "karen@example.org", "Patient", "KAREN@example.org"]:
        log_in(client, spelling, WRONG, ip="10.0.0.1")
    known = log_in(client, "Patient", ip="10.0.0.1")
    # ... an unknown name locked the same way, from another ...
    for spelling in ["nobody", "NOBODY", "Nobody", "nobody", " nobody "]:
        log_in(client, spelling, WRONG, ip="10.0.0.2")
    unknown = log_in(client, "NoBody", ip="10.0.0.2")
    # ... and an address locked across accounts, from a third.
    for victim in PatientFactory.create_batch(ADDRESS_LIMIT, physio=physio):
        log_in(client, victim.username, WRONG, ip="10.0.0.3")
    address = log_in(client, "someone-else", WRONG, ip="10.0.0.3")

    assert known.status_code == unknown.status_code == address.status_code == 429
    assert page(known) == page(unknown) == page(address)
    assert "Too many failed log-ins" in page(known)
    assert "patient" not in page(known).lower().replace("hipcare", "")


def test_a_huge_username_is_a_form_error(client):
    response = log_in(client, "x" * 100_000, WRONG)
    assert response.status_code == 200
    assert response.context["form"].errors["username"]


def test_a_huge_username_through_any_log_in_door_is_refused_not_an_error(rf):
    # Not only the log-in form: any authenticate() call (the admin's, a future API) records the
    # failure under a name that fits where axes stores it.
    request = rf.post(reverse("login"), REMOTE_ADDR="10.0.0.1")
    assert authenticate(request, username="x" * 100_000, password=WRONG) is None


def test_a_huge_email_on_password_reset_is_a_form_error(client):
    response = client.post(reverse("password_reset"), {"email": "x" * 100_000 + "@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_users_are_stored_normalised_and_log_in_with_any_case(client):
    user = User.objects.create_user(
        username=" Karen ", email=" Karen@Example.ORG ", password=TEST_PASSWORD
    )
    user.refresh_from_db()
    assert (user.username, user.email) == ("karen", "karen@example.org")
    for typed in ["KAREN", "Karen", "karen@EXAMPLE.org", " KAREN@example.ORG "]:
        client.logout()
        assert log_in(client, typed).status_code == 302, typed
        assert client.session["_auth_user_id"] == str(user.pk)


def test_a_second_spelling_of_a_username_is_the_same_username():
    User.objects.create_user(username="karen", email="k1@example.org")
    user = User(username="KAREN", email="k2@example.org")
    user.set_password(TEST_PASSWORD)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "username" in error.value.message_dict


def test_the_admin_refuses_another_spelling_of_a_username_or_email(client, staff, patient):
    client.force_login(staff)
    response = client.post(
        reverse("admin:hipcare_user_add"),
        {
            "username": patient.username.upper(),
            "usable_password": "false",
            "email": " " + patient.email.upper(),
            "role": "patient",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "username" in errors
    other = PatientFactory(physio=patient.physio)
    data = {
        "username": other.username,
        "email": patient.email.upper(),
        "first_name": other.first_name,
        "last_name": other.last_name,
        "role": "patient",
        "physio": other.physio.pk,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    response = client.post(reverse("admin:hipcare_user_change", args=[other.pk]), data)
    assert response.status_code == 200
    assert "A user with this e-mail address already exists." in response.content.decode()


def test_saving_normalises(physio):
    patient = PatientFactory(username="MiXeD", email="MiXeD@Example.ORG", physio=physio)
    patient.refresh_from_db()
    assert (patient.username, patient.email) == ("mixed", "mixed@example.org")


def test_invited_patients_are_stored_normalised(physio):
    patient = accounts.patient_invite(
        physio=physio,
        first_name="Karen",
        last_name="Jensen",
        email=" Karen@Example.ORG ",
        condition=ConditionFactory(),
        affected_side="left",
        base_url="http://testserver/",
    )
    patient.refresh_from_db()
    assert patient.email == "karen@example.org"
    assert patient.username == "karen@example.org"


def test_the_data_migration_normalises_existing_accounts(physio):
    name = next(MIGRATIONS.glob("*_normalise_usernames_and_emails.py")).stem
    module = importlib.import_module(f"hipcare.migrations.{name}")
    first = PatientFactory(physio=physio)
    second = PatientFactory(physio=physio)
    third = PatientFactory(physio=physio)
    # Written as an older version would have: bypassing save().
    User.objects.filter(pk=first.pk).update(username="Karen", email=" Karen@Example.ORG")
    User.objects.filter(pk=second.pk).update(username="KAREN", email="karen@example.org ")
    User.objects.filter(pk=third.pk).update(username="Ole", email="OLE@Example.org")

    module.normalise_usernames_and_emails(django_apps, None)

    values = dict(User.objects.values_list("pk", "username"))
    emails = dict(User.objects.values_list("pk", "email"))
    assert values[first.pk] == "karen"
    assert values[second.pk] == "karen-2"  # two spellings of one name: the later one is renamed
    assert values[third.pk] == "ole"
    assert emails[third.pk] == "ole@example.org"
    # Two e-mails that become one: the first keeps it, the other is left as it was.
    assert emails[first.pk] == "karen@example.org"
    assert emails[second.pk] == "karen@example.org "


def test_a_password_set_through_the_e_mailed_link_lifts_the_account_lock(client, karen):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    for _ in range(ACCOUNT_LIMIT):
        log_in(client, "patient", WRONG)
    assert log_in(client, "patient").status_code == 429
    uid = urlsafe_base64_encode(force_bytes(karen.pk))
    token = default_token_generator.make_token(karen)
    url = reverse("password_reset_confirm", args=[uid, token])
    form_url = client.get(url, follow=True).redirect_chain[-1][0]  # Django hides the token
    new = "a-new-long-password-9"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert log_in(client, "PATIENT", new).status_code == 302
    assert logged_in(client)
