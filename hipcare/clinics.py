"""Clinic writes and reads: who works where, who treats whom, who covers for whom.

Physios of a clinic may open every patient of the clinic (User.objects.patients_for); these
services change who *treats* a patient (a takeover by a colleague, a handover by the clinic
admin) and who covers for an absent colleague, and record each change.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hipcare import audit
from hipcare.models import CLINIC_ADMIN, PHYSIO, Clinic, Cover, Handover, Membership, User

# A cover is for an absence, not a transfer: longer than this, take the patients over instead.
COVER_DAYS_MAX = 92

NOT_A_COLLEAGUE = _("Choose a physiotherapist who works at the patient's clinic.")


def clinics_of(user, role=PHYSIO):
    return Clinic.objects.filter(pk__in=Membership.objects.clinics_of(user, role))


def works_at(user, clinic, role=PHYSIO) -> bool:
    """Whether the user now works at the clinic (a Clinic or its id) in this role."""
    clinic_id = getattr(clinic, "pk", clinic)
    if clinic_id is None:
        return False
    return Membership.objects.current().filter(user=user, clinic_id=clinic_id, role=role).exists()


def colleagues(physio):
    """The other active physios at the clinics where this physio works."""
    return (
        User.objects.physios()
        .filter(
            memberships__clinic__in=Membership.objects.clinics_of(physio, PHYSIO),
            memberships__role=PHYSIO,
            memberships__is_active=True,
        )
        .exclude(pk=physio.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def covered_physio_ids(physio, day=None):
    """The colleagues this physio covers for today, as a subquery."""
    day = day or timezone.localdate()
    return Cover.objects.on(day).filter(covering=physio).values("absent_id")


def my_patients(physio, day=None):
    """The caseload's own list: patients the physio treats, and those of colleagues they cover
    for today, at clinics where they work now."""
    return User.objects.patients_for(physio).filter(
        Q(physio=physio) | Q(physio__in=covered_physio_ids(physio, day))
    )


@transaction.atomic
def handover(*, patient, to_physio, by, kind=Handover.Kind.TAKEOVER) -> Handover:
    """The patient's treating physio becomes `to_physio`, recorded with who did it."""
    patient = User.objects.select_for_update().get(pk=patient.pk, role=User.Role.PATIENT)
    if not works_at(to_physio, patient.clinic_id):
        raise ValidationError(NOT_A_COLLEAGUE)
    if patient.physio_id == to_physio.pk:
        raise ValidationError(_("%(name)s already treats this patient.") % {"name": to_physio})
    record = Handover.objects.create(
        patient=patient, from_physio_id=patient.physio_id, to_physio=to_physio, by=by, kind=kind
    )
    patient.physio = to_physio
    patient.save(update_fields=["physio"])
    audit.record(by, patient, audit.What.CARE, audit.Action.CHANGE)
    return record


def take_over(*, patient, physio) -> Handover:
    """A physio becomes the treating physio of a patient of their clinic."""
    return handover(patient=patient, to_physio=physio, by=physio, kind=Handover.Kind.TAKEOVER)


@transaction.atomic
def cover_start(*, covering, absent, starts_on, ends_on) -> Cover:
    """`covering` sees `absent`'s patients in their caseload from `starts_on` to `ends_on`."""
    if covering.pk == absent.pk:
        raise ValidationError({"absent": _("You cannot cover for yourself.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The cover cannot end before it starts.")})
    if (ends_on - starts_on).days + 1 > COVER_DAYS_MAX:
        raise ValidationError(
            {"ends_on": _("A cover lasts at most %(days)s days.") % {"days": COVER_DAYS_MAX}}
        )
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The cover must end today or later.")})
    shared = (
        Membership.objects.current()
        .filter(
            user=absent, role=PHYSIO, clinic__in=Membership.objects.clinics_of(covering, PHYSIO)
        )
        .values_list("clinic_id", flat=True)
        .first()
    )
    if shared is None:
        raise ValidationError({"absent": NOT_A_COLLEAGUE})
    cover = Cover(
        clinic_id=shared, covering=covering, absent=absent, starts_on=starts_on, ends_on=ends_on
    )
    cover.full_clean()
    cover.save()
    return cover


@transaction.atomic
def cover_end(*, cover) -> Cover:
    """Ends a cover today (the absent colleague is back)."""
    today = timezone.localdate()
    cover.ends_on = max(cover.starts_on, today - datetime.timedelta(days=1))
    if cover.starts_on >= today:
        cover.delete()
        return cover
    cover.save(update_fields=["ends_on"])
    return cover


@transaction.atomic
def physio_deactivate(*, clinic, physio, hand_to, by):
    """The clinic admin ends a physio's work at the clinic: their patients there go to
    `hand_to` (recorded as handovers), and the account closes when they work nowhere else."""
    if not works_at(by, clinic, CLINIC_ADMIN):
        raise ValidationError(_("You are not an admin of this clinic."))
    membership = Membership.objects.select_for_update().get(clinic=clinic, user=physio, role=PHYSIO)
    patients = list(User.objects.filter(role=User.Role.PATIENT, clinic=clinic, physio=physio))
    if patients:
        if hand_to is None or hand_to.pk == physio.pk or not works_at(hand_to, clinic):
            raise ValidationError({"hand_to": NOT_A_COLLEAGUE})
        for patient in patients:
            handover(patient=patient, to_physio=hand_to, by=by, kind=Handover.Kind.HANDOVER)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    today = timezone.localdate()
    covers = Cover.objects.filter(Q(covering=physio) | Q(absent=physio), clinic=clinic)
    covers.filter(starts_on__gt=today).delete()
    covers.filter(ends_on__gt=today).update(ends_on=today)
    if not Membership.objects.filter(user=physio, is_active=True).exists():
        physio.is_active = False
        physio.save(update_fields=["is_active"])
    return len(patients)
