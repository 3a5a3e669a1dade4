"""hipcare settings: one module, driven by environment variables with safe defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from hipcare import release, retention
from hipcare.secret_key import DEVELOPMENT_KEY
from reminders.vapid import read_dev_keys

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, *, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "on"}:
        return True
    if value.lower() in {"0", "false", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true/false/1/0/on/off, not {value!r}")


def env_list(name, *, default):
    value = os.environ.get(name)
    return default if value is None else [v.strip() for v in value.split(",") if v.strip()]


DEBUG = env_bool("DEBUG", default=False)

# Unset in a fresh clone, so every command works there; wsgi.py, asgi.py and `check --deploy`
# refuse this development key when DEBUG is off (see hipcare/secret_key.py).
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "hipcare.admin_site.HipcareAdminConfig",  # django.contrib.admin behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    # Change history of programs, doses, sessions, ticks and answers (plans/history.py).
    "simple_history",
    "hipcare",
    "exercises",
    "plans",
    "courses",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry it too.
    "hipcare.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise: every page, not the static files, is Cache-Control: no-store.
    "hipcare.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A database outage in a view or template answers 503 (hipcare.middleware.server_error
    # covers the rest).
    "hipcare.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the user is known: history rows record who made each change (plans/history.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and messages are known: signs idle physios and staff out.
    "hipcare.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so a locked-out login answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hipcare.urls"
WSGI_APPLICATION = "hipcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite so a fresh clone runs with no setup; tests, CI and production set DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'hipcare.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache every app server shares (hipcare/cache.py): Redis in tests, the benchmark and production
# (CACHE_URL=redis://host:port/db). Without it, `make run` (DEBUG, one web process) keeps it in
# memory; a server with DEBUG off caches nothing, since a catalogue change seen by one process
# would not reach the others.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A new release (code, templates, translations) starts with an empty cache.
            "KEY_PREFIX": f"hipcare-{release.digest()}",
            "TIMEOUT": 24 * 60 * 60,
            # A cache that does not answer is skipped (hipcare/cache.py), after at most this long.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

AUTH_USER_MODEL = "hipcare.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hipcare.backends.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Physios and staff enter a code from an authenticator app after their password (django-otp).
REQUIRE_SECOND_FACTOR = env_bool("REQUIRE_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = "hipcare"
# Physios and staff are signed out after this many seconds without a request (30 minutes);
# patients keep SESSION_COOKIE_AGE (14 days) on their own phone. See hipcare/middleware.py.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Invitation and reset links stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
# In-clinic start codes (patients without e-mail, hipcare/accounts.py): valid for two hours, and
# locked after this many wrong dates of birth typed with the code.
START_CODE_VALID_SECONDS = int(os.environ.get("START_CODE_VALID_SECONDS", str(2 * 60 * 60)))
START_CODE_FAILURE_LIMIT = 5

# Brute-force protection (hipcare/lockout.py), either limit pauses log-in for 15 minutes:
# AXES_FAILURE_LIMIT wrong passwords for one account, whatever spelling or e-mail was typed and
# from any address; AXES_IP_FAILURE_LIMIT failures from one address across all accounts.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_CALLABLE = "hipcare.lockout.account_key"
AXES_HANDLER = "hipcare.lockout.AccountAndAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Never stored with a failed attempt: the in-clinic start page's code, date of birth and password.
AXES_SENSITIVE_PARAMETERS = [
    "username", "ip_address", "code", "date_of_birth", "new_password1", "new_password2",
]  # fmt: skip
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["hipcare.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("PLAIN_STATIC", default=DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

if STORAGES["staticfiles"]["BACKEND"].endswith(".StaticFilesStorage"):
    # Without collectstatic (development, tests) whitenoise serves straight from static/.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Development prints e-mail (invitations, password resets) to the console; production uses SMTP.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND}}
if EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        # The worker, not a web request, waits on the mail server; a hung server is a failed try.
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
    }
del EMAIL_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hipcare <noreply@localhost>")

# The outbox: web requests queue e-mail as tasks in the database, in their own transaction, and
# `manage.py db_worker` (django-tasks-db) sends them, so no request waits on the mail server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How long the access log is kept (days; hipcare/retention.py says why), after which the worker
# deletes it (hipcare.audit.purge). The database refuses to delete younger entries.
ACCESS_LOG_RETENTION_DAYS = int(
    os.environ.get("ACCESS_LOG_RETENTION_DAYS", retention.ACCESS_LOG_RETENTION_DAYS)
)
if ACCESS_LOG_RETENTION_DAYS < retention.ACCESS_LOG_RETENTION_MIN_DAYS:
    raise ImproperlyConfigured(
        f"ACCESS_LOG_RETENTION_DAYS must be at least {retention.ACCESS_LOG_RETENTION_MIN_DAYS}."
    )
# The waits before each retry of an invitation the mail server did not take (1, 5 and 15 minutes,
# then 1, 3 and 12 hours: 7 tries over about 16 hours); then the physio sees "could not be sent".
# INVITATION_RETRY_SECONDS scales the minute (tests use 1 s).
_RETRY_UNIT = int(os.environ.get("INVITATION_RETRY_SECONDS", "60"))
INVITATION_RETRY_DELAYS = [n * _RETRY_UNIT for n in (1, 5, 15, 60, 180, 720)]
# A reminder e-mail the mail server did not take is tried again after 1, 5 and 15 minutes, never
# later than two hours after its time (reminders/rules.py).
REMINDER_RETRY_DELAYS = [n * _RETRY_UNIT for n in (1, 5, 15)]
# Web push for the reminders (reminders/push.py): the server's VAPID key pair (base64url: the
# public key as the browser takes it, the private key's 32 bytes) and a contact for the push
# services (mailto: or https:). Without a key pair the page offers e-mail only. `make run`
# (DEBUG) writes a development pair once to vapid-dev.json (git-ignored).
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:noreply@localhost")
if DEBUG and not (VAPID_PUBLIC_KEY or VAPID_PRIVATE_KEY):
    VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = read_dev_keys(BASE_DIR / "vapid-dev.json")

# No inline scripts or styles anywhere: every script and stylesheet is a vendored static file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    # The app on the phone (hipcare/pwa.py): its manifest and its service worker, both our own.
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
}

# Permissions-Policy: the browser features no page of hipcare uses are denied to every page and
# frame. Left at the browser's default ('self'): fullscreen, screen wake lock, web share and
# WebAuthn, which an exercise video, a timer or a passkey may use later.
PERMISSIONS_POLICY_DENY = [
    "accelerometer",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The lock-out counts per client address: the one the proxy appended to X-Forwarded-For.
    AXES_CLIENT_IP_CALLABLE = "hipcare.lockout.forwarded_client_address"
# /healthz is probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
