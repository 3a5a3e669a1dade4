"""Session hygiene and behaviour under faults (issue 13): response headers, the idle time-out for
physios and staff, and a short 503 page while the database is unreachable."""

import logging
import sys
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import ngettext
from django.views import defaults

logger = logging.getLogger(__name__)

# The database errors that mean "not reachable right now" (stopped, restarting, connection lost).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
LAST_ACTIVITY_KEY = "hipcare_last_activity"
# The last activity is written at most this often, so a page view is not a session write.
ACTIVITY_RESOLUTION_SECONDS = 60


def log_database_unavailable(request, error):
    """One line per request, without the traceback (a restart would log megabytes of them)."""
    first_line = str(error).strip().split("\n", 1)[0]
    logger.error(
        "Database unavailable, answered 503: %s %s (%s: %s)",
        request.method,
        request.path,
        type(error).__name__,
        first_line,
    )


def database_unavailable(request, error):
    """A short translated page, rendered without the database, the session or the user."""
    log_database_unavailable(request, error)
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(
        request
    )
    with translation.override(language):
        page = render_to_string("503.html", {"LANGUAGE_CODE": translation.get_language()})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True, private=True)
    response._has_been_logged = True  # Django's request log would add the traceback
    return response


def server_error(request):
    """handler500: a database outage that surfaced outside a view (a middleware, the 404 page's
    menu) answers 503 like any other page; everything else is a 500 as before."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable(request, error)
    return defaults.server_error(request)


class DatabaseUnavailableMiddleware:
    """The user and the session are loaded lazily, so the first query of a request may run in the
    view or while its template renders: both reach process_exception."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(request, exception)
        return None


class PermissionsPolicyMiddleware:
    """Denies the browser features hipcare does not use, on every response (static files too)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


def keep_cache_control(response):
    """Marks a response whose own Cache-Control NoStoreMiddleware leaves alone: only for content
    that is never health data (an exercise picture at a URL that names its digest)."""
    response.hipcare_keep_cache_control = True
    return response


class NoStoreMiddleware:
    """Pages may show health data: no browser or proxy keeps a copy (the back button after
    sign-out, a shared computer). Static files are served before this and stay cacheable, and so
    does a response marked with keep_cache_control."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, "hipcare_keep_cache_control", False):
            patch_cache_control(response, no_store=True, private=True)
        elif response.cookies:  # a session write: no shared cache may keep someone's cookie
            patch_cache_control(response, private=True)
        return response


def uses_idle_timeout(user):
    """Physios and staff; patients stay signed in on their own phone."""
    return user.is_authenticated and not user.is_patient


def start_idle_clock(sender, request, user, **kwargs):
    """At log-in (user_logged_in): the session of a physio or staff member lasts the idle time."""
    if uses_idle_timeout(user) and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())
        request.session.set_expiry(settings.SESSION_IDLE_TIMEOUT)


class IdleTimeoutMiddleware:
    """Signs physios and staff out after SESSION_IDLE_TIMEOUT seconds without a request; the
    request then goes on as anonymous, so the page asks them to log in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self.check(request)
        except DATABASE_UNAVAILABLE as error:  # the user is loaded here, before any view
            return database_unavailable(request, error)
        return self.get_response(request)

    def check(self, request):
        if not uses_idle_timeout(request.user):
            return
        timeout = settings.SESSION_IDLE_TIMEOUT
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY_KEY)
        if isinstance(last, int) and now - last > timeout:
            logout(request)
            minutes = timeout // 60
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)d minute without activity.",
                    "You were signed out after %(minutes)d minutes without activity.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        elif not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION_SECONDS:
            request.session[LAST_ACTIVITY_KEY] = now
            request.session.set_expiry(timeout)
