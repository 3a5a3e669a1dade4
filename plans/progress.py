"""Plan progress, computed once: program weeks, adherence, pain trends, flags and the suggestion.

Every screen that shows one of these figures reads it from here, so the caseload, the patient page,
the checklist and the history cannot disagree. The database only fetches rows (a fixed number of
queries, each bounded by a window of days, whatever the length of the history); the figures are
built from them by the pure rules in plans/rules.py.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext, ngettext

from exercises.models import translated
from hipcare import cache
from plans import charts, describe, rules
from plans.models import Contact, Plan, Prescription, Session, SessionEntry

# The pain trend compares this many 7-day windows ending today.
TREND_WEEKS = 4
HISTORY_WEEKS_PER_PAGE = 8
# The pain chart shows this many weeks, ending with the newest week of the page shown.
CHART_WEEKS = 16


# --- Weeks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A program week: weeks run from the start day (a Wednesday start makes Wed–Tue weeks)."""

    index: int
    start: datetime.date
    end: datetime.date


def program_weeks(plan) -> list[Span]:
    return [
        Span(i, start, end)
        for i, start, end in rules.program_weeks(start=plan.start_date, last_day=plan.last_day)
    ]


def week_of(plan, day) -> Span | None:
    """The program week holding `day`, or None outside the program."""
    if not plan.start_date <= day <= plan.last_day:
        return None
    index = (day - plan.start_date).days // 7 + 1
    start = plan.start_date + datetime.timedelta(weeks=index - 1)
    return Span(index, start, min(start + datetime.timedelta(days=6), plan.last_day))


@dataclass(frozen=True)
class Adherence:
    """Sessions done against sessions prescribed over some days of the program.

    The page shows whole sessions ("5 of 6 prescribed sessions"), and the percentage is that
    fraction: sessions beyond the prescription count at most as prescribed (100 %), and with
    nothing prescribed yet (day one of 3 a week is 3/7 of a session) there is no percentage.
    """

    done: int
    prescribed: float  # exact: 3 a week over 10 days is 4.29

    @property
    def prescribed_display(self) -> int:
        """The sessions prescribed so far, as whole sessions (never x.5: see prescribed_sessions)."""
        return round(self.prescribed)

    @property
    def counted(self) -> int:
        """The sessions done that count towards the percentage: at most those prescribed."""
        return min(self.done, self.prescribed_display)

    @property
    def beyond(self) -> int:
        """Sessions done beyond the prescription (not a fault: they just do not count twice)."""
        return max(self.done - self.prescribed_display, 0)

    @property
    def percent(self) -> int | None:
        return rules.adherence_percent(self.counted, self.prescribed_display)

    @property
    def level(self) -> str | None:
        return rules.adherence_level(self.percent)

    @property
    def text(self) -> str:
        """In the reader's language: "5 of 6 prescribed sessions", "24 sessions (20 prescribed)",
        "1 session done; none prescribed yet" or "No sessions prescribed yet"."""
        done, n = self.done, self.prescribed_display
        if n == 0:
            if not done:
                return gettext("No sessions prescribed yet")
            return ngettext(
                "%(done)s session done; none prescribed yet",
                "%(done)s sessions done; none prescribed yet",
                done,
            ) % {"done": done}
        if self.beyond:
            return gettext("%(done)s sessions (%(n)s prescribed)") % {"done": done, "n": n}
        return gettext("%(done)s of %(n)s prescribed sessions") % {"done": done, "n": n}


def adherence_over(plan, *, done, start, end, today) -> Adherence:
    days = rules.elapsed_days(
        start=max(start, plan.start_date), end=min(end, plan.last_day), today=today
    )
    return Adherence(done, rules.prescribed_sessions(plan.sessions_per_week, days))


@dataclass
class Week:
    span: Span
    adherence: Adherence
    target: int  # the week's full target (sessions per week)
    in_progress: bool
    pain_before: float | None = None
    pain_after: float | None = None
    days: list = field(default_factory=list)  # (date, state, session row) for a calendar row
    exercises: list = field(default_factory=list)  # (name, times ticked)
    weeks: int = 0  # the program's planned length, for "week 7 of 12"

    @property
    def index(self):
        return self.span.index

    @property
    def start(self):
        return self.span.start

    @property
    def end(self):
        return self.span.end

    @property
    def done(self):
        return self.adherence.done

    @property
    def percent(self):
        # A week still under way has no percentage yet: it would punish the days to come.
        return None if self.in_progress else self.adherence.percent

    @property
    def level(self):
        return rules.adherence_level(self.percent)

    @property
    def prescribed_display(self):
        return self.target if self.in_progress else self.adherence.prescribed_display

    @property
    def count_text(self) -> str:
        """Reads "2 of 3 sessions", or "4 sessions (3 planned)" when more were done."""
        done, n = self.done, self.prescribed_display
        if n == 0:  # the one-day last week of an ended program
            if not done:
                return gettext("no sessions planned")
            return ngettext(
                "%(done)s session (none planned)", "%(done)s sessions (none planned)", done
            ) % {"done": done}
        if done > n:
            return gettext("%(done)s sessions (%(n)s planned)") % {"done": done, "n": n}
        return gettext("%(done)s of %(n)s sessions") % {"done": done, "n": n}

    @property
    def text(self) -> str:
        """Reads "Week 7 of 12: 2 of 3 sessions", or "Week 7 of 12: 4 sessions (3 planned)"."""
        values = {"index": self.index, "total": self.weeks, "done": self.done}
        values["n"] = n = self.prescribed_display
        if n == 0:
            if not self.done:
                return gettext("Week %(index)s of %(total)s: no sessions planned") % values
            return (
                ngettext(
                    "Week %(index)s of %(total)s: %(done)s session (none planned)",
                    "Week %(index)s of %(total)s: %(done)s sessions (none planned)",
                    self.done,
                )
                % values
            )
        if self.done > n:
            return (
                gettext("Week %(index)s of %(total)s: %(done)s sessions (%(n)s planned)") % values
            )
        return gettext("Week %(index)s of %(total)s: %(done)s of %(n)s sessions") % values


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def build_week(plan, span: Span, rows, *, today) -> Week:
    """A week's figures from session rows (see _session_rows); only ticked sessions count."""
    done = [r for r in rows if r["ticks"] and span.start <= r["date"] <= span.end]
    return Week(
        span,
        adherence_over(plan, done=len(done), start=span.start, end=span.end, today=today),
        target=plan.sessions_per_week,
        in_progress=span.end >= today,
        weeks=plan.weeks,
        pain_before=_mean(r["pain_before"] for r in done),
        pain_after=_mean(r["pain_after"] for r in done),
    )


# --- Fetching: one query each ----------------------------------------------------------------------


def _session_rows(plan_ids, first, last):
    """Sessions of the plans between two days, with their number of ticked exercises."""
    return list(
        Session.objects.filter(plan_id__in=plan_ids, date__gte=first, date__lte=last)
        .annotate(ticks=Count("entries"))
        .values(
            "pk",
            "plan_id",
            "date",
            "pain_before",
            "pain_after",
            "red_flags",
            "ticks",
            "screen_stopped_at",
        )  # fmt: skip
        .order_by("plan_id", "date")
    )


def _done_sessions(*, today):
    """The sessions done up to today: those with at least one ticked exercise."""
    return Session.objects.filter(date__lte=today).filter(
        Exists(SessionEntry.objects.filter(session=OuterRef("pk")))
    )


def _done_counts(plan_ids, *, today):
    """Per plan: sessions done in the whole program and in the adherence window, the last one."""
    window_start = today - datetime.timedelta(days=rules.ADHERENCE_WINDOW_DAYS - 1)
    rows = (
        _done_sessions(today=today)
        .filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(
            total=Count("id"),
            recent=Count("id", filter=Q(date__gte=window_start)),
            last=Max("date"),
        )
        .order_by()
    )
    return {row["plan_id"]: row for row in rows}


def with_done_counts(plans, *, today):
    """A Plan queryset with what _done_counts reads, as subqueries of the plans' own query
    (done_total, done_recent, done_last): for_plans then reads them from the plans instead of
    asking the database again. Pass for_plans the same `today`."""
    window_start = today - datetime.timedelta(days=rules.ADHERENCE_WINDOW_DAYS - 1)
    done = _done_sessions(today=today).filter(plan=OuterRef("pk")).order_by().values("plan")

    def per_plan(aggregate, **filters):
        return Subquery(done.filter(**filters).annotate(value=aggregate).values("value"))

    return plans.annotate(
        done_total=per_plan(Count("id")),
        done_recent=per_plan(Count("id"), date__gte=window_start),
        done_last=per_plan(Max("date")),
    )


def _counts(plans, *, today):
    """_done_counts of the plans: read from plans fetched with_done_counts, else 1 query."""
    if all(hasattr(plan, "done_total") for plan in plans):
        return {
            # A plan without a session done has no group in the subqueries: NULL.
            plan.pk: {
                "total": plan.done_total or 0,
                "recent": plan.done_recent or 0,
                "last": plan.done_last,
            }
            for plan in plans
        }
    return _done_counts([plan.pk for plan in plans], today=today)


# --- Adherence summary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    overall: Adherence  # the whole program so far
    recent: Adherence  # the adherence window (rules.ADHERENCE_WINDOW_DAYS)
    last_session: datetime.date | None
    window_days: int = rules.ADHERENCE_WINDOW_DAYS


def _summary(plan, counts, *, today) -> Summary:
    counts = counts or {"total": 0, "recent": 0, "last": None}
    window_start = today - datetime.timedelta(days=rules.ADHERENCE_WINDOW_DAYS - 1)
    return Summary(
        overall=adherence_over(
            plan, done=counts["total"], start=plan.start_date, end=today, today=today
        ),
        recent=adherence_over(
            plan, done=counts["recent"], start=window_start, end=today, today=today
        ),
        last_session=counts["last"],
    )


def summary(plan, *, today) -> Summary:
    """Whole-program and recent adherence of one plan. 1 query."""
    return _summary(plan, _done_counts([plan.pk], today=today).get(plan.pk), today=today)


# --- Progress: everything a caseload row or a patient page shows --------------------------------------


@dataclass
class Progress:
    plan: object
    summary: Summary
    week: Week | None  # this week, while the program runs
    suggestion: rules.Suggestion
    pending: bool  # a suggestion the physio has not decided on yet
    flags: list
    latest_session_date: datetime.date | None  # the newest session the suggestion considered
    last_pain_after: int | None
    contact_needed: bool = False  # a stop no contact has covered yet

    @property
    def urgency(self):
        return min((rules.FLAG_URGENCY[f] for f in self.flags), default=99)

    @property
    def dose_decision_pending(self):
        """A suggestion the physio answers with doses; a stop is answered by a contact instead,
        never by a one-click dose cut."""
        return self.pending and self.suggestion.kind != rules.STOP

    @property
    def contact_reason(self):
        """What the physio is asked to record: a contact after a stop, else a due review."""
        if self.contact_needed:
            return Contact.Reason.STOP
        if rules.FLAG_REVIEW_DUE in self.flags:
            return Contact.Reason.REVIEW
        return None


def _trend(rows, today):
    """Mean pain before per 7-day window ending today, oldest first (None: no session)."""
    means = []
    for back in reversed(range(TREND_WEEKS)):
        end = today - datetime.timedelta(days=7 * back)
        start = end - datetime.timedelta(days=6)
        means.append(_mean(r["pain_before"] for r in rows if start <= r["date"] <= end))
    return means


MARKS = ("review_through", "stop_contact_through", "program_review_on")


def _marks(plans):
    """The physio's last decisions per plan (see PlanQuerySet.with_marks): read from the plans
    when they were fetched with them, else in 1 query."""
    if all(hasattr(plan, MARKS[0]) for plan in plans):
        return {plan.pk: {m: getattr(plan, m) for m in MARKS} for plan in plans}
    rows = Plan.objects.filter(pk__in=[p.pk for p in plans]).with_marks().values("pk", *MARKS)
    return {row.pop("pk"): row for row in rows}


def _facts(row):
    return rules.SessionFacts(
        row["date"], row["pain_before"], row["pain_after"], tuple(row["red_flags"] or ())
    )


def for_plans(plans, *, today) -> dict:
    """Progress of many plans, keyed by plan pk. 2 queries for plans fetched with_marks(),
    whatever the number of plans, 1 for plans also fetched with_done_counts(); the rows read are
    bounded by TREND_WEEKS. For plans fetched with_marks() it is kept in the shared cache under
    what it is computed from: the program's revision (its sessions, answers and doses), the
    physio's marks and the day; none of those changed, no query at all."""
    plans = list(plans)
    if not plans:
        return {}
    if not all(hasattr(plan, MARKS[0]) for plan in plans):
        return _for_plans(plans, today=today)
    by_id = {plan.pk: plan for plan in plans}
    parts = {
        plan.pk: (plan.pk, plan.revision, *(getattr(plan, m) for m in MARKS), today.isoformat())
        for plan in plans
    }

    def compute(ids):  # kept without the plan row (put back below)
        computed = _for_plans([by_id[i] for i in ids], today=today)
        return {pk: replace(progress, plan=None) for pk, progress in computed.items()}

    found = cache.cached_many("progress", parts, compute)
    # The plan rows read now (its course, its patient), not the ones kept with the figures.
    return {pk: replace(progress, plan=by_id[pk]) for pk, progress in found.items()}


def _for_plans(plans, *, today) -> dict:
    ids = [p.pk for p in plans]
    since = today - datetime.timedelta(days=7 * TREND_WEEKS - 1)
    by_plan = {}
    for row in _session_rows(ids, since, today):
        by_plan.setdefault(row["plan_id"], []).append(row)
    counts = _counts(plans, today=today)
    marks = _marks(plans)
    window_start = today - datetime.timedelta(days=rules.ADHERENCE_WINDOW_DAYS - 1)
    week_start = today - datetime.timedelta(days=6)
    result = {}
    for plan in plans:
        all_rows = by_plan.get(plan.pk, [])
        rows = [r for r in all_rows if r["ticks"]]
        stopped = [
            r for r in all_rows if not r["ticks"] and r["pain_before"] is not None
            and rules.screen_says_stop(r["pain_before"], r["red_flags"])
        ]  # fmt: skip
        recent = [_facts(r) for r in rows if r["date"] >= window_start]
        screened = [_facts(r) for r in stopped if r["date"] >= window_start]
        plan_summary = _summary(plan, counts.get(plan.pk), today=today)
        trend = _trend(rows, today)
        suggestion = rules.suggest(
            sessions=recent,
            weekly_pain_before=trend,
            adherence_14d=plan_summary.recent.percent,
            screened=screened,
            mode=plan.pain_mode,
        )
        latest = max((s.date for s in [*recent, *screened]), default=None)
        plan_marks = marks.get(plan.pk, {})
        contacted = plan_marks.get("stop_contact_through")
        # A stop is answered by contacting the patient; other suggestions by a dose decision.
        decided = contacted if suggestion.kind == rules.STOP else plan_marks.get("review_through")
        pending = (
            suggestion.kind != rules.KEEP
            and latest is not None
            and (decided is None or latest > decided)
        )
        uncovered_rows = [r for r in all_rows if contacted is None or r["date"] > contacted]
        uncovered = [_facts(r) for r in uncovered_rows]
        # A stop the patient then answered away still waits for the physio's contact.
        stopped_before = any(r["screen_stopped_at"] for r in uncovered_rows)
        span = week_of(plan, today)
        result[plan.pk] = Progress(
            plan=plan,
            summary=plan_summary,
            week=build_week(plan, span, rows, today=today) if span else None,
            suggestion=suggestion,
            pending=pending,
            flags=rules.patient_flags(
                sessions=uncovered,
                screen_stopped=stopped_before,
                weekly_pain_before=trend,
                adherence_14d=plan_summary.recent.percent,
                days_running=rules.elapsed_days(
                    start=plan.start_date, end=plan.last_day, today=today
                ),
                last_session=plan_summary.last_session,
                today=today,
                # A stop's own flag asks for a contact; a waiting dose decision is the other kind.
                pending=pending and suggestion.kind != rules.STOP,
                week_pains_before=[r["pain_before"] for r in rows if r["date"] >= week_start],
                review_is_due=rules.review_due(
                    start=plan.start_date,
                    end=plan.end_date,
                    today=today,
                    last_review=plan_marks.get("program_review_on"),
                ),
            ),
            latest_session_date=latest,
            last_pain_after=next(
                (s.pain_after for s in reversed(recent) if s.pain_after is not None), None
            ),
            contact_needed=stopped_before or any(rules.needs_contact(f) for f in uncovered),
        )
    return result


def for_plan(plan, *, today) -> Progress:
    return for_plans([plan], today=today)[plan.pk]


@dataclass
class CaseloadRow:
    patient: object
    plan: object | None  # the active program, if any
    progress: Progress | None

    @property
    def flags(self):
        """(code, label) pairs, most urgent first."""
        return [(f, describe.flag_label(f)) for f in self.progress.flags] if self.progress else []

    @property
    def order(self):
        # Flagged first by urgency, then patients without a program, then the rest.
        if self.progress:
            return self.progress.urgency
        return 98 if self.plan is None else 99


def caseload(patients, *, today) -> list[CaseloadRow]:
    """Rows for patients with `active_plans` prefetched, most urgent first. 3 queries."""
    plans = {p.pk: p.active_plans[0] for p in patients if p.active_plans}
    progresses = for_plans(plans.values(), today=today)
    rows = []
    for patient in patients:
        plan = plans.get(patient.pk)
        rows.append(CaseloadRow(patient, plan, progresses.get(plan.pk) if plan else None))
    return sorted(rows, key=lambda row: row.order)  # stable: the name order stays within a rank


def proposed_changes(kind, prescriptions):
    """(prescription, rules.Step) for each prescription under a suggestion of `kind`."""
    changes = []
    for rx in prescriptions:
        step = rules.dose_step(kind, rx.dose, rx.exercise.dose)
        if step is not None:
            changes.append((rx, step))
    return changes


# --- One week (the checklist) and the history --------------------------------------------------------


def week(plan, day, *, today) -> Week | None:
    """The figures of the program week holding `day`. 1 query, bounded by the week."""
    span = week_of(plan, day)
    if span is None:
        return None
    return build_week(plan, span, _session_rows([plan.pk], span.start, span.end), today=today)


@dataclass
class History:
    weeks_page: object  # a Paginator page of Week, newest first, with calendar days and exercises
    chart_weeks: list  # up to CHART_WEEKS weeks, oldest first, ending with the page's newest week
    chart: dict

    @property
    def chart_last(self):
        return self.chart_weeks[-1].index if self.chart_weeks else None


def _calendar(week_, sessions, today):
    days = []
    for offset in range(7):
        day = week_.start + datetime.timedelta(days=offset)
        session = sessions.get(day)
        if day > week_.end:
            state = "outside"
        elif session and session["ticks"]:
            state = "done"
        elif day > today:
            state = "future"
        else:
            state = "missed"
        days.append((day, state, session))
    return days


def _exercise_ticks(plan, spans):
    """Per program week: (exercise name, times ticked), by name. 1 query."""
    ticks = (
        SessionEntry.objects.filter(
            session__plan=plan, session__date__gte=spans[0].start, session__date__lte=spans[-1].end
        )
        .values(
            "session__date", "prescription__exercise__name_en", "prescription__exercise__name_da"
        )
        .annotate(times=Count("id"))
        .order_by("prescription__exercise__name_en")
    )
    per_week = {}
    for row in ticks:
        index = (row["session__date"] - plan.start_date).days // 7 + 1
        names = per_week.setdefault(index, {})
        name = translated(_Names(row), "name")
        names[name] = names.get(name, 0) + row["times"]
    return {index: list(names.items()) for index, names in per_week.items()}


class _Names:  # lets translated() pick a fetched row's exercise name in the user's language
    def __init__(self, row):
        self.name_en = row["prescription__exercise__name_en"]
        self.name_da = row["prescription__exercise__name_da"]


def history(plan, *, page_number, today) -> History:
    """Weeks up to today, paginated, and the pain chart. 2 queries, flat over years of history."""
    spans = [s for s in program_weeks(plan) if s.start <= today]
    page = Paginator(list(reversed(spans)), HISTORY_WEEKS_PER_PAGE).get_page(page_number)
    if not page.object_list:
        return History(page, [], charts.pain_chart([]))
    newest = page.object_list[0].index
    window = [s for s in spans if newest - CHART_WEEKS < s.index <= newest]
    rows = _session_rows([plan.pk], window[0].start, window[-1].end)
    weeks = [build_week(plan, span, rows, today=today) for span in window]
    sessions = {r["date"]: r for r in rows}
    by_index = {w.index: w for w in weeks}
    shown = [by_index[span.index] for span in page.object_list]
    ticks = _exercise_ticks(plan, [shown[-1].span, shown[0].span])
    for week_ in shown:
        week_.days = _calendar(week_, sessions, today)
        week_.exercises = ticks.get(week_.index, [])
    page.object_list = shown
    chart = charts.pain_chart([(f"{w.index}", w.pain_before, w.pain_after) for w in weeks])
    return History(page, weeks, chart)


def eased_after(session) -> bool:
    """Whether this hard session eased any dose (not at the bottom of the ladder). 1 query."""
    return Prescription.objects.filter(eased_after=session).exists()


def recently_changed(prescriptions, day):
    """The doses the physio changed in the last few days, to point out on the checklist."""
    since = day - datetime.timedelta(days=rules.CHANGE_NOTICE_DAYS)
    return [
        rx
        for rx in prescriptions
        if rx.change_reason and rx.eased_after_id is None and rx.valid_from > since
    ]


def eased_doses(prescriptions):
    """Doses hipcare eased after one hard session and the physio has not changed since, with
    that session (prescriptions fetched with eased_after)."""
    return [rx for rx in prescriptions if rx.eased_after_id is not None]


def prescriptions_on(plan, day):
    """The doses in effect on a day, with their exercises and condition notes. 2 queries."""
    return list(
        Prescription.objects.in_effect_on(day)
        .filter(plan=plan)
        .select_related("exercise", "eased_after")
        .prefetch_related("exercise__condition_notes")
        .order_by("order", "pk")
    )
