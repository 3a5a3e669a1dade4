"""Two factors: a time-based code (TOTP, django-otp) after the password, with recovery codes.

Physios and staff must pass it before any page; a patient may opt in, and then must pass it too.
"""

import base64
import io

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
APP_DEVICE, RECOVERY_DEVICE = "app", "recovery"
# Set at log-in, so the gate on every page costs no query for a patient without an app.
SESSION_FLAG = "second_factor_required"


def required_for(user) -> bool:
    """Physios and staff always; a patient who set it up."""
    if not user.is_authenticated:
        return False
    if user.is_physio or user.is_clinic_admin or user.is_staff:
        return settings.REQUIRE_SECOND_FACTOR
    return has_app(user)


@receiver(user_logged_in)
def _remember_requirement(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = required_for(user)


def blocks(request) -> bool:
    """The signed-in user still owes the second factor in this session."""
    user = request.user
    if not user.is_authenticated:
        return False
    required = request.session.get(SESSION_FLAG)
    if required is None:  # a session from before this rule, or force_login in a test
        required = required_for(user)
        request.session[SESSION_FLAG] = required
    return required and not passed(user)


def has_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def passed(user) -> bool:
    """The user has entered a code in this session (django_otp.middleware sets is_verified)."""
    return getattr(user, "is_verified", lambda: False)()


def pending_app(user) -> TOTPDevice:
    """The authenticator being set up: made once, confirmed by the first code it shows."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=APP_DEVICE).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def secret(device) -> str:
    """The key as an authenticator app expects it typed in (base32, in groups of four)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device) -> str:
    """The otpauth link as an SVG QR code, inline (the CSP allows data: images only)."""
    import segno

    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@transaction.atomic
def confirm_app(*, device, token) -> list[str] | None:
    """Confirms a pending authenticator with its first code; returns fresh recovery codes.
    Any earlier authenticator of the user is replaced."""
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Ten single-use codes for a lost phone; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def match(user, token):
    """The confirmed device that accepts the code (an app code or a recovery code), or None."""
    token = "".join(token.split())
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None
