"""Demo courses of care for `make run`: baselines, weekly pain, reviews, two discharged courses
(one that worked, one that did not), a clinic with HOOS-12 loaded, and texts already read.
Written through the services, then dated back to when they would have happened."""

import datetime

from django.utils import timezone

from courses import rules, services
from courses.models import (
    ClinicInstrument,
    Course,
    EducationRead,
    EducationText,
    Instrument,
    Result,
)
from plans.models import Contact, Plan

# Per demo story: the outcome values at baseline, review and discharge (None: not reached),
# and whether the course is discharged. Hip pain 0–10, chair stands, 40 m walk in seconds, and
# the HOOS-12 answer (0–4) given to every item.
COURSE_STORIES = {
    "doing_well": {"pain": (6, 4, None), "stands": (9, 11, None), "walk": (38.5, 34.0, None),
                   "hoos": (2, 1, None), "reviewed": False},
    "hard_session": {"pain": (5, 3, None), "stands": (10, 12, None), "walk": (36.0, 33.5, None),
                     "hoos": (2, 1, None), "reviewed": True},
    "struggling": {"pain": (4, None, None), "stands": (11, None, None), "walk": (33.0, None, None),
                   "hoos": (2, None, None), "reviewed": False},
    "stopped": {"pain": (4, None, None), "stands": (12, None, None), "walk": (31.0, None, None),
                "hoos": (1, None, None), "reviewed": False},
    "stop_today": {"pain": (3, None, None), "stands": (12, None, None), "walk": (32.0, None, None),
                   "hoos": (1, None, None), "reviewed": False},
    "ended": {"pain": (6, 4, 2), "stands": (9, 11, 14), "walk": (39.0, 34.5, 30.5),
              "hoos": (3, 2, 1), "reviewed": True, "discharged": True},
    "ended_flat": {"pain": (5, 5, 6), "stands": (10, 10, 11), "walk": (36.0, 35.5, 36.2),
                   "hoos": (2, 2, 2), "reviewed": True, "discharged": True},
}  # fmt: skip

GOALS = {
    "osteoarthritis": "Walk to the shops and back without stopping; play with the grandchildren.",
    "bursitis": "Sleep through the night; climb the stairs at work without pain.",
    "fai": "Run 5 km again and sit through a film without groin pain.",
}


def demo_licence(clinic, clinic_admin):
    """The first clinic has loaded HOOS-12. hipcare ships no item texts, so the demo's stand-ins
    say where the clinic's licensed text would be."""
    instrument = Instrument.objects.get(code="hoos12")
    texts = {
        str(item.number): {
            "text_en": f"HOOS-12 item {item.number} ({item.subscale}): the clinic's licensed text",
            "text_da": f"HOOS-12 spørgsmål {item.number} ({item.subscale}): klinikkens tekst",
            "low_label_en": "None",
            "low_label_da": "Ingen",
            "high_label_en": "Extreme",
            "high_label_da": "Ekstrem",
        }
        for item in instrument.items.all()
    }
    ClinicInstrument.objects.get_or_create(
        clinic=clinic,
        instrument=instrument,
        defaults={"licence_reference": "Demo licence (stand-in texts)", "texts": texts,
                  "loaded_by": clinic_admin},
    )  # fmt: skip


def _at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _answer(item, value):
    """HOOS-12's stand-in answers vary a little by scale (quality of life a step worse)."""
    if item.subscale == "qol":
        return min(value + 1, 4)
    if item.subscale == "function" and item.number % 2:
        return max(value - 1, 0)
    return value


def _record(course, instrument, point, value, *, by, when, week=0):
    answers = {item.number: _answer(item, value) for item in instrument.items.all()}
    result = services.result_record(
        course=course, instrument=instrument, point=point, answers=answers, by=by, week=week
    )
    Result.objects.filter(pk=result.pk).update(recorded_at=when)


def _weekly(course, instrument, plan, start_pain, end_pain, today):
    last = min(today, plan.last_day)
    weeks = (last - plan.start_date).days // 7 + 1
    for week in range(1, weeks + 1):
        share = (week - 1) / max(weeks - 1, 1)
        value = round(start_pain + (end_pain - start_pain) * share)
        when = _at(min(plan.start_date + datetime.timedelta(weeks=week - 1, days=2), today), 19)
        _record(course, instrument, rules.WEEK, value, by=plan.patient, when=when, week=week)


def demo_course(plan, story, *, today=None):
    """A course along a demo program, as its story goes. Idempotent."""
    if Course.objects.filter(plan=plan).exists() or story not in COURSE_STORIES:
        return None
    today = today or timezone.localdate()
    spec = COURSE_STORIES[story]
    course = services.course_start(plan=plan, goals=GOALS.get(plan.condition.code, ""))
    Course.objects.filter(pk=course.pk).update(created_at=_at(plan.start_date, 8))
    used = {i.code: i for i in services.instruments_for(plan.patient.clinic_id)}
    patient, physio = plan.patient, plan.physio
    days = {
        rules.BASELINE: plan.start_date,
        rules.REVIEW: rules.review_on(plan.start_date),
        rules.DISCHARGE: today,
    }
    for index, point in enumerate(rules.POINTS):
        if spec["pain"][index] is None:
            continue
        when = _at(min(days[point], today))
        _record(course, used["hip-pain"], point, spec["pain"][index], by=patient, when=when)
        if "hoos12" in used:
            _record(course, used["hoos12"], point, spec["hoos"][index], by=patient, when=when)
        _record(course, used["chair-stand-30s"], point, spec["stands"][index], by=physio,
                when=when)  # fmt: skip
        _record(course, used["walk-40m"], point, spec["walk"][index], by=physio, when=when)
    end_pain = next(p for p in reversed(spec["pain"]) if p is not None)
    _weekly(course, used["hip-pain"], plan, spec["pain"][0], end_pain, today)
    if spec["reviewed"]:
        if Contact.objects.filter(plan=plan, reason=Contact.Reason.REVIEW).exists():
            # The story's review was already recorded as a program review: the same decision.
            Course.objects.filter(pk=course.pk).update(
                reviewed_at=_at(days[rules.REVIEW], 14), review_decision=Course.Decision.CONTINUE
            )
        else:
            services.course_review(
                course=course,
                by=physio,
                decision=Course.Decision.CONTINUE,
                note="Week 6: going to plan. Keep the doses; discharge at 12 weeks.",
            )
            Course.objects.filter(pk=course.pk).update(reviewed_at=_at(days[rules.REVIEW], 14))
    if spec.get("discharged"):
        course.refresh_from_db()
        services.course_discharge(
            course=course,
            by=physio,
            note="Keep the program twice a week and walk daily. Call us if the pain returns.",
        )
    return course


def demo_courses(patients, *, today=None):
    """A course along each demo patient's first program, as their story goes; then the first
    texts read. patients: (patient, spec) as in plans.demo.demo_history."""
    made = 0
    for patient, spec in patients:
        plan = (
            Plan.objects.filter(patient=patient)
            .select_related("patient", "physio", "condition")
            .order_by("pk")
            .first()
        )
        if plan and demo_course(plan, spec["story"], today=today):
            made += 1
    _demo_reads()
    return made


def _demo_reads():
    """Patients some weeks in have read the first texts of their condition."""
    for plan in Plan.objects.filter(status=Plan.Status.ACTIVE).select_related("patient"):
        texts = EducationText.objects.for_condition(plan.condition_id).filter(week__lte=3)
        for text in texts[:3]:
            EducationRead.objects.get_or_create(patient=plan.patient, text=text)
