"""Issue 13: with the database unreachable, pages answer 503 with a short page, not 500 and a
traceback in the log."""

import logging
import socket

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.urls import include, path, reverse

from hipcare import urls as hipcare_urls
from tests.hipcare.test_settings import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    """From now on every query fails as if PostgreSQL had stopped (a refused connection) or had
    dropped the connection (InterfaceError)."""

    def down(error=OperationalError, message="connection to server failed: Connection refused"):
        def fail(*args, **kwargs):
            raise error(f"{message}\n\tIs the server running?")

        monkeypatch.setattr(connections["default"], "ensure_connection", fail)

    return down


def assert_unavailable(response, caplog, *, language="en"):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert {"en": "Try again in a moment.", "da": "Prøv igen om et øjeblik."}[language] in page
    assert "no-store" in response["Cache-Control"]
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None and "\n" not in errors[0].getMessage()
    assert "Traceback" not in caplog.text


PATIENT_PAGES = ["plans:today", "plans:history", "plans:my-program", "home"]
PHYSIO_PAGES = ["plans:caseload", "plans:patient-add", "exercises:list"]


@pytest.mark.parametrize("name", PATIENT_PAGES)
def test_a_signed_in_patient_gets_503(client, patient, database_down, caplog, name):
    client.force_login(patient)
    database_down()
    assert_unavailable(client.get(reverse(name)), caplog)


@pytest.mark.parametrize("name", PHYSIO_PAGES)
def test_a_signed_in_physio_gets_503(client, physio, database_down, caplog, name):
    client.force_login(physio)
    database_down(InterfaceError, "connection already closed")
    assert_unavailable(client.get(reverse(name)), caplog)


def test_a_post_gets_503(client, patient, database_down, caplog):
    client.force_login(patient)
    database_down()
    day = "2026-01-05"
    response = client.post(reverse("plans:session-start", args=[day]), {"pain_before": 2})
    assert_unavailable(response, caplog)


def test_the_admin_gets_503(client, staff, database_down, caplog):
    client.force_login(staff)
    database_down()
    assert_unavailable(client.get("/admin/plans/session/"), caplog)


def test_the_login_gets_503_and_the_page_is_translated(client, patient, database_down, caplog):
    database_down()
    client.cookies["django_language"] = "da"
    response = client.post(reverse("login"), {"username": patient.username, "password": "x"})
    assert_unavailable(response, caplog, language="da")
    assert 'lang="da"' in response.content.decode()


def test_a_page_not_found_for_a_signed_in_user_gets_503(client, patient, database_down, caplog):
    # The 404 page shows the user's menu: it needs the database too.
    client.force_login(patient)
    database_down()
    client.raise_request_exception = False
    assert_unavailable(client.get("/no-such-page/"), caplog)


def test_healthz_answers_503_when_the_database_is_down(client, database_down, caplog):
    database_down()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.content == b"database unavailable"
    assert "Traceback" not in caplog.text


def boom(request):
    raise RuntimeError("a bug")


def boom_in_the_database(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("boom/", boom),
    path("boom-db/", boom_in_the_database),
    path("", include("hipcare.urls")),
]
handler500 = hipcare_urls.handler500


@pytest.mark.urls(__name__)
def test_other_errors_still_answer_500(client, caplog):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Traceback" in caplog.text  # a bug keeps its traceback


@pytest.mark.urls(__name__)
def test_an_operational_error_of_a_view_answers_503(client, caplog):
    assert_unavailable(client.get("/boom-db/"), caplog)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SCRIPT = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a" * 32
for url in ["/today/", "/caseload/", "/healthz"]:
    response = client.get(url)
    print(url, response.status_code, response.get("Retry-After"))
client.cookies.clear()
response = client.get("/accounts/login/")  # no session: the form shows without the database
print("/accounts/login/", response.status_code, response.get("Retry-After"))
"""


def test_a_closed_database_port_answers_503_with_one_log_line_per_request(tmp_path):
    result = run(
        tmp_path,
        "-c",
        SCRIPT,
        DJANGO_SETTINGS_MODULE="hipcare.settings",
        DATABASE_URL=f"postgres://hipcare:x@127.0.0.1:{closed_port()}/hipcare",
        SECRET_KEY="test-only",
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        PLAIN_STATIC="true",
        CONN_MAX_AGE="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == [
        "/today/ 503 10",
        "/caseload/ 503 10",
        "/healthz 503 10",
        "/accounts/login/ 200 None",
    ]
    log = result.stderr.strip().split("\n")
    assert len(log) == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert all("Database unavailable" in line for line in log)
