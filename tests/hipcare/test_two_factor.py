"""The second factor: physios and staff pass it before any page; patients may opt in."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hipcare import two_factor
from tests.factories import TEST_PASSWORD, PlanFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.REQUIRE_SECOND_FACTOR = True
    # test_wrong_codes_slow_down_guessing keeps throttling on.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def password_login(user):
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    return client


def test_a_physio_without_a_second_factor_cannot_open_patient_data(physio, patient):
    plan = PlanFactory(patient=patient)
    client = password_login(physio)
    for url in (
        reverse("plans:caseload"),
        reverse("plans:patient-detail", args=[patient.pk]),
        reverse("plans:plan-handout", args=[plan.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("two-factor"))
        assert patient.last_name not in client.get(url, follow=True).content.decode()


def test_setting_up_the_app_then_every_login_asks_for_its_code(physio, patient):
    client = password_login(physio)
    page = client.get(reverse("two-factor"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("two-factor-setup"))
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=physio, confirmed=False)
    assert client.post(reverse("two-factor-setup"), {"token": "000000"}).status_code == 200
    response = client.post(reverse("two-factor-setup"), {"token": code(device)})
    codes = response.context["codes"]
    assert len(codes) == two_factor.RECOVERY_CODES and response.status_code == 200
    assert client.get(reverse("plans:caseload")).status_code == 200

    again = password_login(physio)
    assert again.get(reverse("plans:caseload")).status_code == 302
    wrong = again.post(reverse("two-factor"), {"token": "123456"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    ok = again.post(reverse("two-factor"), {"token": code(device, offset=1), "next": "/caseload/"})
    assert ok.status_code == 302 and ok.url == "/caseload/"
    assert again.get(reverse("plans:caseload")).status_code == 200

    # A recovery code works once.
    lost = password_login(physio)
    assert lost.post(reverse("two-factor"), {"token": codes[0]}).status_code == 302
    assert lost.get(reverse("plans:caseload")).status_code == 200
    reused = password_login(physio)
    assert reused.post(reverse("two-factor"), {"token": codes[0]}).status_code == 200


def test_the_next_address_stays_on_this_site(physio):
    device = TOTPDevice.objects.create(user=physio, name="app", confirmed=True)
    client = password_login(physio)
    response = client.post(
        reverse("two-factor"), {"token": code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == reverse("plans:caseload")


def test_staff_reach_the_admin_only_after_the_second_factor():
    staff = StaffFactory()
    client = password_login(staff)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two-factor"))
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client.post(reverse("two-factor"), {"token": code(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_patient_may_opt_in_and_is_then_asked_too(patient):
    PlanFactory(patient=patient)
    client = password_login(patient)
    assert client.get(reverse("plans:today")).status_code == 200  # not required by default
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=patient)
    client.post(reverse("two-factor-setup"), {"token": code(device)})
    again = password_login(patient)
    response = again.get(reverse("plans:today"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor"))


def test_the_test_client_signs_in_physios_fully(client, physio):
    # tests/conftest.py: force_login passes the second factor, so page tests stay about pages.
    client.force_login(physio)
    assert client.get(reverse("plans:caseload")).status_code == 200
    assert re.search(r"Your caseload", client.get(reverse("plans:caseload")).content.decode())


def test_wrong_codes_slow_down_guessing(settings, physio):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp's default: 1 s, doubling per failure
    device = TOTPDevice.objects.create(user=physio, name="app", confirmed=True)
    client = password_login(physio)
    client.post(reverse("two-factor"), {"token": "000000"})
    right_too_soon = client.post(reverse("two-factor"), {"token": code(device)})
    assert right_too_soon.status_code == 200
    assert client.get(reverse("plans:caseload")).status_code == 302


def test_the_password_cannot_be_changed_before_the_second_factor(physio):
    client = password_login(physio)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "x-new-pass-42",
            "new_password2": "x-new-pass-42",
        },
    )
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor"))
    physio.refresh_from_db()
    assert physio.check_password(TEST_PASSWORD)
