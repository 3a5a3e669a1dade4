"""Suggestions and caseload flags for many plans at once: three queries, one pass in Python.

The rows read per plan are bounded by the 28-day window, whatever the length of the history.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef

from plans import rules
from plans.models import Review, Session, SessionEntry

WEEKS_CONSIDERED = 4


@dataclass
class Monitor:
    plan: object
    suggestion: rules.Suggestion
    pending: bool
    flags: list
    adherence_14d: int | None
    last_session: datetime.date | None
    latest_session_date: datetime.date | None
    last_pain_after: int | None
    week_done: int = 0

    @property
    def urgency(self):
        return min((rules.FLAG_URGENCY[f] for f in self.flags), default=99)


def _weekly_means(rows, today):
    """Mean pain before per 7-day window ending today, oldest first."""
    means = []
    for back in reversed(range(WEEKS_CONSIDERED)):
        end = today - datetime.timedelta(days=7 * back)
        start = end - datetime.timedelta(days=6)
        values = [
            r["pain_before"]
            for r in rows
            if start <= r["date"] <= end and r["pain_before"] is not None
        ]
        means.append(sum(values) / len(values) if values else None)
    return means


def monitor_plans(plans, *, today):
    plans = list(plans)
    if not plans:
        return {}
    ids = [p.pk for p in plans]
    since = today - datetime.timedelta(days=7 * WEEKS_CONSIDERED - 1)
    ticked = SessionEntry.objects.filter(session=OuterRef("pk"))
    rows = list(
        Session.objects.filter(plan_id__in=ids, date__gte=since, date__lte=today)
        .filter(Exists(ticked))
        .values("plan_id", "date", "pain_before", "pain_after", "red_flags")
        .order_by("plan_id", "date")
    )
    last_dates = dict(
        Session.objects.filter(plan_id__in=ids)
        .filter(Exists(ticked))
        .values("plan_id")
        .annotate(last=Max("date"))
        .values_list("plan_id", "last")
    )
    reviewed = dict(
        Review.objects.filter(plan_id__in=ids)
        .values("plan_id")
        .annotate(last=Max("latest_session_date"))
        .values_list("plan_id", "last")
    )
    by_plan = {}
    for row in rows:
        by_plan.setdefault(row["plan_id"], []).append(row)

    result = {}
    window_start = today - datetime.timedelta(days=rules.SUGGESTION_WINDOW_DAYS - 1)
    for plan in plans:
        plan_rows = by_plan.get(plan.pk, [])
        recent = [
            rules.SessionFacts(
                r["date"], r["pain_before"], r["pain_after"], tuple(r["red_flags"] or ())
            )
            for r in plan_rows
            if r["date"] >= window_start
        ]
        start = max(plan.start_date, window_start)
        days = rules.elapsed_days(start=start, end=plan.last_day, today=today)
        adherence = rules.adherence_percent(
            len(recent), rules.prescribed_sessions(plan.sessions_per_week, days)
        )
        weekly = _weekly_means(plan_rows, today)
        suggestion = rules.suggest(
            sessions=recent, weekly_pain_before=weekly, adherence_14d=adherence
        )
        latest = recent[-1].date if recent else None
        last_review = reviewed.get(plan.pk)
        pending = (
            suggestion.kind != rules.KEEP
            and latest is not None
            and (last_review is None or latest > last_review)
        )
        unreviewed = [s for s in recent if last_review is None or s.date > last_review]
        days_running = rules.elapsed_days(start=plan.start_date, end=plan.last_day, today=today)
        flags = rules.patient_flags(
            sessions=unreviewed,
            weekly_pain_before=weekly,
            adherence_14d=adherence,
            days_running=days_running,
            last_session=last_dates.get(plan.pk),
            today=today,
            pending=pending,
        )
        week_start = plan.start_date + datetime.timedelta(
            days=7 * ((today - plan.start_date).days // 7)
        )
        result[plan.pk] = Monitor(
            plan=plan,
            suggestion=suggestion,
            pending=pending,
            flags=flags,
            adherence_14d=adherence,
            last_session=last_dates.get(plan.pk),
            latest_session_date=latest,
            last_pain_after=next(
                (s.pain_after for s in reversed(recent) if s.pain_after is not None), None
            ),
            week_done=sum(1 for r in plan_rows if r["date"] >= week_start),
        )
    return result
