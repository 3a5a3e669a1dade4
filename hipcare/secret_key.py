"""When is SECRET_KEY good enough to serve real data, and refusing to serve when it is not."""

from django.conf import settings
from django.core import checks
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

# Settings fall back to this so a fresh clone runs every command; the prefix makes Django's own
# deploy check (security.W009) flag it as well as ours.
DEVELOPMENT_KEY = SECRET_KEY_INSECURE_PREFIX + "hipcare-development-only"

# Only hand-typed placeholders contain these; a random key of 50+ characters practically never does.
PLACEHOLDER_WORDS = ("test-only", "not-secret", "changeme", "change-me", "example")

WEAK_KEY_MESSAGE = (
    f"SECRET_KEY must be a long random value (at least {SECRET_KEY_MIN_LENGTH} characters) "
    "when DEBUG is off. Generate one with: "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
)


def is_strong(key):
    # Django's W009 criteria (which also catch DEVELOPMENT_KEY), plus obvious placeholders.
    return (
        len(key) >= SECRET_KEY_MIN_LENGTH
        and len(set(key)) >= SECRET_KEY_MIN_UNIQUE_CHARACTERS
        and not key.startswith(SECRET_KEY_INSECURE_PREFIX)
        and not any(word in key.lower() for word in PLACEHOLDER_WORDS)
    )


def require_strong_secret_key():
    # Called by wsgi.py and asgi.py: a server with DEBUG off must not start on a guessable key.
    if not settings.DEBUG and not is_strong(settings.SECRET_KEY):
        raise ImproperlyConfigured(WEAK_KEY_MESSAGE)


# Registered when settings.py imports this module, so it is in place before any check runs.
@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    # An error, not Django's warning, so `check --deploy` fails at its default level too.
    if is_strong(settings.SECRET_KEY):
        return []
    return [checks.Error(WEAK_KEY_MESSAGE, id="hipcare.E001")]
