"""Account writes: patients added by their physio, and the invitation to choose a password.

Like every service: atomic, keyword arguments, full_clean() before save.
"""

import re

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from hipcare.models import User


def _free_username(email):
    """A valid, unused username from the e-mail (people log in with it; the e-mail stays as typed)."""
    base = re.sub(r"[^\w.@+-]", "_", email.lower())[:140] or "patient"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def patient_invite(
    *, physio, first_name, last_name, email, condition, affected_side, date_of_birth=None
) -> User:
    """Creates a patient with no password; they choose one through the invitation link."""
    email = email.strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    patient = User(
        username=_free_username(email),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=User.Role.PATIENT,
        physio=physio,
        condition=condition,
        affected_side=affected_side,
        date_of_birth=date_of_birth,
    )
    patient.set_unusable_password()
    patient.full_clean()
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as error:  # a concurrent add with the same e-mail
        raise ValidationError(
            {"email": _("A user with this e-mail address already exists.")}
        ) from error
    return patient


def invitation_path(patient) -> str:
    """A one-time link: the token dies when the password is set, or after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(patient.pk))
    token = default_token_generator.make_token(patient)
    return reverse("invite-accept", args=[uid, token])


def invitation_send(*, patient, base_url) -> str:
    link = base_url.rstrip("/") + invitation_path(patient)
    context = {"patient": patient, "link": link, "physio": patient.physio}
    send_mail(
        subject=_("Your hipcare exercise program"),
        message=render_to_string("hipcare/email/invitation.txt", context),
        from_email=None,
        recipient_list=[patient.email],
    )
    return link
