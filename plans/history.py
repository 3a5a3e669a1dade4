"""History and adherence figures for one program, aggregated in the database.

Every function here runs a fixed number of queries, whatever the number of sessions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, Exists, IntegerField, Max, OuterRef, Q, Value, When
from django.utils import timezone

from exercises.models import translated
from plans import rules
from plans.models import Prescription, Session, SessionEntry


@dataclass
class Week:
    index: int
    start: object
    end: object
    prescribed: float
    target: int = 0  # the week's full target (sessions per week)
    in_progress: bool = False
    done: int = 0
    pain_before: float | None = None
    pain_after: float | None = None
    days: list = field(default_factory=list)  # (date, state) for a calendar row
    exercises: list = field(default_factory=list)  # (name, times ticked)

    @property
    def percent(self):
        # A week still under way has no percentage yet: it would punish the days to come.
        if self.in_progress:
            return None
        return rules.adherence_percent(self.done, self.prescribed)

    @property
    def level(self):
        return rules.adherence_level(self.percent)

    @property
    def prescribed_display(self):
        return self.target if self.in_progress else round(self.prescribed)


def _week_case(weeks, date_field):
    return Case(
        *[
            When(**{f"{date_field}__gte": start, f"{date_field}__lte": end}, then=Value(index))
            for index, start, end in weeks
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def done_sessions(plan):
    """Sessions with at least one ticked exercise count as done."""
    ticked = SessionEntry.objects.filter(session=OuterRef("pk"))
    return Session.objects.filter(plan=plan).filter(Exists(ticked))


def weekly_figures(plan, *, today=None, weeks=None):
    """One row per program week (up to today): sessions done vs prescribed and mean pain. 1 query."""
    today = today or timezone.localdate()
    all_weeks = rules.program_weeks(start=plan.start_date, last_day=plan.last_day)
    weeks = weeks if weeks is not None else [w for w in all_weeks if w[1] <= today]
    if not weeks:
        return []
    rows = (
        done_sessions(plan)
        .filter(date__gte=weeks[0][1], date__lte=weeks[-1][2])
        .annotate(week=_week_case(weeks, "date"))
        .values("week")
        .annotate(
            done=Count("id"),
            mean_before=Avg("pain_before"),
            mean_after=Avg("pain_after"),
        )
        .order_by()
    )
    by_week = {row["week"]: row for row in rows}
    result = []
    for index, start, end in weeks:
        days = rules.elapsed_days(start=start, end=end, today=today)
        week = Week(
            index,
            start,
            end,
            rules.prescribed_sessions(plan.sessions_per_week, days),
            target=plan.sessions_per_week,
            in_progress=end >= today,
        )
        row = by_week.get(index)
        if row:
            week.done = row["done"]
            week.pain_before = row["mean_before"]
            week.pain_after = row["mean_after"]
        result.append(week)
    return result


def add_week_details(plan, weeks, *, today=None):
    """Calendar days and per-exercise ticks for the given weeks. 2 queries."""
    if not weeks:
        return weeks
    today = today or timezone.localdate()
    first, last = weeks[-1].start, weeks[0].end
    if first > last:
        first, last = last, first
    sessions = {
        row["date"]: row
        for row in Session.objects.filter(plan=plan, date__gte=first, date__lte=last)
        .annotate(ticks=Count("entries"))
        .values("date", "ticks", "pain_after", "pk")
    }
    spans = [(w.index, w.start, w.end) for w in weeks]
    ticks = (
        SessionEntry.objects.filter(
            session__plan=plan, session__date__gte=first, session__date__lte=last
        )
        .annotate(week=_week_case(spans, "session__date"))
        .values("week", "prescription__exercise__name_en", "prescription__exercise__name_da")
        .annotate(times=Count("id"))
        .order_by("prescription__exercise__name_en")
    )

    class _Names:  # lets translated() pick the name in the user's language
        def __init__(self, row):
            self.name_en = row["prescription__exercise__name_en"]
            self.name_da = row["prescription__exercise__name_da"]

    per_week = {}
    for row in ticks:
        per_week.setdefault(row["week"], []).append((translated(_Names(row), "name"), row["times"]))
    for week in weeks:
        week.exercises = per_week.get(week.index, [])
        week.days = []
        for offset in range(7):
            day = week.start + datetime.timedelta(days=offset)
            session = sessions.get(day)
            if day > week.end:
                state = "outside"
            elif session and session["ticks"]:
                state = "done"
            elif day > today:
                state = "future"
            else:
                state = "missed"
            week.days.append((day, state, session))
    return weeks


def adherence_summary(plan, *, today=None):
    """Whole-program and last-14-days adherence, with their denominators. 1 query."""
    today = today or timezone.localdate()
    window_start = max(
        plan.start_date, today - datetime.timedelta(days=rules.ADHERENCE_WINDOW_DAYS - 1)
    )
    counts = done_sessions(plan).aggregate(
        total=Count("id", filter=Q(date__lte=today)),
        recent=Count("id", filter=Q(date__gte=window_start, date__lte=today)),
        last=Max("date"),
    )
    total_days = rules.elapsed_days(start=plan.start_date, end=plan.last_day, today=today)
    recent_days = rules.elapsed_days(start=window_start, end=plan.last_day, today=today)
    prescribed_total = rules.prescribed_sessions(plan.sessions_per_week, total_days)
    prescribed_recent = rules.prescribed_sessions(plan.sessions_per_week, recent_days)
    return {
        "done": counts["total"],
        "prescribed": round(prescribed_total),
        "percent": rules.adherence_percent(counts["total"], prescribed_total),
        "recent_done": counts["recent"],
        "recent_prescribed": round(prescribed_recent),
        "recent_percent": rules.adherence_percent(counts["recent"], prescribed_recent),
        "last_session": counts["last"],
    }


def prescriptions_on(plan, day):
    """The doses in effect on a day, with their exercises and condition notes. 2 queries."""
    return list(
        Prescription.objects.in_effect_on(day)
        .filter(plan=plan)
        .select_related("exercise")
        .prefetch_related("exercise__condition_notes")
        .order_by("order", "pk")
    )
