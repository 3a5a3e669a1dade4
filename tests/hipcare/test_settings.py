import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from hipcare.secret_key import DEVELOPMENT_KEY, is_strong

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(50)

# Read by settings or Django; the scripts set some of them (e.g. DJANGO_ALLOW_ASYNC_UNSAFE, which
# `check --deploy` warns about), and each subprocess starts from a fresh clone's environment instead.
SETTINGS_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "PLAIN_STATIC",
    "BEHIND_PROXY",
}
SETTINGS_PREFIXES = ("DJANGO_", "SECURE_", "AXES_", "EMAIL_")


def run(tmp_path, *args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARIABLES and not k.startswith(SETTINGS_PREFIXES)
    }
    # A throwaway SQLite file: no PostgreSQL needed, and the developer's hipcare.sqlite3 is untouched.
    clean["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("key", "strong"),
    [
        ("", False),
        ("short-" + secrets.token_urlsafe(20), False),
        ("ab" * 30, False),
        ("django-insecure-" + secrets.token_urlsafe(50), False),
        (DEVELOPMENT_KEY, False),
        ("test-only-not-secret-" * 3, False),
        (STRONG_KEY, True),
        # The shape .ci/run generates for its `check --deploy` run.
        ("ci-" + secrets.token_hex(32), True),
    ],
)
def test_is_strong(key, strong):
    assert is_strong(key) is strong


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["check"], "System check identified no issues"),
        (["makemigrations", "--check", "--dry-run"], "No changes detected"),
    ],
    ids=["check", "makemigrations"],
)
def test_manage_py_runs_in_a_fresh_clone_without_any_settings(tmp_path, command, expected):
    result = run(tmp_path, "manage.py", *command)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize("module", ["hipcare.wsgi", "hipcare.asgi"])
@pytest.mark.parametrize("key", [None, "test-only", "test-only-not-secret-" * 3])
def test_server_refuses_to_start_without_a_strong_key(tmp_path, module, key):
    env = {"DEBUG": "false"} if key is None else {"DEBUG": "false", "SECRET_KEY": key}
    result = run(tmp_path, "-c", f"import {module}", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be a long random value" in result.stderr


@pytest.mark.parametrize("module", ["hipcare.wsgi", "hipcare.asgi"])
def test_server_starts_with_a_strong_key(tmp_path, module):
    result = run(tmp_path, "-c", f"import {module}", DEBUG="false", SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr


def test_development_server_starts_without_a_key(tmp_path):
    # `make run`: DEBUG on, no SECRET_KEY, and runserver loads hipcare.wsgi.
    result = run(tmp_path, "-c", "import hipcare.wsgi", DEBUG="true")
    assert result.returncode == 0, result.stderr


def check_deploy(tmp_path, **env):
    return run(
        tmp_path,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        ALLOWED_HOSTS="hipcare.example.org",
        **env,
    )


def test_check_deploy_passes_with_a_strong_key(tmp_path):
    result = check_deploy(tmp_path, SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "key",
    [
        None,
        # Passes Django's own W009, so only our check catches it.
        "test-only-not-secret-" * 3,
    ],
)
def test_check_deploy_fails_on_a_weak_key(tmp_path, key):
    result = check_deploy(tmp_path, **({} if key is None else {"SECRET_KEY": key}))
    assert result.returncode != 0
    assert "hipcare.E001" in result.stderr
