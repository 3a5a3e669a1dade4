"""The "Larger text" setting (issue #15): remembered on the account, shown on every page."""

import pytest
from django.urls import reverse

from hipcare import accounts
from hipcare.models import User

pytestmark = pytest.mark.django_db


def test_the_toggle_saves_the_setting_and_goes_back_to_the_page(client, patient):
    client.force_login(patient)
    response = client.post(reverse("text-size"), {"large_text": "on", "next": "/history/"})
    assert response.status_code == 302 and response.url == "/history/"
    assert User.objects.get(pk=patient.pk).large_text is True
    assert '<html lang="en" class="large-text">' in client.get("/today/").content.decode()

    client.post(reverse("text-size"), {"large_text": "off", "next": "/today/"})
    assert User.objects.get(pk=patient.pk).large_text is False
    assert '<html lang="en">' in client.get("/today/").content.decode()


def test_the_toggle_never_sends_anyone_elsewhere(client, patient):
    client.force_login(patient)
    for target in ("https://evil.example/", "//evil.example/", ""):
        response = client.post(reverse("text-size"), {"large_text": "on", "next": target})
        assert response.url == reverse("home")


def test_the_toggle_needs_a_post_and_a_log_in(client, patient):
    assert client.post(reverse("text-size"), {"large_text": "on"}).status_code == 302
    client.force_login(patient)
    assert client.get(reverse("text-size")).status_code == 405
    assert User.objects.get(pk=patient.pk).large_text is False


def test_only_patients_see_the_toggle(client, patient, physio):
    client.force_login(patient)
    assert 'aria-pressed="false">Larger text</button>' in client.get("/today/").content.decode()
    client.force_login(physio)
    assert "Larger text" not in client.get("/caseload/").content.decode()


def test_the_service_writes_only_a_change(patient, django_assert_num_queries):
    user = accounts.user_set_large_text(user=patient, large_text=True)
    assert user.large_text is True
    with django_assert_num_queries(3):  # a savepoint, the locked read and its release: no write
        accounts.user_set_large_text(user=patient, large_text=True)
