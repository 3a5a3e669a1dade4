"""The change history in words, for the pages that show it.

django-simple-history (plans.models.History) keeps a row for every save of a program, a
prescription, a session, a tick and an answer, with the user who made it (the request's user, or
the one a service names: None when hipcare itself eased a dose). These functions turn those rows
into what a reader needs, each in a fixed number of queries whatever the history's length:

- session_changes: a session's later changes to its answers and ticks (2 queries);
- dose_history: how each current dose came to be, old → new (1 query; a dose change opens a new
  prescription row, so the dated rows themselves are the dose history);
- plan_changes: changes of the program's pain rule (1 query).

`viewer` words who made a change as that reader sees it: "you", "your physiotherapist" (for the
patient), or the name with the role.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from django.db.models import Q
from django.utils.translation import gettext as _

from exercises.dose import Dose
from hipcare.models import User
from plans.forms import RED_FLAG_CHOICES
from plans.models import PainMode, Plan, Prescription, Session, SessionAnswer, SessionEntry

# The session's answers whose later changes are shown, in the order the patient gives them.
SCREEN_FIELDS = ("pain_before", "red_flags")  # before the session
FINISH_FIELDS = ("pain_after", "effort", "note")  # after it
# The program's fields whose changes the patient page lists.
PLAN_FIELDS = ("pain_mode",)


@dataclass(frozen=True)
class Change:
    """One changed value: when, by whom (`who` worded for the reader), what, old → new."""

    at: datetime.datetime
    by: User | None
    who: str
    key: str  # the field's name, or "tick" for a ticked exercise
    field: str  # the field in words
    old: str
    new: str


@dataclass(frozen=True)
class DoseChange:
    on: datetime.date  # the new dose is prescribed from this day
    at: datetime.datetime  # when it was decided
    by: User | None
    who: str
    old: Dose
    new: Dose
    old_load: str
    new_load: str
    reason: str

    @property
    def load_changed(self):
        return self.old_load != self.new_load


@dataclass(frozen=True)
class DoseHistory:
    """A prescription, its first dose in the program (from when, by whom) and the changes since."""

    prescription: Prescription
    since: datetime.date
    first: Dose
    first_who: str
    changes: list[DoseChange]


def who(by, viewer, *, patient_id, physio_id):
    """Who made a change, as `viewer` reads it. `patient_id` and `physio_id` are the program's.
    No user: a change made outside any request, or by an account since deleted."""
    if by is None:
        return _("unknown")
    if viewer is not None and by.pk == viewer.pk:
        return _("you")
    # The patient's own physiotherapist: the program's, or the treating one now.
    if viewer is not None and viewer.pk == patient_id and by.pk in {physio_id, viewer.physio_id}:
        return _("your physiotherapist")
    return _("%(name)s (%(role)s)") % {
        "name": by.get_full_name() or by.get_username(),
        "role": _role(by),
    }


def _role(user):
    if user.is_physio:
        return _("physiotherapist")
    if user.is_clinic_admin:
        return _("clinic admin")
    if user.is_staff:
        return _("staff")
    return _("patient")


# --- A session ----------------------------------------------------------------------------------


def _labels():
    return {
        "pain_before": _("Pain before"),
        "red_flags": _("Warning signs"),
        "pain_after": _("Pain after"),
        "effort": _("Effort"),
        "note": _("Note"),
    }


def _answered(record, field):
    """Whether the answer had been given in this state of the session: a difference from it is
    a change, not the first answer."""
    if field in SCREEN_FIELDS:
        return record.pain_before is not None
    return record.completed_at is not None


def _word(field, value):
    if field == "red_flags":
        words = dict(RED_FLAG_CHOICES)
        return "; ".join(str(words.get(code, code)) for code in value) if value else _("none")
    if value is None or value == "":
        return "–"
    return str(value)


def _tick_word(state):
    """A tick's state: None is not ticked, else (sets done, reps done)."""
    if state is None:
        return _("not done")
    sets, reps = state
    if sets or reps:
        return _("done, %(sets)s × %(reps)s") % {"sets": sets or "?", "reps": reps or "?"}
    return _("done")


def _field_changes(records, fields, labels, word, viewer, ids, *, differs=None):
    """A Change for each field that differs between one history record and the next (a delete
    record is no change), oldest first."""
    differs = differs or (lambda prev, rec, f: getattr(prev, f) != getattr(rec, f))
    changes, previous = [], None
    for record in records:
        if previous is not None and record.history_type != "-":
            changes.extend(
                Change(
                    at=record.history_date,
                    by=record.history_user,
                    who=who(record.history_user, viewer, **ids),
                    key=field,
                    field=labels[field],
                    old=word(field, getattr(previous, field)),
                    new=word(field, getattr(record, field)),
                )
                for field in fields
                if differs(previous, record, field)
            )
        previous = record
    return changes


def session_changes(session, *, viewer=None) -> list[Change]:
    """Each change to the session's answers (pain before and after, effort, note, warning signs)
    after they were first given, and each change to its ticks after the first tick of an
    exercise, oldest first. 2 queries (`session.plan` is expected fetched with it)."""
    plan = session.plan
    ids = {"patient_id": plan.patient_id, "physio_id": plan.physio_id}
    labels = _labels()
    records = (
        Session.history.model.objects.filter(id=session.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )

    def differs(previous, record, field):
        old, new = getattr(previous, field), getattr(record, field)
        if field == "red_flags":
            old, new = sorted(old or []), sorted(new or [])
        return _answered(previous, field) and old != new

    changes = _field_changes(
        records, (*SCREEN_FIELDS, *FINISH_FIELDS), labels, _word, viewer, ids, differs=differs
    )
    changes.extend(_tick_changes(session, viewer, ids))
    changes.sort(key=lambda change: change.at)
    return changes


UNKNOWN = object()


def _tick_changes(session, viewer, ids):
    """Unticks, ticks again and changed numbers, per prescription; the first tick (or the state
    when the history started) is not a change."""
    records = (
        SessionEntry.history.model.objects.filter(session_id=session.pk)
        .select_related("history_user", "prescription__exercise")
        .order_by("history_date", "history_id")
    )
    states = {}
    changes = []
    for record in records:
        before = states.get(record.prescription_id, UNKNOWN)
        after = None if record.history_type == "-" else (record.sets_done, record.reps_done)
        if before is UNKNOWN and record.history_type == "-":
            before = (record.sets_done, record.reps_done)  # a deletion keeps the last numbers
        states[record.prescription_id] = after
        if before is UNKNOWN or before == after:
            continue
        changes.append(
            Change(
                at=record.history_date,
                by=record.history_user,
                who=who(record.history_user, viewer, **ids),
                key="tick",
                field=record.prescription.exercise.name,
                old=_tick_word(before),
                new=_tick_word(after),
            )
        )
    return changes


# --- A program ----------------------------------------------------------------------------------


def dose_history(prescriptions, *, viewer=None) -> list[DoseHistory]:
    """For each prescription, in the order given: its exercise's first dose in the program and
    each change up to it, oldest first. 1 query for any number of prescriptions."""
    prescriptions = list(prescriptions)
    if not prescriptions:
        return []
    rows = (
        Prescription.objects.filter(
            plan_id__in={rx.plan_id for rx in prescriptions},
            exercise_id__in={rx.exercise_id for rx in prescriptions},
        )
        .select_related("created_by", "plan")
        .order_by("valid_from", "pk")
    )
    chains = defaultdict(list)
    for row in rows:
        chains[row.plan_id, row.exercise_id].append(row)
    result = []
    for rx in prescriptions:
        chain = [row for row in chains[rx.plan_id, rx.exercise_id] if row.pk <= rx.pk] or [rx]
        first = chain[0]
        plan = first.plan
        ids = {"patient_id": plan.patient_id, "physio_id": plan.physio_id}
        changes = [
            DoseChange(
                on=new.valid_from,
                at=new.created_at,
                by=new.created_by,
                who=_dose_who(new.created_by, viewer, ids),
                old=old.dose,
                new=new.dose,
                old_load=old.load,
                new_load=new.load,
                reason=new.change_reason,
            )
            for old, new in pairwise(chain)
        ]
        result.append(
            DoseHistory(
                prescription=rx,
                since=first.valid_from,
                first=first.dose,
                # Never hipcare's own: an eased dose always follows another.
                first_who=who(first.created_by, viewer, **ids),
                changes=changes,
            )
        )
    return result


def _dose_who(by, viewer, ids):
    # A dose row without its author is one hipcare wrote itself (eased after a hard session);
    # the author is protected from deletion, so it never means a deleted account.
    return _("hipcare, automatically") if by is None else who(by, viewer, **ids)


def _plan_word(field, value):
    if field == "pain_mode":
        return str(PainMode(value).label) if value in PainMode.values else value
    return _word(field, value)


def plan_changes(plan, *, viewer=None) -> list[Change]:
    """Changes of the program's pain rule, oldest first, with who and when. 1 query."""
    labels = {"pain_mode": _("Pain rule")}
    ids = {"patient_id": plan.patient_id, "physio_id": plan.physio_id}
    records = (
        Plan.history.model.objects.filter(id=plan.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return _field_changes(records, PLAN_FIELDS, labels, _plan_word, viewer, ids)


# --- Erasure ------------------------------------------------------------------------------------


def forget_program(sender, instance, **kwargs):
    """pre_delete of a Plan (connected in plans/apps.py): a program deleted (a patient's erasure)
    takes its whole change history with it, since history rows point at nothing and no cascade
    reaches them. 5 queries per program; the rows deleted with it record no deletion
    (plans.models.History)."""
    sessions = Q(session_id__in=Session.objects.filter(plan_id=instance.pk).values("pk")) | Q(
        session_id__in=Session.history.model.objects.filter(plan_id=instance.pk).values("id")
    )
    SessionEntry.history.model.objects.filter(sessions).delete()
    SessionAnswer.history.model.objects.filter(sessions).delete()
    Session.history.model.objects.filter(plan_id=instance.pk).delete()
    Prescription.history.model.objects.filter(plan_id=instance.pk).delete()
    Plan.history.model.objects.filter(id=instance.pk).delete()
