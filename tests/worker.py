"""Real worker processes and a real SMTP server for the tests of the outbox and the reminders:
`manage.py db_worker` (django-tasks-db) started against the test database, and aiosmtpd."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.handlers import Message
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    """A 127.0.0.1 port nothing listens on (yet): a mail server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_to(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


class Inbox(Message):
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def wait_for(check, *, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def worker_env(smtp_port):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
        "INVITATION_RETRY_SECONDS": "1",
    }


def start_worker(smtp_port, *, worker_id=None):
    """One `manage.py db_worker` process polling every 0.1 s; stop it with stop_worker."""
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.1",
               "--no-startup-delay", "--no-reload", "--verbosity", "0"]  # fmt: skip
    if worker_id:
        command += ["--worker-id", worker_id]
    return subprocess.Popen(
        command, cwd=ROOT, env=worker_env(smtp_port), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def stop_worker(worker):
    """Stops the worker (SIGTERM: it finishes its task) and returns what it wrote to stderr."""
    worker.terminate()
    _, errors = worker.communicate(timeout=10)
    return errors.decode()
