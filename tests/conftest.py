import os

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PatientFactory, PhysioFactory, StaffFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    # Bare `pytest` works like scripts/test.sh: the test client and the live server speak plain
    # HTTP, static files come from static/ without collectstatic, and Playwright calls the ORM
    # from its event loop. Settings are loaded by now, but no middleware has read them yet.
    from django.conf import settings

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _plain_static_and_no_lockout(settings):
    # Tests do not run collectstatic; axes is tested on its own.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class FullLoginClient(Client):
    """force_login also passes the second factor (hipcare/two_factor.py) for the users who need
    it, so page tests stay about pages; tests/hipcare/test_two_factor.py tests the gate itself."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.is_physio or user.is_clinic_admin or user.is_staff:
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name="app", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


def _runs_on_transactional_db(item):
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in names
        or "live_server" in names
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty shared cache (Redis under make test): ids are reused
    between tests (a rolled-back program's id, a flushed table's), so a fragment kept by one
    test must not answer another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _shipped_instruments(request):
    """A transactional test (browser, worker and race tests) starts after another one's flush,
    which empties the rows the data migrations loaded: put the shipped outcome measures back."""
    if _runs_on_transactional_db(request.node):
        from courses.content import load_shipped_instruments

        request.getfixturevalue("transactional_db")
        load_shipped_instruments()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that ended with a flush (a transactional one: browser, worker and race tests,
    however it asked for the database), put the shipped outcome measures back for the tests that
    run inside a transaction next. One query after each test to see whether they are there."""
    result = yield
    if nextitem is not None:
        from django.db import DatabaseError, connection
        from pytest_django.plugin import blocking_manager_key

        from courses.content import load_shipped_instruments
        from courses.models import Instrument

        with item.config.stash[blocking_manager_key].unblock():
            try:
                if connection.settings_dict["NAME"].startswith("test_") and not (
                    Instrument.objects.filter(code="hip-pain").exists()
                ):
                    load_shipped_instruments()
            except DatabaseError:  # a test that took the database away; the next one says so
                pass
    return result


@pytest.fixture
def client():
    return FullLoginClient()


@pytest.fixture
def admin_client(admin_user):
    client = FullLoginClient()
    client.force_login(admin_user)
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def physio(db):
    return PhysioFactory()


@pytest.fixture
def other_physio(db):
    return PhysioFactory()


@pytest.fixture
def patient(physio):
    return PatientFactory(physio=physio)


@pytest.fixture
def other_patient(other_physio):
    return PatientFactory(physio=other_physio)


@pytest.fixture
def staff(db):
    return StaffFactory()
