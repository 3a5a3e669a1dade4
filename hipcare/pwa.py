"""hipcare as an app on the phone (issue 17): the web app manifest, the service worker and its
offline page, and a log-out that clears what the browser kept of the account.

The service worker (static/js/sw.js, served at /sw.js so that it may control every page) keeps
the static files, the exercise pictures and the patient's own pages (today's checklist, the
program) for use without a network; static/js/offline.js keeps the ticks and answers made
offline and sends them when the network is back (plans/offline.py)."""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

# The brand colour (--hc-accent in static/css/hipcare.css): the phone's title bar and splash.
THEME_COLOUR = "#0b6e4f"
BACKGROUND_COLOUR = "#ffffff"
# (file under static/, size, purpose). The maskable icon keeps its drawing inside the safe zone.
ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]
APPLE_TOUCH_ICON = "icons/apple-touch-icon.png"
# The static files every page uses, kept when the service worker is installed, so that the first
# page opened offline has its styles and scripts (others are kept as pages load them).
PRECACHE = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "css/hipcare.css",
    "js/hipcare.js",
    "js/offline.js",
    "icons/icon-192.png",
]
# The patient's pages the service worker keeps, the last good copy, for use offline.
OFFLINE_PAGES = ["plans:today", "plans:my-program"]
# Exercise pictures: their URLs name their digest, so a copy never goes stale.
PICTURES_PREFIX = "/catalogue/pictures/"
SERVICE_WORKER_FILE = "js/sw.js"


def device_key(user):
    """A name for the account in this browser's storage (offline.js keeps each account's unsent
    changes apart; the service worker drops pages kept for another account). Not its id."""
    return salted_hmac("hipcare.pwa.device_key", str(user.pk), algorithm="sha256").hexdigest()[:20]


@require_safe
def manifest(request):
    """The web app manifest, in the visitor's language. "/" opens each role's own start page
    (a patient's is today's session, which works offline)."""
    data = {
        "id": "/",
        "name": "hipcare",
        "short_name": "hipcare",
        "description": _(
            "Your hip exercise program: today's session, your progress and your "
            "physiotherapist's advice."
        ),
        "lang": get_language(),
        "dir": "ltr",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["health", "medical", "fitness"],
        "icons": [
            {"src": static(name), "sizes": size, "type": "image/png", "purpose": purpose}
            for name, size, purpose in ICONS
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _worker_source():
    """static/js/sw.js as collected (production) or in the source tree (development, tests)."""
    path = finders.find(SERVICE_WORKER_FILE)
    if path:
        with open(path, encoding="utf-8") as file:
            return file.read()
    with staticfiles_storage.open(SERVICE_WORKER_FILE) as file:
        return file.read().decode("utf-8")


def _worker_script():
    source = _worker_source()
    config = {
        "precache": [static(name) for name in PRECACHE],
        "offline": reverse("offline"),
        "pages": [reverse(name) for name in OFFLINE_PAGES],
        "home": reverse("home"),
        "staticPrefix": static(""),
        # Hashed names (production's manifest storage): a static file's URL never changes content.
        "hashedStatic": isinstance(staticfiles_storage, ManifestFilesMixin),
        "picturesPrefix": PICTURES_PREFIX,
        "icon": static(ICONS[0][0]),
    }
    # A new version whenever the worker or a file it keeps changes (hashed names in production):
    # the browser installs it, and it drops the caches of the old one.
    digest = hashlib.sha256((source + json.dumps(config, sort_keys=True)).encode()).hexdigest()
    config["version"] = digest[:12]
    return f"const HIPCARE = {json.dumps(config)};\n{source}"


_cached_worker_script = lru_cache(maxsize=1)(_worker_script)


@require_safe
def service_worker(request):
    """The service worker's script, at the root so that it may control every page. Never kept
    stale: no-cache (the browser asks each time whether it changed), and no-store like every
    page (NoStoreMiddleware)."""
    script = _worker_script() if settings.DEBUG else _cached_worker_script()
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    patch_cache_control(response, no_cache=True)
    return response


@require_safe
def offline_page(request):
    """What the service worker shows for a page that needs the network (no user, no data)."""
    return render(request, "offline.html", {"theme_colour": THEME_COLOUR})


class LogoutView(auth_views.LogoutView):
    """Django's log-out. What the phone kept of the account (the pages the service worker kept,
    the changes waiting to be sent) is cleared by offline.js before it posts the log-out, after
    asking when changes made offline are not sent yet; the service worker drops the kept pages
    when another account signs in. No `Clear-Site-Data` header: Chromium can hang the log-out's
    navigation for a long time while it clears (crbug.com/40233601), with the phone in hand."""
