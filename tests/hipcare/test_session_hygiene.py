"""Issue 13, session hygiene: no-store on pages, Permissions-Policy, an idle time-out for staff."""

import pytest
from django.urls import reverse

from hipcare.middleware import LAST_ACTIVITY_KEY
from tests.test_permissions import TABLE, world  # noqa: F401 - `world` is a fixture

pytestmark = pytest.mark.django_db

DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def assert_private_and_policed(response):
    cache_control = {v.strip() for v in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache_control, response.get("Cache-Control")
    assert "public" not in cache_control
    policy = response["Permissions-Policy"]
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in policy


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("role", ["anonymous", "patient", "physio", "staff"])
def test_every_page_is_not_stored_and_denies_device_features(client, world, name, role):  # noqa: F811
    method, args, _expected = TABLE[name]
    if world[role] is not None:
        client.force_login(world[role])
    response = getattr(client, method)(reverse(name, args=args(world)))
    if name in CACHEABLE and response.status_code == 200:
        assert_cacheable_and_policed(response)
    else:  # the log-in redirect and a 404 of a cacheable URL are not stored either
        assert_private_and_policed(response)


# Catalogue content at a URL that names its digest, never health data (issue 17): NoStoreMiddleware
# leaves the view's own Cache-Control alone (hipcare.middleware.keep_cache_control).
CACHEABLE = {"exercises:picture"}


def assert_cacheable_and_policed(response):
    cache_control = {v.strip() for v in response.get("Cache-Control", "").split(",")}
    assert cache_control == {"public", "max-age=31536000", "immutable"}, cache_control
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/admin/", "/admin/plans/session/", "/no-such-page/"])
def test_admin_and_error_pages_are_not_stored(client, staff, path):
    client.force_login(staff)
    assert_private_and_policed(client.get(path))


def test_static_files_stay_cacheable_and_carry_the_policy(client):
    response = client.get("/static/css/hipcare.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "camera=()" in response["Permissions-Policy"]


def test_the_policy_keeps_features_the_app_may_use_later(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    for kept in ["fullscreen", "screen-wake-lock", "publickey-credentials-get", "vibrate"]:
        assert kept not in policy


# --- Idle time-out ----------------------------------------------------------------------------


def idle_for(client, seconds):
    """Moves the stored last activity back, as if the browser had been left alone."""
    session = client.session
    session[LAST_ACTIVITY_KEY] -= seconds
    session.save()


@pytest.fixture
def timeout(settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    return settings.SESSION_IDLE_TIMEOUT


@pytest.mark.parametrize("role", ["physio", "staff"])
def test_staff_and_physios_are_signed_out_after_the_idle_time(client, timeout, role, request):
    user = request.getfixturevalue(role)
    url = reverse("plans:caseload") if role == "physio" else reverse("admin:index")
    client.force_login(user)
    assert client.get(url).status_code == 200
    idle_for(client, timeout - 60)
    assert client.get(url).status_code == 200  # activity within the time-out renews it
    idle_for(client, timeout + 1)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") if role == "physio" else "/admin/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url, follow=True).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_the_idle_time_out_is_renewed_by_activity(client, timeout, physio):
    client.force_login(physio)
    url = reverse("plans:caseload")
    for _ in range(4):  # two hours of steady work, a request every 25 minutes
        client.get(url)
        idle_for(client, 25 * 60)
    assert client.get(url).status_code == 200


def test_a_patient_stays_signed_in_on_their_phone(client, timeout, patient, settings):
    client.force_login(patient)
    client.get(reverse("plans:today"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = session.get(LAST_ACTIVITY_KEY, 0) - 7 * 24 * 60 * 60
    session.save()
    assert client.get(reverse("plans:today")).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_staff_sessions_expire_with_the_idle_time(client, timeout, physio):
    client.force_login(physio)
    client.get(reverse("plans:caseload"))
    assert client.session.get_expiry_age() == timeout


def test_the_idle_time_out_comes_from_the_environment(tmp_path):
    from tests.hipcare.test_settings import run

    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.SESSION_IDLE_TIMEOUT)"
    env = {"DJANGO_SETTINGS_MODULE": "hipcare.settings", "DEBUG": "true"}
    assert run(tmp_path, "-c", script, **env).stdout.strip() == "1800"
    result = run(tmp_path, "-c", script, SESSION_IDLE_TIMEOUT="600", **env)
    assert result.stdout.strip() == "600", result.stderr
