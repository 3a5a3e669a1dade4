"""The patient's record, whole: what the right of access and portability hand over.

`patient_record` fetches everything hipcare holds about one patient (read with `record_patients`)
in a fixed number of queries (RECORD_QUERIES, and REMINDER_QUERIES with the reminders), whatever
the length of the history; the readable page shows it and
`fhir_bundle` turns it into a FHIR R4 (4.0.1) Bundle of type "collection", as plain dicts: no FHIR
library at run time (the tests validate the result with fhir.resources).

The words are the reader's language (gettext and the catalogue's translated fields); the codes
(LOINC, SNOMED CT, FHIR value sets) are fixed.

The reminders (the schedule, the phones set up for notifications, the reminders sent) are part of
the record and of the patient's own page, but not of the bundle nor of the physio's referral
page: they are not clinical data, and only the patient's page reads them. A phone is shown by
when it was added only: its push address is a secret that lets anyone holding it send to the
phone, and it is never fetched here, nor its keys.

A session's ticks and safety answers, and the phones, come as JSON lists inside the query of the
row they belong to (`_json_rows`), read back as model objects to read, never to save.
"""

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Aggregate, F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.models import EducationRead, Instrument, Result
from courses.services import add_clinic_texts, clinic_texts
from exercises.templatetags.doses import UNIT_WORDS
from hipcare.models import Handover, User
from plans import describe

# Red flag codes are stored; their words live with the form that asks them (as on the session
# page). Imported, not repeated, so the export reads exactly as the questions did.
from plans.forms import RED_FLAG_CHOICES
from plans.models import (
    Contact,
    Plan,
    Prescription,
    Review,
    Session,
    SessionAnswer,
    SessionEntry,
)
from reminders.models import PushSubscription, ReminderDelivery

# handovers, plans (with their courses), prescriptions, sessions (with their ticks and answers),
# contacts, reviews, the course results (with their instruments and the clinic's licensed
# texts), the instruments' items, their measures, the texts read; for a patient fetched with
# record_patients (the patient row: 1 query where the view fetches it). A record with no
# program or no course result skips the queries it has nothing for (Django's prefetches).
RECORD_QUERIES = 10
# with reminders=True: the reminders sent (the schedule and the phones come with the patient row)
REMINDER_QUERIES = 1
ONE_DAY = datetime.timedelta(days=1)


# --- The record ----------------------------------------------------------------------------------


@dataclass
class SessionRecord:
    session: Session
    entries: list  # SessionEntry, with prescription and exercise
    answers: list  # (SessionAnswer, [red flag words])
    red_flags: list  # the session's warning signs in words

    @property
    def done(self):
        """The ticked exercises in words, with the sets and reps the patient gave."""
        return [entry_text(e) for e in self.entries]

    @property
    def status(self):
        """The FHIR Procedure status: finished, stopped before any exercise, or under way."""
        if self.session.completed_at is not None:
            return "completed"
        if self.session.stopped_by_screen and not self.entries:
            return "not-done"
        return "in-progress"


@dataclass
class PlanRecord:
    plan: Plan
    prescriptions: list  # every dose row, current and past, by exercise then date
    sessions: list  # SessionRecord, oldest first
    contacts: list  # Contact, oldest first
    reviews: list  # Review, oldest first
    # The course of care's results (courses.Result, oldest first), each with `export_when`
    # (result_when), `export_measures`: (measure, score) for every score it has, and
    # `export_answers`: an AnswerRow per answer.
    results: list = field(default_factory=list)
    course: object = None  # the program's course of care (courses.Course), if any
    # The course this program is the maintenance program of, and that course's program.
    maintains: object = None
    maintains_plan: Plan | None = None

    @cached_property
    def dose_rows(self):
        """(prescription, last day) for every dose row; valid_until is exclusive, so the last
        day is the day before (a same-day change leaves an empty span: its one day)."""
        plan = self.plan
        rows = []
        for rx in self.prescriptions:
            last = plan.last_day if rx.valid_until is None else rx.valid_until - ONE_DAY
            rows.append((rx, max(last, rx.valid_from)))
        return rows

    @cached_property
    def exercises(self):
        """The exercises of the program, each once, in program order."""
        seen = {}
        for rx in self.prescriptions:
            seen.setdefault(rx.exercise_id, rx.exercise)
        return list(seen.values())

    @cached_property
    def answers(self):
        """Every safety answer of the program, with its session: (session, answer, flag words)."""
        return [
            (record.session, answer, labels)
            for record in self.sessions
            for answer, labels in record.answers
        ]

    @cached_property
    def physio_notes(self):
        """The physio's contacts, reviews and decisions on suggestions, oldest first."""
        notes = [
            PhysioNote(c.recorded_at, c.recorded_by, c.get_reason_display(), contact_text(c))
            for c in self.contacts
        ] + [
            PhysioNote(r.decided_at, r.decided_by, _("Decision on a suggestion"), review_text(r))
            for r in self.reviews
        ]
        return sorted(notes, key=lambda n: n.at)


@dataclass(frozen=True)
class AnswerRow:
    """One answer of a course result as given."""

    number: int
    scale: str  # the scale the item counts towards, where the instrument has more than one
    # The question; blank for a licensed instrument whose texts the patient's clinic does not
    # hold (they belong to the clinic that licensed them): the number and scale only.
    text: str
    value: object


@dataclass(frozen=True)
class PhysioNote:
    at: datetime.datetime
    by: User
    label: str
    text: str


@dataclass(frozen=True)
class ReminderSent:
    """One reminder (or gentle note) hipcare recorded for a day of the patient: the ways it went
    out and when it first did. None went out when the rules stopped it before sending (the
    session done meanwhile, the program ended) or the e-mail failed."""

    delivery: ReminderDelivery
    channels: list  # the ways it went out, in words
    sent_at: datetime.datetime | None


@dataclass
class PatientRecord:
    patient: User
    plans: list  # PlanRecord, newest program first
    handovers: list  # Handover, oldest first
    exported_at: datetime.datetime
    exercises: list = field(default_factory=list)  # every exercise used, each once
    texts_read: list = field(default_factory=list)  # courses.EducationRead with text, oldest first
    reminder_schedule: object = None  # reminders.ReminderSchedule, or None if never set
    # When each phone set up for notifications was added, newest first: the time only, never the
    # push address or keys (see the module's docstring).
    phones_added: list = field(default_factory=list)
    reminders_sent: list = field(default_factory=list)  # ReminderSent, newest day first

    @property
    def session_count(self):
        return sum(len(p.sessions) for p in self.plans)

    @property
    def has_reminders(self):
        """Anything about reminders: a schedule, a phone or a reminder sent."""
        return bool(self.reminder_schedule or self.phones_added or self.reminders_sent)

    @property
    def reminder_days(self) -> str:
        schedule = self.reminder_schedule
        return reminder_days_text(schedule.day_numbers) if schedule is not None else ""

    @property
    def reminder_ways(self) -> list:
        schedule = self.reminder_schedule
        return reminder_ways(schedule) if schedule is not None else []


def red_flag_words(codes):
    words = dict(RED_FLAG_CHOICES)
    return [str(words.get(code, code)) for code in codes or ()]


def _reverse_one(obj, name):
    """A reverse one-to-one fetched with select_related, or None when there is none."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def answer_rows(result, instrument) -> list:
    """The answers of a result in item order, each with its question where hipcare may show it
    (instrument: from instruments_for, with its items and measures; None if unknown)."""
    items = {item.number: item for item in instrument.items.all()} if instrument else {}
    scale_names = {m.code: m.name for m in instrument.measures.all()} if instrument else {}
    several = len({item.subscale for item in items.values()}) > 1
    given = {}
    for key, value in (result.answers or {}).items():
        try:
            given[int(key)] = value
        except (TypeError, ValueError):
            continue
    rows = []
    for number in sorted(given):
        item = items.get(number)
        scale = ""
        if item is not None and several:
            scale = scale_names.get(item.subscale, item.subscale)
        text = item.text if item is not None else ""
        rows.append(AnswerRow(number, scale, text or "", given[number]))
    return rows


# --- Rows inside their parent's query -------------------------------------------------------------


class _JSONList(Aggregate):
    """The group's values as one JSON list: jsonb_agg on PostgreSQL, json_group_array on SQLite
    (the demo)."""

    function = "JSONB_AGG"
    output_field = models.JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _json_rows(rows, fields):
    """A subquery annotation: `rows` (a queryset filtered on an OuterRef to the parent row) as
    one JSON list of objects with `fields` (attribute names), in no order; None without rows.
    Read back with _from_json."""
    return Subquery(
        rows.order_by()
        .values(every=Value(1))  # one group: all the rows
        .annotate(json=_JSONList(JSONObject(**{name: F(name) for name in fields})))
        .values("json")
    )


def _json_value(field, value):
    """A value as the JSON list holds it, as the field reads it: the database writes a date-time
    as text (SQLite: naive, in UTC), and SQLite a JSON column as its text."""
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        value = parse_datetime(value)
        return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value
    if isinstance(value, str) and isinstance(field, models.JSONField):
        return json.loads(value)
    return value


def _from_json(model, rows):
    """Model objects from _json_rows' list, to read, never to save."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [
        model(**{name: _json_value(fields[name], value) for name, value in row.items()})
        for row in rows or ()
    ]


# --- Fetching ----------------------------------------------------------------------------------------


def record_patients(users, *, reminders):
    """`users` (a User queryset scoped to the reader: the patient themself, or
    User.objects.patients_for(physio)) as patient_record reads a patient: the clinic, physio and
    condition joined; with reminders=True also the reminder schedule and, in the same query,
    when each phone for notifications was added (never its push address or keys)."""
    users = users.select_related("clinic", "physio", "condition")
    if not reminders:
        return users
    phones = PushSubscription.objects.filter(patient=OuterRef("pk"))
    return users.select_related("reminder_schedule").annotate(
        phones_json=_json_rows(phones, ("id", "created_at"))
    )


def _session_record(session, prescriptions) -> SessionRecord:
    """A session fetched with its ticks and answers as JSON (patient_record); `prescriptions`:
    the patient's dose rows with their exercises, by pk."""
    entries = _from_json(SessionEntry, session.entries_json)
    for entry in entries:
        if entry.prescription_id in prescriptions:  # always: a tick is of its program's doses
            entry.prescription = prescriptions[entry.prescription_id]
    entries.sort(key=lambda e: (e.prescription.order, e.pk))
    answers = _from_json(SessionAnswer, session.answers_json)
    answers.sort(key=lambda a: (a.recorded_at, a.pk))
    return SessionRecord(
        session=session,
        entries=entries,
        answers=[(a, red_flag_words(a.red_flags)) for a in answers],
        red_flags=red_flag_words(session.red_flags),
    )


def patient_record(patient, *, reminders) -> PatientRecord:
    """Everything hipcare holds about one patient; the reminders with reminders=True (only the
    patient's own page shows them). RECORD_QUERIES queries, and REMINDER_QUERIES with the
    reminders, whatever the data.

    `patient` must have been fetched with record_patients(..., reminders=reminders), through a
    scoped queryset; this function does not check access."""
    handovers = list(
        Handover.objects.filter(patient=patient)
        .select_related("from_physio", "to_physio", "by")
        .order_by("at", "pk")
    )
    # Each session with its ticks and its safety answers as JSON lists in the same query.
    sessions = Session.objects.order_by("date", "pk").annotate(
        entries_json=_json_rows(
            SessionEntry.objects.filter(session=OuterRef("pk")),
            ("id", "prescription_id", "sets_done", "reps_done"),
        ),
        answers_json=_json_rows(
            SessionAnswer.objects.filter(session=OuterRef("pk")),
            ("id", "step", "pain", "effort", "red_flags", "note", "recorded_at"),
        ),
    )

    plans = list(
        Plan.objects.filter(patient=patient)
        .select_related("condition", "physio", "template", "course__maintenance_plan", "maintains")
        .order_by("-start_date", "-pk")
        .prefetch_related(
            Prefetch(
                "prescriptions",
                queryset=Prescription.objects.select_related("exercise", "created_by").order_by(
                    "order", "exercise_id", "valid_from", "pk"
                ),
                to_attr="export_prescriptions",
            ),
            Prefetch("sessions", queryset=sessions, to_attr="export_sessions"),
            Prefetch(
                "contacts",
                queryset=Contact.objects.select_related("recorded_by").order_by(
                    "recorded_at", "pk"
                ),
                to_attr="export_contacts",
            ),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("decided_by").order_by("decided_at", "pk"),
                to_attr="export_reviews",
            ),
        )
    )
    # Every result with its instrument, the instrument's items and measures; a licensed one's
    # items carry the texts of the patient's clinic where it uses it, none otherwise (kept for
    # the answers given).
    all_results = list(
        Result.objects.filter(course__plan__patient=patient)
        .select_related("instrument", "course", "recorded_by")
        .annotate(clinic_texts=clinic_texts(patient.clinic_id))
        .prefetch_related("instrument__items", "instrument__measures")
        .order_by("recorded_at", "pk")
    )
    results = {}
    for result in all_results:
        instrument = result.instrument
        add_clinic_texts(instrument, result.clinic_texts)
        result.export_when = result_when(result)
        result.export_measures = [
            (m, result.scores.get(m.code))
            for m in instrument.measures.all()
            if result.scores.get(m.code) is not None
        ]
        result.export_answers = answer_rows(result, instrument)
        results.setdefault(result.course.plan_id, []).append(result)
    texts_read = list(
        EducationRead.objects.filter(patient=patient)
        .select_related("text")
        .order_by("read_at", "pk")
    )
    reminder_schedule, phones_added, reminders_sent = None, [], []
    if reminders:
        reminder_schedule = _reverse_one(patient, "reminder_schedule")
        # Only when each phone was added: its push address and keys are never read (module
        # docstring).
        phones = _from_json(PushSubscription, patient.phones_json)
        phones.sort(key=lambda phone: (phone.created_at, phone.pk), reverse=True)
        phones_added = [phone.created_at for phone in phones]
        reminders_sent = [
            reminder_sent(delivery)
            for delivery in ReminderDelivery.objects.filter(patient=patient).order_by(
                "-local_date", "-pk"
            )
        ]
    by_pk = {plan.pk: plan for plan in plans}
    prescriptions = {rx.pk: rx for plan in plans for rx in plan.export_prescriptions}
    records = []
    exercises = {}
    for plan in plans:
        record = PlanRecord(
            plan=plan,
            prescriptions=plan.export_prescriptions,
            sessions=[_session_record(s, prescriptions) for s in plan.export_sessions],
            contacts=plan.export_contacts,
            reviews=plan.export_reviews,
            results=results.get(plan.pk, []),
            course=_reverse_one(plan, "course"),
            maintains=_reverse_one(plan, "maintains"),
        )
        if record.maintains is not None:
            record.maintains_plan = by_pk.get(record.maintains.plan_id)
        for exercise in record.exercises:
            exercises.setdefault(exercise.pk, exercise)
        records.append(record)
    return PatientRecord(
        patient=patient,
        plans=records,
        handovers=handovers,
        exported_at=timezone.now(),
        exercises=sorted(exercises.values(), key=lambda e: e.name.casefold()),
        texts_read=texts_read,
        reminder_schedule=reminder_schedule,
        phones_added=phones_added,
        reminders_sent=reminders_sent,
    )


# --- Words shared by the page and the bundle -------------------------------------------------------


def dose_text(rx) -> str:
    """A prescription's dose as {% dose %} writes it, with the side, load and notes."""
    dose = rx.dose
    text = f"{dose.sets} × {dose.range} {UNIT_WORDS[dose.unit]()}"
    if rx.exercise.per_side:
        text += " " + _("per side")
    elif rx.exercise.alternating:
        text += " " + _("alternating sides")
    parts = [text]
    if rx.exercise.per_side or rx.exercise.alternating:
        parts.append(_("Side: %(side)s") % {"side": rx.get_side_display()})
    if rx.load:
        parts.append(_("Load: %(load)s") % {"load": rx.load})
    if rx.next_step_text:
        parts.append(rx.next_step_text)
    if rx.note:
        parts.append(_("Note from the physiotherapist: %(note)s") % {"note": rx.note})
    return ". ".join(p.rstrip(".") for p in parts) + "."


def entry_text(entry) -> str:
    """One ticked exercise: its name, and what was done when the patient said so."""
    name = entry.prescription.exercise.name
    if entry.sets_done is None and entry.reps_done is None:
        return name
    sets = "?" if entry.sets_done is None else entry.sets_done
    reps = "?" if entry.reps_done is None else entry.reps_done
    return f"{name} ({sets} × {reps})"


def contact_text(contact) -> str:
    return _("%(note)s (This covers the sessions up to %(date)s.)") % {
        "note": contact.note,
        "date": date_format(contact.covers_through, "SHORT_DATE_FORMAT"),
    }


def review_text(review) -> str:
    try:
        kind = describe.kind_label(review.kind)
    except KeyError:
        kind = review.kind
    return _("%(suggestion)s: %(decision)s. %(reason)s") % {
        "suggestion": kind,
        "decision": review.get_decision_display(),
        "reason": review.reason,
    }


def reminder_days_text(days) -> str:
    """Weekday numbers (Monday 0) in words: "Monday, Wednesday, Friday", or "Every day"."""
    if len(set(days)) == len(WEEKDAYS):
        return _("Every day")
    return ", ".join(str(WEEKDAYS[day]) for day in sorted(set(days)))


def reminder_ways(schedule) -> list:
    """How a schedule reminds, in words."""
    ways = []
    if schedule.by_email:
        ways.append(_("E-mail"))
    if schedule.by_push:
        ways.append(_("Notification"))
    return ways


def reminder_sent(delivery) -> ReminderSent:
    """A recorded reminder: the ways it went out (a notification with the phones it reached) and
    when it first went out."""
    channels = []
    if delivery.email_sent_at is not None:
        channels.append(_("E-mail"))
    if delivery.pushed_at is not None:
        channels.append(
            ngettext(
                "Notification (%(n)d phone reached)",
                "Notification (%(n)d phones reached)",
                delivery.pushed,
            )
            % {"n": delivery.pushed}
        )
    sent = [at for at in (delivery.email_sent_at, delivery.pushed_at) if at is not None]
    return ReminderSent(delivery=delivery, channels=channels, sent_at=min(sent) if sent else None)


# --- FHIR R4 ---------------------------------------------------------------------------------------

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
PAIN_LOINC = "72514-3"
PAIN_LOINC_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
# SNOMED CT codes checked against published FHIR data, by condition code. Only hip osteoarthritis
# could be verified (239872002 |Osteoarthritis of hip|); the others go as text only.
SNOMED_CONDITIONS = {"osteoarthritis": ("239872002", "Osteoarthritis of hip")}


def _instant(value):
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _date(value):
    return value.isoformat()


class _Ids:
    """Stable urn:uuid ids: the same object gets the same id in every export from this site."""

    def __init__(self, base_url):
        self.base = base_url.rstrip("/")

    def urn(self, kind, key):
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.base}/fhir/{kind}/{key}')}"

    def system(self, name):
        return f"{self.base}/fhir/sid/{name}"


def _ref(urn, display=None):
    ref = {"reference": urn}
    if display:
        ref["display"] = display
    return ref


def _patient(record, ids, urn):
    p = record.patient
    resource = {
        "resourceType": "Patient",
        "identifier": [
            {"system": ids.system("patient"), "value": str(p.pk)},
            {"system": ids.system("username"), "value": p.username},
        ],
        "active": p.is_active,
    }
    name = {"text": p.get_full_name() or p.username}
    if p.last_name:
        name["family"] = p.last_name
    if p.first_name:
        name["given"] = [p.first_name]
    resource["name"] = [name]
    if p.email:
        resource["telecom"] = [{"system": "email", "value": p.email}]
    if p.date_of_birth:
        resource["birthDate"] = _date(p.date_of_birth)
    if p.physio_id:
        resource["generalPractitioner"] = [{"display": str(p.physio)}]
    if p.clinic_id:
        resource["managingOrganization"] = {"display": p.clinic.name}
    return resource


def _condition(plan, patient_urn):
    code = {"text": plan.condition.name}
    if plan.condition.code in SNOMED_CONDITIONS:
        sct, display = SNOMED_CONDITIONS[plan.condition.code]
        code["coding"] = [{"system": SNOMED, "code": sct, "display": display}]
    resource = {
        "resourceType": "Condition",
        "code": code,
        "bodySite": [{"text": _("Hip: %(side)s") % {"side": plan.get_side_display()}}],
        "subject": _ref(patient_urn),
        "recordedDate": _instant(plan.created_at),
        "recorder": {"display": str(plan.physio)},
    }
    if plan.status == Plan.Status.ACTIVE:
        # An ended program says nothing of whether the condition resolved: no status then.
        resource["clinicalStatus"] = {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]}
    return resource


def _activity_status(rx, plan, today):
    if rx.valid_until is not None:
        return "stopped"  # replaced by a new dose, or taken out of the program
    if plan.status == Plan.Status.ENDED:
        return "completed"
    if rx.valid_from > today:
        return "scheduled"
    return "in-progress"


def _activity(rx, last, plan, ids, today):
    detail = {
        "kind": "ServiceRequest",
        "instantiatesCanonical": [ids.urn("ActivityDefinition", rx.exercise_id)],
        "code": {"text": rx.exercise.name},
        "status": _activity_status(rx, plan, today),
        "scheduledTiming": {
            "repeat": {
                "boundsPeriod": {
                    "start": _date(rx.valid_from),
                    "end": _date(last),
                },
                "frequency": plan.sessions_per_week,
                "period": 1,
                "periodUnit": "wk",
            }
        },
        "description": dose_text(rx),
    }
    activity = {"detail": detail}
    if rx.change_reason:
        activity["progress"] = [
            {
                "time": _instant(rx.created_at),
                "text": _("Reason for the change: %(reason)s") % {"reason": rx.change_reason},
            }
        ]
    return activity


def _annotation(text, at, author=None):
    note = {"text": text, "time": _instant(at)}
    if author is not None:
        note["authorString"] = str(author)
    return note


def course_notes(course) -> list:
    """The course of care's review and discharge, as (when, text) with the date in the text."""
    if course is None:
        return []
    notes = []
    if course.reviewed_at is not None:
        text = _("Review of the course of care on %(date)s: %(decision)s.") % {
            "date": date_format(timezone.localtime(course.reviewed_at), "SHORT_DATE_FORMAT"),
            "decision": course.get_review_decision_display(),
        }
        if course.review_note:
            text += " " + course.review_note
        notes.append((course.reviewed_at, text))
    if course.discharged_at is not None:
        text = _("Discharged from the course of care on %(date)s.") % {
            "date": date_format(timezone.localtime(course.discharged_at), "SHORT_DATE_FORMAT"),
        }
        if course.discharge_note:
            text += " " + _("Plan to keep going: %(note)s") % {"note": course.discharge_note}
        maintenance = course.maintenance_plan
        if maintenance is not None:
            text += " " + maintenance_text(maintenance)
        notes.append((course.discharged_at, text))
    return notes


def maintenance_text(plan) -> str:
    return ngettext(
        "Maintenance program from %(start)s to %(end)s, %(n)d session a week.",
        "Maintenance program from %(start)s to %(end)s, %(n)d sessions a week.",
        plan.sessions_per_week,
    ) % {
        "start": date_format(plan.start_date, "SHORT_DATE_FORMAT"),
        "end": date_format(plan.last_day, "SHORT_DATE_FORMAT"),
        "n": plan.sessions_per_week,
    }


def _goal(course, plan, patient_urn, condition_urn):
    """The course's goals, in the patient's words: active until the discharge."""
    resource = {
        "resourceType": "Goal",
        "lifecycleStatus": "completed" if course.discharged else "active",
        "description": {"text": course.goals},
        "subject": _ref(patient_urn),
        "startDate": _date(plan.start_date),
        "expressedBy": _ref(patient_urn),
        "addresses": [_ref(condition_urn, plan.condition.name)],
    }
    if course.discharged:
        resource["statusDate"] = _date(timezone.localdate(course.discharged_at))
    return resource


def _care_plan(record, ids, patient_urn, condition_urn, today):
    plan = record.plan
    dated = [(n.at, _annotation(f"{n.label} – {n.text}", n.at, n.by)) for n in record.physio_notes]
    dated += [(at, _annotation(text, at)) for at, text in course_notes(record.course)]
    notes = [note for _at, note in sorted(dated, key=lambda pair: pair[0])]
    resource = {
        "resourceType": "CarePlan",
        "status": "active" if plan.status == Plan.Status.ACTIVE else "completed",
        "intent": "plan",
        "title": _("Exercise program: %(condition)s") % {"condition": plan.condition.name},
        "description": " ".join(
            [
                ngettext("%(n)d session a week.", "%(n)d sessions a week.", plan.sessions_per_week)
                % {"n": plan.sessions_per_week},
                _("Pain rule: %(rule)s.") % {"rule": plan.get_pain_mode_display()},
            ]
        ),
        "subject": _ref(patient_urn),
        "period": {"start": _date(plan.start_date), "end": _date(plan.last_day)},
        "created": _instant(plan.created_at),
        "author": {"display": str(plan.physio)},
        "addresses": [_ref(condition_urn, plan.condition.name)],
    }
    if record.course is not None and record.course.goals:
        resource["goal"] = [_ref(ids.urn("Goal", record.course.pk))]
    if record.maintains is not None:
        # A maintenance program takes over from its course's program.
        resource["replaces"] = [_ref(ids.urn("CarePlan", record.maintains.plan_id))]
    if record.dose_rows:  # FHIR allows no empty lists
        resource["activity"] = [
            _activity(rx, last, plan, ids, today) for rx, last in record.dose_rows
        ]
    if notes:
        resource["note"] = notes
    return resource


def _machine_name(slug):
    """A name for machines (FHIR: a capital letter, then letters, digits and _): `side-step` →
    `SideStep`. The title is the one for people."""
    name = "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", slug) if p)
    return name if name[:1].isalpha() else f"Exercise{name}"


def _activity_definition(exercise, ids, urn):
    return {
        "resourceType": "ActivityDefinition",
        "url": urn,
        "identifier": [{"system": ids.system("exercise"), "value": exercise.slug}],
        "name": _machine_name(exercise.slug),
        "title": exercise.name,
        "status": "active",
        "description": exercise.instructions,
        "kind": "ServiceRequest",
        "code": {"text": exercise.name},
    }


def _procedure(record, patient_urn, care_plan_urn):
    s = record.session
    notes = []
    if record.entries:
        done = "; ".join(entry_text(e) for e in record.entries)
        notes.append(_("Exercises done: %(list)s") % {"list": done})
    else:
        notes.append(_("No exercise ticked."))
    if s.effort is not None:
        notes.append(_("Effort: %(n)d of 10") % {"n": s.effort})
    if record.red_flags:
        notes.append(_("Warning signs reported: %(list)s") % {"list": "; ".join(record.red_flags)})
    if s.note:
        notes.append(_("Patient's note: %(note)s") % {"note": s.note})
    resource = {
        "resourceType": "Procedure",
        "status": record.status,
        "code": {"text": _("Home exercise session")},
        "subject": _ref(patient_urn),
        "basedOn": [_ref(care_plan_urn)],
        "performedDateTime": _date(s.date),
        "note": [{"text": text} for text in notes]
        + [_answer_note(answer, labels) for answer, labels in record.answers],
    }
    if record.status == "not-done":
        resource["statusReason"] = {
            "text": _("Stopped by the safety questions before the first exercise.")
        }
    return resource


def _answer_note(answer, labels):
    parts = [answer.get_step_display()]
    if answer.pain is not None:
        parts.append(_("pain %(n)d of 10") % {"n": answer.pain})
    if answer.effort is not None:
        parts.append(_("effort %(n)d of 10") % {"n": answer.effort})
    parts.append(
        _("warning signs: %(list)s") % {"list": "; ".join(labels)}
        if labels
        else _("no warning sign")
    )
    if answer.note:
        parts.append(answer.note)
    return _annotation(" · ".join(parts), answer.recorded_at)


def _pain(session, which, value, patient_urn, procedure_urn):
    label = _("Pain before the session") if which == "before" else _("Pain after the session")
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {
            "coding": [{"system": LOINC, "code": PAIN_LOINC, "display": PAIN_LOINC_DISPLAY}],
            "text": label,
        },
        "subject": _ref(patient_urn),
        "partOf": [_ref(procedure_urn)],
        "effectiveDateTime": _date(session.date),
        "valueInteger": value,
    }


# The course of care's outcome measures: hipcare's own codes (instrument code "." measure code,
# e.g. "hoos12.pain"), the same on every site.
MEASURE_SYSTEM = "https://hipcare.example/fhir/CodeSystem/measure"


def result_when(result) -> str:
    """When in the course a result was taken, in words: "Start", "Week 3", "Review"."""
    if result.point == Result.Point.WEEK:
        return _("Week %(n)d") % {"n": result.week}
    return Result.Point(result.point).label


def _score(result, measure, value, patient_urn, care_plan_urn):
    """One score of a course result (a HOOS-12 scale, a test's value) as an Observation."""
    instrument = result.instrument
    questionnaire = instrument.kind == Instrument.Kind.QUESTIONNAIRE
    category = ("survey", "Survey") if questionnaire else ("exam", "Exam")
    quantity = {"value": value}
    if measure.unit:
        quantity["unit"] = measure.unit
    better = _("higher is better") if measure.higher_is_better else _("lower is better")
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {"system": OBSERVATION_CATEGORY, "code": category[0], "display": category[1]}
                ]
            }
        ],  # fmt: skip
        "code": {
            "coding": [
                {
                    "system": MEASURE_SYSTEM,
                    "code": f"{instrument.code}.{measure.code}",
                    "display": measure.name,
                }
            ],
            "text": measure.name,
        },
        "subject": _ref(patient_urn),
        "basedOn": [_ref(care_plan_urn)],
        "effectiveDateTime": _instant(result.recorded_at),
        "performer": [_ref(patient_urn)]
        if questionnaire
        else [{"display": str(result.recorded_by)}],
        "valueQuantity": quantity,
        "note": [
            {
                "text": _("Course of care: %(when)s. %(instrument)s; %(better)s.")
                % {"when": result_when(result), "instrument": instrument.name, "better": better}
            }
        ],
    }


def fhir_bundle(record: PatientRecord, base_url: str) -> dict:
    """The record as a FHIR R4 Bundle (type "collection"): Patient; per program a Condition and a
    CarePlan with an activity per dose row (a course's review and discharge among its notes, a
    maintenance program `replaces` its course's); a Goal per course with goals; an
    ActivityDefinition per exercise; a Procedure per session; an Observation per pain score
    (LOINC 72514-3) and per course result score (MEASURE_SYSTEM). Every reference is a urn:uuid
    of an entry in the bundle. The reminders stay out: not clinical (the module's docstring). No
    database query."""
    ids = _Ids(base_url)
    today = timezone.localdate(record.exported_at)
    entries = []

    def add(urn, resource):
        resource = {"resourceType": resource.pop("resourceType"), "id": urn[9:], **resource}
        entries.append({"fullUrl": urn, "resource": resource})

    patient_urn = ids.urn("Patient", record.patient.pk)
    add(patient_urn, _patient(record, ids, patient_urn))
    for exercise in record.exercises:
        urn = ids.urn("ActivityDefinition", exercise.pk)
        add(urn, _activity_definition(exercise, ids, urn))
    for plan_record in record.plans:
        plan = plan_record.plan
        condition_urn = ids.urn("Condition", plan.pk)
        care_plan_urn = ids.urn("CarePlan", plan.pk)
        add(condition_urn, _condition(plan, patient_urn))
        add(care_plan_urn, _care_plan(plan_record, ids, patient_urn, condition_urn, today))
        course = plan_record.course
        if course is not None and course.goals:
            add(
                ids.urn("Goal", course.pk),
                _goal(course, plan, patient_urn, condition_urn),
            )
        for session_record in plan_record.sessions:
            session = session_record.session
            procedure_urn = ids.urn("Procedure", session.pk)
            add(procedure_urn, _procedure(session_record, patient_urn, care_plan_urn))
            for which in ("before", "after"):
                value = getattr(session, f"pain_{which}")
                if value is not None:
                    add(
                        ids.urn("Observation", f"{session.pk}-{which}"),
                        _pain(session, which, value, patient_urn, procedure_urn),
                    )
        for result in plan_record.results:
            for measure, value in result.export_measures:
                add(
                    ids.urn("Observation", f"result-{result.pk}-{measure.code}"),
                    _score(result, measure, value, patient_urn, care_plan_urn),
                )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(record.exported_at)},
        "type": "collection",
        "timestamp": _instant(record.exported_at),
        "entry": entries,
    }
