"""Account writes: patients added by their physio, and the invitation to choose a password.

Like every service: atomic, keyword arguments, full_clean() before save.

The invitation goes through an outbox: the request saves an Invitation row and queues a task in
the same transaction (django-tasks-db keeps the task in the database); the worker
(`manage.py db_worker`) runs invitation_deliver, which makes the one-time link and sends it. The
link reaches only the patient: it is never stored, returned or shown to the physio.
"""

import datetime
import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hipcare.models import (
    PHYSIO,
    Clinic,
    ErasureRequest,
    Invitation,
    Membership,
    StartCode,
    User,
    normalise_email,
    normalise_username,
)

logger = logging.getLogger(__name__)

ACCOUNT_CLOSED = gettext_lazy("%(name)s's account is closed.")


def account_closed(user) -> bool:
    """Closed accounts get no e-mail and no new way in: deactivated, or asked to be erased
    (hipcare/erasure.py)."""
    return not user.is_active or ErasureRequest.objects.filter(patient=user).exists()


def _free_username(name):
    """A valid, unused username from the e-mail (or, without one, the name), normalised as every
    username is stored."""
    base = re.sub(r"[^\w.@+-]", "_", normalise_username(name))[:140] or "patient"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def patient_invite(
    *,
    physio,
    first_name,
    last_name,
    email,
    condition,
    affected_side,
    base_url,
    date_of_birth=None,
    clinic=None,
) -> User:
    """Creates a patient with no password and queues their invitation, both or neither; they
    choose a password through the link in the e-mail (base_url: where the link points). The
    patient joins the clinic named (one where the physio works), else the physio's first.

    Without an e-mail address nothing is queued: the physio starts the account in the clinic
    (start_code_create), which needs the date of birth."""
    clinics = Clinic.objects.filter(pk__in=Membership.objects.clinics_of(physio, PHYSIO))
    clinic = clinics.filter(pk=clinic.pk).first() if clinic else clinics.order_by("pk").first()
    if clinic is None:
        raise ValidationError(NOT_AT_CLINIC)
    email = normalise_email(email)
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": EMAIL_NOT_USABLE})
    if not email and date_of_birth is None:
        raise ValidationError({"date_of_birth": START_NEEDS_BIRTH_DATE})
    patient = User(
        username=_free_username(email or f"{first_name.strip()}.{last_name.strip()}"),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=User.Role.PATIENT,
        physio=physio,
        clinic=clinic,
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
        raise ValidationError({"email": EMAIL_NOT_USABLE}) from error
    if email:
        invitation_queue(patient=patient, base_url=base_url)
    return patient


def invitation_path(patient) -> str:
    """A one-time link: the token dies when the password is set, or after PASSWORD_RESET_TIMEOUT.
    Only the worker calls this, to put the link in the patient's e-mail."""
    uid = urlsafe_base64_encode(force_bytes(patient.pk))
    token = default_token_generator.make_token(patient)
    return reverse("invite-accept", args=[uid, token])


@transaction.atomic
def invitation_queue(*, patient, base_url) -> Invitation:
    """Queues the invitation e-mail (again, for a resend): the row and the task commit together.
    `patient` is the invited account: a patient, or a physio invited by a clinic admin.

    The e-mail is written in the language active now (the physio's), as it was when the request
    sent it itself.
    """
    from hipcare.tasks import invitation_deliver_task  # the task module imports this one

    # One resend at a time per patient (a double click): the second waits, then re-queues.
    patient = User.objects.select_for_update().get(pk=patient.pk)
    if account_closed(patient):
        raise ValidationError(ACCOUNT_CLOSED % {"name": patient})
    if patient.has_usable_password():
        raise ValidationError(_("%(name)s has already set a password.") % {"name": patient})
    if not patient.email:
        raise ValidationError(_("%(name)s has no e-mail address.") % {"name": patient})
    now = timezone.now()
    invitation, _created = Invitation.objects.update_or_create(
        patient=patient,
        defaults={"queued_at": now, "sent_at": None, "attempts": 0, "retry_at": None,
                  "last_error": ""},
    )  # fmt: skip
    invitation_deliver_task.enqueue(
        invitation_id=invitation.pk,
        queued_at=now.isoformat(),
        base_url=base_url,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return invitation


def invitation_deliver(*, invitation_id, queued_at, base_url, language) -> str:
    """The worker's side: sends one queued invitation; returns what happened, in a word.

    A mail failure is recorded on the invitation (for the physio's page) and retried after the
    next of INVITATION_RETRY_DELAYS; after the last it gives up. A task left over from before a
    resend, or for a patient who has chosen a password since, does nothing.
    """
    from hipcare.tasks import invitation_deliver_task

    current = Invitation.objects.filter(pk=invitation_id, queued_at=queued_at, sent_at=None)
    invitation = current.select_related("patient__physio").first()
    if invitation is None or invitation.patient.has_usable_password():
        return "superseded"
    if account_closed(invitation.patient):  # deactivated, or asked to be erased: no e-mail
        return "closed"
    patient = invitation.patient
    link = base_url.rstrip("/") + invitation_path(patient)
    context = {"patient": patient, "link": link, "physio": patient.physio}
    # A physio invited by a clinic admin (physio_invite) reads about their clinic, not a program.
    template = "hipcare/email/invitation.txt"
    if patient.is_physio:
        template = "hipcare/email/invitation_physio.txt"
        context["clinics"] = list(
            Membership.objects.filter(user=patient, role=PHYSIO, is_active=True)
            .order_by("clinic__name")
            .values_list("clinic__name", flat=True)
        )
    try:
        with translation.override(language):
            send_mail(
                subject=_("Your hipcare account")
                if patient.is_physio
                else _("Your hipcare exercise program"),
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=[patient.email],
            )
    except Exception as error:  # the mail server down, refusing, timing out: all are retried
        attempts = invitation.attempts + 1
        delays = settings.INVITATION_RETRY_DELAYS
        retry_at = None
        if attempts <= len(delays):
            retry_at = timezone.now() + datetime.timedelta(seconds=delays[attempts - 1])
        logger.warning(
            "Invitation %s: try %s failed (%s: %s); %s",
            invitation_id,
            attempts,
            type(error).__name__,
            error,
            f"retrying at {retry_at.isoformat()}" if retry_at else "giving up",
        )
        with transaction.atomic():
            recorded = current.update(
                attempts=attempts,
                retry_at=retry_at,
                last_error=f"{type(error).__name__}: {error}"[:300],
            )
            if recorded and retry_at is not None:
                invitation_deliver_task.using(run_after=retry_at).enqueue(
                    invitation_id=invitation_id,
                    queued_at=queued_at,
                    base_url=base_url,
                    language=language,
                )
        return "retrying" if retry_at else "failed"
    current.update(
        sent_at=timezone.now(), attempts=invitation.attempts + 1, retry_at=None, last_error=""
    )
    return "sent"


# In-clinic start: a short code the physio hands to the patient on paper; the patient types it
# with their date of birth on the start page and chooses a password themselves.

# No 0/O, 1/I/L: easy to read aloud and to type from paper. 31 ** 8 codes, about 40 bits.
START_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
START_CODE_LENGTH = 8


# The same answer whoever holds the address (another clinic's patient, a physio): a physio
# learns nothing about accounts that are not theirs.
NOT_AT_CLINIC = gettext_lazy("You do not work at this clinic.")
EMAIL_NOT_USABLE = gettext_lazy(
    "This e-mail address cannot be used for a new patient. Check it, or leave it empty and "
    "start the account with the patient in the clinic."
)
START_NEEDS_BIRTH_DATE = gettext_lazy(
    "The in-clinic start needs the patient's date of birth on record."
)
# The one answer for every code that does not work: wrong, expired, used, locked, or the wrong
# date of birth. It never says which.
START_CODE_REFUSED = gettext_lazy(
    "That did not work. Check the code and your date of birth, or ask your physiotherapist "
    "for a new code."
)


def start_code_normalise(typed) -> str:
    """What the patient typed, as it was made: capitals, without spaces or dashes."""
    return re.sub(r"[\s-]", "", typed or "").upper()


def start_code_hash(code) -> str:
    """The code as stored: a password hash (make_password, the default hasher), with one salt for
    all codes, derived from SECRET_KEY, so that the typed code finds its row with one hash, not
    one per waiting code. Per-password salts stop precomputed tables against passwords kept for
    years; a code lives START_CODE_VALID_SECONDS, and the salt is secret. The default hasher must
    take the salt it is given (PBKDF2, Argon2 and scrypt do; bcrypt does not)."""
    salt = salted_hmac("hipcare.accounts.start_code_hash", "salt", algorithm="sha256").hexdigest()[
        :22
    ]
    return make_password(start_code_normalise(code), salt)


def start_code_display(code) -> str:
    """Grouped for reading aloud: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def start_code_create(*, physio, patient) -> tuple[StartCode, str]:
    """A new start code for a patient of this physio who has not chosen a password yet; it
    replaces any earlier one. Returns the row and the plain code, which is stored nowhere: the
    caller shows it once, to the physio, for the patient."""
    patient = User.objects.select_for_update().get(pk=patient.pk)
    if not User.objects.patients_for(physio).filter(pk=patient.pk).exists():
        raise ValidationError(_("This is not a patient of your clinic."))
    if account_closed(patient):
        raise ValidationError(ACCOUNT_CLOSED % {"name": patient})
    if patient.has_usable_password():
        raise ValidationError(_("%(name)s has already set a password.") % {"name": patient})
    # With an e-mail address the invitation link, which only the patient reads, starts the
    # account: a code the physio sees must not compete with it.
    if patient.email:
        raise ValidationError(
            _("%(name)s has an e-mail address: the invitation starts the account.")
            % {"name": patient}
        )
    if patient.date_of_birth is None:
        raise ValidationError(START_NEEDS_BIRTH_DATE)
    now = timezone.now()
    for _try in range(5):  # two waiting codes alike: about one in 10**12
        code = "".join(secrets.choice(START_CODE_ALPHABET) for _i in range(START_CODE_LENGTH))
        code_hash = start_code_hash(code)
        if not StartCode.objects.filter(code_hash=code_hash).exclude(patient=patient).exists():
            break
    row, _created = StartCode.objects.update_or_create(
        patient=patient,
        defaults={"code_hash": code_hash, "created_by": physio, "created_at": now,
                  "expires_at": now + datetime.timedelta(seconds=settings.START_CODE_VALID_SECONDS),
                  "used_at": None, "failures": 0},
    )  # fmt: skip
    return row, code


def start_code_check(*, code, date_of_birth):
    """The patient the code and date of birth mean, or None; the caller says only that it did not
    work, never which part. A wrong date of birth with a real code counts against that code,
    which locks at START_CODE_FAILURE_LIMIT, even for the right answer after that."""
    code = start_code_normalise(code)
    if len(code) != START_CODE_LENGTH or set(code) - set(START_CODE_ALPHABET):
        return None
    row = (
        StartCode.objects.select_related("patient")
        .filter(code_hash=start_code_hash(code), used_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if row is None or row.failures >= settings.START_CODE_FAILURE_LIMIT:
        return None
    if account_closed(row.patient):
        return None
    if row.patient.date_of_birth != date_of_birth or row.patient.has_usable_password():
        StartCode.objects.filter(pk=row.pk).update(failures=models.F("failures") + 1)
        return None
    return row.patient


@transaction.atomic
def start_code_use(*, code, date_of_birth, password) -> User:
    """Sets the patient's password and uses the code up, once: a second use (a double submit)
    finds it used. Raises ValidationError when the code no longer works."""
    patient = start_code_check(code=code, date_of_birth=date_of_birth)
    row = (
        patient
        and StartCode.objects.select_for_update()
        .filter(patient=patient, code_hash=start_code_hash(code), used_at=None)
        .first()
    )
    if not row:
        raise ValidationError(START_CODE_REFUSED)
    patient.set_password(password)
    patient.save(update_fields=["password"])
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return patient


# Physios, invited (and taken back on) by a clinic admin. The invitation goes through the same
# outbox as a patient's (invitation_queue, invitation_deliver), worded for a physio; after
# choosing the password the physio sets up the second factor (two_factor: physios must pass it).

NOT_CLINIC_ADMIN = gettext_lazy("You are not an admin of this clinic.")
PHYSIO_EMAIL_NOT_USABLE = gettext_lazy(
    "This e-mail address cannot be invited. If the physiotherapist already uses hipcare at another "
    "clinic, ask hipcare's support to add them to yours; otherwise check the address."
)


class PhysioInvite(models.TextChoices):
    """What physio_invite did, for the clinic admin's message."""

    INVITED = "invited"  # a new account; the invitation is queued
    INVITED_AGAIN = "again"  # an account that has not chosen a password yet; queued again
    JOINED = "joined"  # a physio who worked here before is back; nothing is sent


def _clinic_admin_check(by, clinic):
    admins = Membership.objects.current().filter(role=Membership.Role.ADMIN)
    if not admins.filter(user=by, clinic=clinic).exists():
        raise ValidationError(NOT_CLINIC_ADMIN)


@transaction.atomic
def physio_invite(
    *, clinic, by, first_name, last_name, email, base_url
) -> tuple[User, PhysioInvite]:
    """A physio joins the clinic. An existing physio account with this e-mail (working at another
    clinic, or once here) gets a membership here and no e-mail: they log in as before, and a
    closed account opens again. Otherwise a physio account without a password is made and the
    invitation queued; the names typed are used for a new account only."""
    _clinic_admin_check(by, clinic)
    email = normalise_email(email)
    if not email:
        raise ValidationError({"email": _("Enter the physiotherapist's e-mail address.")})
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None:
        # Only someone who worked here before comes back this way. Any other account (a patient,
        # a physio of another clinic) gets the same answer, which says nothing of who it is, and
        # nobody joins a clinic without knowing: hipcare's staff add a physio to a second clinic.
        membership = Membership.objects.filter(
            clinic=clinic, user=existing, role=Membership.Role.PHYSIO
        ).first()
        if membership is None or existing.role != User.Role.PHYSIO:
            raise ValidationError({"email": PHYSIO_EMAIL_NOT_USABLE})
        created = False
        pending = not existing.has_usable_password()
        if not created and membership.is_active and existing.is_active and not pending:
            raise ValidationError(
                {"email": _("%(name)s already works at this clinic.") % {"name": existing}}
            )
        if not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        if not existing.is_active:
            existing.is_active = True
            existing.save(update_fields=["is_active"])
        if pending:
            invitation_queue(patient=existing, base_url=base_url)
            return existing, PhysioInvite.INVITED_AGAIN
        return existing, PhysioInvite.JOINED
    physio = User(
        username=_free_username(email),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=User.Role.PHYSIO,
    )
    physio.set_unusable_password()
    physio.full_clean()
    try:
        with transaction.atomic():
            physio.save()
    except IntegrityError as error:  # a concurrent invite with the same e-mail
        raise ValidationError({"email": PHYSIO_EMAIL_NOT_USABLE}) from error
    membership = Membership(clinic=clinic, user=physio, role=Membership.Role.PHYSIO)
    membership.full_clean()
    membership.save()
    invitation_queue(patient=physio, base_url=base_url)
    return physio, PhysioInvite.INVITED


@transaction.atomic
def physio_reactivate(*, clinic, physio, by) -> bool:
    """Undoes clinics.physio_deactivate: the physio works at the clinic again, and their account
    opens if it was closed. Patients handed over stay with their new physio. False when the
    physio was still active here (a double submit)."""
    _clinic_admin_check(by, clinic)
    membership = Membership.objects.select_for_update().get(
        clinic=clinic, user=physio, role=Membership.Role.PHYSIO
    )
    if membership.is_active:
        return False
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    if not physio.is_active:
        physio.is_active = True
        physio.save(update_fields=["is_active"])
    return True


@transaction.atomic
def user_set_large_text(*, user, large_text: bool) -> User:
    """Larger text on every page for this account (base.html), or back to the normal size."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.large_text != large_text:
        user.large_text = large_text
        user.full_clean(exclude=["password"])
        user.save(update_fields=["large_text"])
    return user
