"""Web push: checking the subscription a browser posts, and sending one message to it.

The message is encrypted for the browser (aes128gcm, RFC 8291) and signed with the server's VAPID
key (RFC 8292) by pywebpush. Its data is JSON the service worker shows as a notification:
{"title": ..., "body": ..., "url": "/today/"}. No health data goes in it.
"""

import base64
import binascii
import ipaddress
import json
import logging
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Seconds the push service keeps a message for a phone that is off: a reminder is about today.
PUSH_TTL_SECONDS = 4 * 60 * 60
PUSH_TIMEOUT_SECONDS = 10
ENDPOINT_MAX_LENGTH = 1000
# A push service answers these when the subscription is gone: it is deleted.
GONE_STATUSES = {404, 410}
# *product rule*: the phones one patient keeps for notifications; subscribing one more forgets the
# one subscribed longest ago. Each phone costs the worker a request at every reminder.
MAX_PHONES = 5
# A key as the browser's PushSubscription.toJSON() writes it: base64url, unpadded (padding allowed).
B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")

SUBSCRIPTION_INVALID = _("This phone's notification subscription could not be read.")


def available() -> bool:
    """The server has a VAPID key pair: only then is the push channel offered."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def _b64url_bytes(value) -> bytes:
    # Strictly the alphabet: base64 would skip other characters, and a key decoding to the right
    # length could be far longer than its column.
    if not isinstance(value, str) or len(value) > 200 or not B64URL.fullmatch(value):
        raise ValueError
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _public_host(host: str) -> bool:
    """A push service is a named host on the internet, never this server or a private network.
    Only the name is checked here; send() checks the addresses it resolves to."""
    host = host.rstrip(".")  # "localhost." is localhost
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return False
    try:
        socket.inet_aton(host)  # an IPv4 address written short: 127.1, 0x7f.1, 0177.0.0.1
    except (OSError, ValueError):
        return "." in host
    return False


def resolves_to_public(host: str) -> bool:
    """Every address the push service's name resolves to is a public one (not loopback, private,
    link-local, …): a public-looking name may point at this server's network."""
    try:
        infos = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
        addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    except (OSError, UnicodeError, ValueError):
        return False
    return bool(addresses) and all(address.is_global for address in addresses)


def parse_subscription(data) -> dict:
    """The fields kept from a browser's PushSubscription JSON, checked: an https endpoint on a
    public host, a P-256 public key (65 bytes, uncompressed) and a 16-byte auth secret. Raises
    ValidationError."""
    try:
        endpoint = data["endpoint"]
        keys = data["keys"]
        p256dh, auth = keys["p256dh"], keys["auth"]
        if not isinstance(endpoint, str) or len(endpoint) > ENDPOINT_MAX_LENGTH:
            raise ValueError
        parts = urlsplit(endpoint)
        if parts.scheme != "https" or not _public_host(parts.hostname or ""):
            raise ValueError
        point = _b64url_bytes(p256dh)
        if len(point) != 65 or point[0] != 4 or len(_b64url_bytes(auth)) != 16:
            raise ValueError
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise ValidationError(SUBSCRIPTION_INVALID, code="subscription") from error
    return {"endpoint": endpoint, "p256dh": p256dh, "auth": auth}


def send(subscription, payload: dict) -> bool:
    """Sends one message; True when the push service took it. A subscription the service says is
    gone (404, 410) is deleted; any other failure is logged and left for the next reminder.
    Nothing goes to a name that resolves to a non-public address, and no redirect is followed
    (a name may still be re-pointed between the check and the request: the check narrows what a
    patient's endpoint can reach, it is no firewall)."""
    import requests
    from pywebpush import WebPushException, webpush

    if not resolves_to_public(urlsplit(subscription.endpoint).hostname or ""):
        logger.warning("Push to subscription %s refused: not a public address", subscription.pk)
        return False
    session = requests.Session()
    session.max_redirects = 0  # a redirect raises TooManyRedirects: a failure, not followed
    try:
        webpush(
            subscription_info=subscription.info(),
            requests_session=session,
            data=json.dumps(payload),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=PUSH_TTL_SECONDS,
            timeout=PUSH_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        if error.status_code in GONE_STATUSES:
            subscription.delete()
            return False
        logger.warning("Push to subscription %s failed: %s", subscription.pk, error.status_code)
        return False
    except Exception as error:  # the push service unreachable, timing out
        logger.warning("Push to subscription %s failed: %s", subscription.pk, type(error).__name__)
        return False
    finally:
        session.close()
    return True
