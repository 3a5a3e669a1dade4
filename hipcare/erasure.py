"""The patient's right to erasure (issue #14).

1. The patient asks (`erasure_request`): the account closes at once (no log-in, no e-mail) and an
   ErasureRequest waits for the clinic.
2. The clinic admin decides: erase now (`erase`), or keep the clinical record for the clinic's
   retention period (`erasure_keep`), after which the worker erases it (`erase_due`, queued as a
   task for that date and run by the daily housekeeping, `manage.py housekeeping`, as a safety net).
3. `erase` deletes the patient and everything that holds their personal data, in one transaction.
   What stays: the access log (ids only; the database refuses its deletion) and the
   ErasureRequest row (dates and the number the patient had, no name).

Like every service: keyword arguments, atomic. Models of other apps are reached through the
patient's relations and the app registry, so hipcare does not import plans.
"""

import datetime
import logging
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import CASCADE, Max, ProtectedError, Q, RestrictedError
from django.db.models.deletion import Collector
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hipcare import audit
from hipcare.models import CLINIC_ADMIN, ErasureRequest, Invitation, Membership, StartCode, User

logger = logging.getLogger(__name__)

NOT_A_PATIENT = _("Only a patient's account can be erased.")
NO_CLINIC = _(
    "Your account does not belong to a clinic, so no one can decide the request. Ask your "
    "physiotherapist to delete your account."
)
NOT_YOUR_CLINIC = _("You are not a clinic admin of this patient's clinic.")
ALREADY_ERASED = _("This record has already been erased.")
ALREADY_DECIDED = _("This request has already been decided.")
CANNOT_ERASE = _(
    "This account cannot be erased here: other records depend on it. Ask the hipcare administrator."
)

# Where the clinical record's latest entry is found, through the patient's relations.
LATEST_ENTRY_LOOKUPS = [
    "plans__created_at",
    "plans__ended_on",
    "plans__sessions__date",
    "plans__sessions__completed_at",
    "plans__sessions__answers__recorded_at",
    "plans__prescriptions__created_at",
    "plans__contacts__recorded_at",
    "plans__reviews__decided_at",
]


# Reads ------------------------------------------------------------------------------------------


def latest_entry_date(patient) -> datetime.date | None:
    """The day of the record's latest entry: a session, an answer, a program or dose change, a
    contact or review. None when the record is empty. One small query per kind of entry, so no
    join multiplies the rows."""
    latest = None
    for lookup in LATEST_ENTRY_LOOKUPS:
        value = User.objects.filter(pk=patient.pk).aggregate(value=Max(lookup))["value"]
        if isinstance(value, datetime.datetime):
            value = timezone.localdate(value)
        if value is not None and (latest is None or value > latest):
            latest = value
    return latest


def add_years(day, years) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def keep_until(erasure) -> datetime.date | None:
    """The day a kept record would be erased if the clinic kept it now: its latest entry (else
    the day of the request) plus the clinic's retention period. None once erased."""
    if erasure.state == ErasureRequest.State.KEPT:
        return erasure.erase_on
    if erasure.patient_id is None:
        return None
    start = latest_entry_date(erasure.patient) or timezone.localdate(erasure.requested_at)
    return add_years(start, erasure.clinic.retention_years)


def for_clinic_admin(user):
    """The erasure requests of the clinics where the user is a clinic admin now."""
    return ErasureRequest.objects.filter(
        clinic__in=Membership.objects.clinics_of(user, CLINIC_ADMIN)
    )


# Writes -----------------------------------------------------------------------------------------


@transaction.atomic
def erasure_request(*, patient) -> ErasureRequest:
    """The patient asks to be erased. The account closes now: no log-in (inactive, no usable
    password, every session ended) and no e-mail (the invitation and start code go, and the
    worker sends nothing to a closed account). Asking twice changes nothing."""
    patient = User.objects.select_for_update().get(pk=patient.pk)
    if not patient.is_patient:
        raise ValidationError(NOT_A_PATIENT)
    erasure = ErasureRequest.objects.filter(patient=patient).first()
    if erasure is None:
        if patient.clinic_id is None:
            raise ValidationError(NO_CLINIC)
        erasure = ErasureRequest(
            patient=patient, patient_number=patient.pk, clinic_id=patient.clinic_id
        )
        erasure.full_clean()
        erasure.save()
        audit.record(patient, patient, audit.What.ACCOUNT, audit.Action.CHANGE)
    _close_account(patient)
    return erasure


@transaction.atomic
def erasure_keep(*, erasure, by) -> ErasureRequest:
    """The clinic keeps the clinical record for its retention period, counted from the record's
    latest entry; a task queued for that day erases it. A second click changes nothing."""
    from hipcare.tasks import erase_due_task  # the task module imports this one

    erasure = ErasureRequest.objects.select_for_update().select_related("clinic").get(pk=erasure.pk)
    _check_may_decide(by, erasure.clinic_id)
    if erasure.state == ErasureRequest.State.KEPT:
        return erasure
    if erasure.state == ErasureRequest.State.ERASED or erasure.patient_id is None:
        raise ValidationError(ALREADY_ERASED)
    erasure.erase_on = keep_until(erasure)
    erasure.state = ErasureRequest.State.KEPT
    erasure.retention_reason = str(erasure.clinic.retention_reason)
    erasure.decided_at = timezone.now()
    erasure.decided_by = by
    erasure.full_clean()
    erasure.save()
    run_after = timezone.make_aware(datetime.datetime.combine(erasure.erase_on, datetime.time()))
    erase_due_task.using(run_after=run_after).enqueue()
    return erasure


@transaction.atomic
def erase(*, erasure=None, patient=None, by) -> ErasureRequest | None:
    """Deletes the patient and everything that holds their personal data, all or nothing.

    Either an ErasureRequest (the clinic admin's "erase now", or the worker with by=None once
    the retention period has passed) or a patient (the hipcare administrator deleting directly;
    an ErasureRequest is then made to record it). Returns the ErasureRequest, which stays with
    its dates and the patient's number; None for a patient of no clinic (no row can record it).
    Erasing twice changes nothing."""
    if (erasure is None) == (patient is None):
        raise TypeError("erase() takes an erasure or a patient")
    now = timezone.now()
    if erasure is not None:
        erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
        _check_may_decide(by, erasure.clinic_id)
        if erasure.state == ErasureRequest.State.ERASED:
            return erasure
        patient = (
            User.objects.select_for_update().get(pk=erasure.patient_id)
            if erasure.patient_id
            else None
        )
    else:
        patient = User.objects.select_for_update().get(pk=patient.pk)
        erasure = ErasureRequest.objects.select_for_update().filter(patient=patient).first()
        _check_may_decide(by, erasure.clinic_id if erasure else patient.clinic_id)
        if erasure is None and patient.clinic_id is not None:
            erasure = ErasureRequest(
                patient=patient,
                patient_number=patient.pk,
                clinic_id=patient.clinic_id,
                requested_at=now,
            )
    if patient is not None and not (patient.role == User.Role.PATIENT and not patient.is_staff):
        raise ValidationError(NOT_A_PATIENT)
    if erasure is not None:
        # Recorded first: once erased, the row may point at no one (a database constraint).
        erasure.state = ErasureRequest.State.ERASED
        erasure.patient = None
        erasure.erased_at = now
        if erasure.decided_at is None:
            erasure.decided_at = now
            erasure.decided_by = by
        erasure.full_clean()
        erasure.save()
    if patient is not None:
        _wipe(patient, by)
    return erasure


def erase_due(*, today=None) -> int:
    """Erases every kept record whose day has come; the task queued by erasure_keep and the daily
    `manage.py housekeeping` both call it. One transaction per record: one failure (logged) does not
    keep the others. Returns how many were erased."""
    today = today or timezone.localdate()
    due = ErasureRequest.objects.filter(state=ErasureRequest.State.KEPT, erase_on__lte=today)
    erased = 0
    for erasure in due.order_by("erase_on", "pk"):
        try:
            erase(erasure=erasure, by=None)
        except Exception:
            logger.exception("Erasure request %s: erasing failed", erasure.pk)
        else:
            erased += 1
    return erased


# The parts ---------------------------------------------------------------------------------------


def _check_may_decide(by, clinic_id):
    """The worker (by=None), a clinic admin of the clinic, or a hipcare administrator allowed to
    delete users (the Django admin)."""
    if by is None:
        return
    if by.is_staff and by.has_perm("hipcare.delete_user"):
        return
    if clinic_id is not None and (
        Membership.objects.filter(
            user=by, clinic_id=clinic_id, role=CLINIC_ADMIN, is_active=True
        ).exists()
    ):
        return
    raise ValidationError(NOT_YOUR_CLINIC)


def _close_account(patient):
    patient.is_active = False
    patient.set_unusable_password()
    patient.save(update_fields=["is_active", "password"])
    invitation_ids = list(Invitation.objects.filter(patient=patient).values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=invitation_ids).delete()
    StartCode.objects.filter(patient=patient).delete()
    _forget_invitation_tasks(invitation_ids)
    _end_sessions(patient)


def _wipe(patient, by):
    if by is not None:
        audit.record(by, patient, audit.What.ACCOUNT, audit.Action.CHANGE)
    doomed = _doomed(patient)
    _forget_invitation_tasks(doomed.get(Invitation, set()))
    _delete_admin_log(doomed)
    _delete_lockout_records(patient)
    _end_sessions(patient)
    try:
        patient.delete()
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(CANNOT_ERASE) from error
    # After the delete, so a history row the delete itself wrote ("deleted") goes too.
    _delete_history(doomed)


def _doomed(patient):
    """{model: primary keys} of every row deleting the patient deletes (Django's own collector,
    so a new model with a cascade to the patient is included without a change here)."""
    collector = Collector(using=router.db_for_write(User), origin=patient)
    try:
        collector.collect([patient])
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(CANNOT_ERASE) from error
    doomed = {}
    for model, instances in collector.data.items():
        doomed.setdefault(model, set()).update(obj.pk for obj in instances)
    for queryset in collector.fast_deletes:
        doomed.setdefault(queryset.model, set()).update(queryset.values_list("pk", flat=True))
    return doomed


def history_models():
    """The history tables (django-simple-history's HistoricalRecords), whatever app adds them:
    models with an `instance_type` whose primary key is a history id."""
    return [
        model
        for model in apps.get_models()
        if getattr(model, "instance_type", None) is not None
        and model._meta.pk.name in ("history_id", "m2m_history_id")
    ]


def _delete_history(doomed):
    """History rows of the doomed rows (by the original id), and those pointing at a doomed row
    (plan_id, session_id, patient_id, ...), then the same for what those rows stood for: a row
    found through a cascading key (a session of a program deleted earlier) counts as doomed, so
    the history of its own rows goes too; then the many-to-many history rows pointing at the
    history rows. The acting user (history_user) is not matched: the patient's own changes are
    rows of their record, and elsewhere the delete sets it to NULL."""
    history = history_models()
    targets = {model: set(ids) for model, ids in doomed.items()}
    for _round in range(10):  # each round follows the keys one step further
        found = False
        for model in history:
            original_fields = {f.name: f for f in model.instance_type._meta.concrete_fields}
            pk_name = model.instance_type._meta.pk.attname
            has_original_id = any(f.attname == pk_name for f in model._meta.concrete_fields)
            cascading, other = Q(), Q()
            if has_original_id and targets.get(model.instance_type):
                other |= Q(**{f"{pk_name}__in": targets[model.instance_type]})
            for field in model._meta.concrete_fields:
                if not field.many_to_one or field.name == "history_user":
                    continue
                ids = targets.get(field.related_model)
                if not ids:
                    continue
                condition = Q(**{f"{field.attname}__in": ids})
                original = original_fields.get(field.name)
                if original is not None and original.remote_field.on_delete is CASCADE:
                    cascading |= condition
                else:
                    other |= condition
            if cascading and not has_original_id:
                other, cascading = other | cascading, Q()
            rows = {}  # history pk: the original row's id, when that row counts as doomed
            if other:
                rows.update(dict.fromkeys(model.objects.filter(other).values_list("pk", flat=True)))
            if cascading:
                rows.update(model.objects.filter(cascading).values_list("pk", pk_name))
            if rows:
                model.objects.filter(pk__in=rows).delete()
                targets.setdefault(model, set()).update(rows)
                originals = {original for original in rows.values() if original is not None}
                targets.setdefault(model.instance_type, set()).update(originals)
                found = True
        if not found:
            break


def _delete_admin_log(doomed):
    """The admin's log of changes to the patient and their rows (its text names them)."""
    types = ContentType.objects.get_for_models(*doomed, for_concrete_models=False)
    for model, content_type in types.items():
        ids = [str(pk) for pk in doomed[model]]
        LogEntry.objects.filter(content_type=content_type, object_id__in=ids).delete()


# Shorter parts ("Bo", "Li") would match too many other people's lock-out records.
NAME_PART_MIN_LENGTH = 3


def _delete_lockout_records(patient):
    """django-axes keeps failed and successful log-ins under the name they counted against (the
    username, hipcare.lockout.account_key), or under what was typed."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    names = {name for name in (patient.username, patient.email) if name}
    by_name = Q()
    for name in names:
        by_name |= Q(username__iexact=name)
    # What was typed may be a misspelling of the address: any record that holds a part of the
    # patient's name or address goes too (lock-out records of others lose little).
    local_part = patient.email.split("@")[0] if patient.email else ""
    for part in {patient.first_name, patient.last_name, local_part}:
        if len(part.strip()) >= NAME_PART_MIN_LENGTH:
            by_name |= Q(username__icontains=part.strip())
    if not by_name:
        return
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        condition = by_name
        typed = {"get_data", "post_data"} & {f.name for f in model._meta.concrete_fields}
        if patient.email:
            for field in typed:
                condition |= Q(**{f"{field}__icontains": patient.email})
        model.objects.filter(condition).delete()


def _end_sessions(user):
    """Deletes the user's stored sessions (log-ins on every device). Only database-backed
    session engines can be searched; the unusable password ends the others' log-in anyway."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    model = store.get_model_class()
    decoder = store()
    theirs = [
        key
        for key, data in model.objects.values_list("session_key", "session_data").iterator()
        if str(decoder.decode(data).get(SESSION_KEY)) == str(user.pk)
    ]
    if theirs:
        model.objects.filter(session_key__in=theirs).delete()


def _forget_invitation_tasks(invitation_ids):
    """The outbox rows of the patient's invitation tasks (their arguments name the invitation),
    and those of invitations deleted before (a row running then was left). A running row is left
    to finish: with its invitation gone it sends nothing."""
    from django_tasks_db.models import DBTaskResult

    from hipcare.tasks import invitation_deliver_task

    rows = DBTaskResult.objects.filter(task_path=invitation_deliver_task.module_path).exclude(
        status=TaskResultStatus.RUNNING
    )
    found = list(rows.values_list("pk", "args_kwargs__kwargs__invitation_id"))
    if not found:
        return
    wanted = {int(pk) for pk in invitation_ids}
    existing = set(
        Invitation.objects.filter(pk__in={i for _pk, i in found if i is not None}).values_list(
            "pk", flat=True
        )
    )
    stale = [pk for pk, i in found if i in wanted or i not in existing]
    if stale:
        DBTaskResult.objects.filter(pk__in=stale).delete()
