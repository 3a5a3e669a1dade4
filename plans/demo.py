"""Demo programs and weeks of sessions for `make run` (deterministic: random.Random(42))."""

import datetime
import random

from django.utils import timezone

from exercises.models import Condition, ProgramTemplate
from hipcare import audit
from hipcare import demo as hipcare_demo
from hipcare.models import AccessEvent, Cover
from plans import services
from plans.models import Plan, Prescription, Session, SessionEntry

DEMO_WEEKS_AGO = 6

# Per story: chance of a session on a given day, pain before at the start and the end, the day
# (counted back from today) after which nothing more is logged, and what else it shows:
#   weeks_ago    how long ago the program started (default DEMO_WEEKS_AGO weeks and 3 days)
#   pain_free    the physio chose pain-free mode for this patient
#   hard_session one session yesterday with pain after 6: today's doses are one step lighter
#   reviewed     the physio recorded the 6-week review
#   stop_today   this morning's safety questions: pain now 8, told not to exercise today
STORIES = {
    "doing_well": {"daily_chance": 0.55, "pain": (5, 2), "stopped_days_ago": 0},
    "hard_session": {
        "daily_chance": 0.55, "pain": (5, 3), "stopped_days_ago": 0, "hard_session": True,
        "reviewed": True,
    },
    "struggling": {"daily_chance": 0.3, "pain": (4, 6), "stopped_days_ago": 0},
    "stopped": {"daily_chance": 0.45, "pain": (4, 3), "stopped_days_ago": 17, "pain_free": True},
    "ended": {"daily_chance": 0.45, "pain": (5, 2), "stopped_days_ago": 3, "weeks_ago": 12},
    "ended_flat": {"daily_chance": 0.35, "pain": (5, 5), "stopped_days_ago": 3, "weeks_ago": 12},
    "stop_today": {"daily_chance": 0.5, "pain": (3, 4), "stopped_days_ago": 0, "stop_today": True},
}  # fmt: skip


def demo_plan(*, patient, condition_code, side, story, rng, today=None):
    """Assigns the condition's template and logs sessions for the past weeks. Idempotent."""
    if Plan.objects.filter(patient=patient).exists():
        return None
    today = today or timezone.localdate()
    spec = STORIES[story]
    condition = Condition.objects.get(code=condition_code)
    template = ProgramTemplate.objects.get(condition=condition, clinic=None)
    # A few days into the current program week, so "this week" shows something too.
    start = today - datetime.timedelta(weeks=spec.get("weeks_ago", DEMO_WEEKS_AGO), days=3)
    plan = services.plan_assign(
        physio=patient.physio,
        patient=patient,
        condition=condition,
        side=side,
        start_date=start,
        weeks=template.weeks,
        sessions_per_week=template.sessions_per_week,
        items=services.template_items(template),
        template=template,
        pain_mode="pain_free" if spec.get("pain_free") else "monitoring",
    )
    prescriptions = list(Prescription.objects.filter(plan=plan).order_by("order"))
    total_days = (min(today, plan.end_date) - start).days
    sessions, ticks = [], []
    for offset in range(total_days + 1):
        day = start + datetime.timedelta(days=offset)
        if (today - day).days < spec["stopped_days_ago"] or day == today:
            continue
        if spec.get("hard_session") and (today - day).days == 1:
            continue  # logged below through the services, as the patient would
        forced = story == "struggling" and (today - day).days in (1, 3, 5)
        if not forced and rng.random() > spec["daily_chance"]:
            continue
        progress = offset / max(total_days, 1)
        low, high = spec["pain"]
        pain_before = max(
            0, min(10, round(low + (high - low) * progress + rng.choice([-1, 0, 0, 1])))
        )
        pain_after = max(0, min(10, pain_before + rng.choice([-1, 0, 1, 1])))
        if forced:
            # The last sessions hurt: the flag, the advice and a suggestion to ease off.
            pain_after = {5: 6, 3: 7, 1: 7}[(today - day).days]
        sessions.append(
            Session(
                plan=plan,
                date=day,
                pain_before=pain_before,
                pain_after=pain_after,
                effort=rng.randint(3, 7),
                completed_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(18))),
            )
        )
        done = (
            prescriptions
            if rng.random() < 0.8
            else rng.sample(prescriptions, k=max(1, len(prescriptions) - 2))
        )
        ticks.append(done)
    Session.objects.bulk_create(sessions)
    saved = {s.date: s for s in Session.objects.filter(plan=plan)}
    SessionEntry.objects.bulk_create(
        SessionEntry(session=saved[session.date], prescription=rx)
        for session, done in zip(sessions, ticks, strict=True)
        for rx in done
    )
    _story_events(plan, spec, today)
    return plan


def _story_events(plan, spec, today):
    """What the story shows beyond the routine sessions, written through the services."""
    yesterday = today - datetime.timedelta(days=1)
    if spec.get("reviewed"):
        services.contact_record(
            plan=plan,
            by=plan.physio,
            reason="review",
            note="6-week review by phone: pain down from 5 to 3, keep going, next review at 12 weeks.",
            covers_through=plan.start_date + datetime.timedelta(weeks=6, days=1),
        )
    if spec.get("hard_session"):
        session = services.session_start(plan=plan, day=yesterday, pain_before=3, red_flags=[])
        for rx in Prescription.objects.in_effect_on(yesterday).filter(plan=plan):
            services.entry_set(session=session, prescription_id=rx.pk, done=True)
        services.session_finish(
            session=session, pain_after=6, effort=7, note="Long walk in the morning as well."
        )
    if spec.get("stop_today"):
        services.session_start(plan=plan, day=today, pain_before=8, red_flags=[])


def demo_history(patients, *, seed=42):
    rng = random.Random(seed)
    made = 0
    for patient, spec in patients:
        if demo_plan(
            patient=patient,
            condition_code=spec["condition"],
            side=spec["side"],
            story=spec["story"],
            rng=rng,
        ):
            made += 1
    # Some patients have set reminders (reminders/demo.py); imported here, where it is used.
    from reminders.demo import demo_reminders

    demo_reminders([patient for patient, _spec in patients])
    return made


def demo_access_log(physios, patients, *, today=None):
    """Weeks of looks at the records, as the access log would have them: each treating physio
    opens their patients' pages after sessions, and a colleague who covered for them last week
    opened theirs, so "who has looked at my data" and the clinic's log show something real."""
    today = today or timezone.localdate()
    cover_spec = hipcare_demo.COVER
    covering, absent = physios[cover_spec["covering"]], physios[cover_spec["absent"]]
    starts = today - datetime.timedelta(days=cover_spec["from_days_ago"])
    ends = today - datetime.timedelta(days=cover_spec["until_days_ago"])
    clinic_id = absent.memberships.values_list("clinic_id", flat=True).first()
    Cover.objects.get_or_create(
        clinic_id=clinic_id, covering=covering, absent=absent, starts_on=starts, ends_on=ends
    )
    events = []
    for patient, _spec in patients:
        for days_ago in range(DEMO_WEEKS_AGO * 7, 0, -4):
            day = today - datetime.timedelta(days=days_ago)
            physio = patient.physio
            if patient.physio_id == absent.pk and starts <= day <= ends:
                physio = covering
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
            for what in (AccessEvent.What.CASELOAD, AccessEvent.What.PATIENT):
                events.append(
                    AccessEvent(
                        at=at,
                        actor=physio,
                        relation=audit.relation(physio, patient),
                        patient=patient,
                        clinic_id=patient.clinic_id,
                        action=AccessEvent.Action.VIEW,
                        what=what,
                    )
                )
    AccessEvent.objects.bulk_create(events)
