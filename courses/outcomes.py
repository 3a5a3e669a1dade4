"""The course read model: what the patient owes today (a questionnaire, the week's pain, a text
to read), and each measure over the course with its change judged against the minimal
important change. A fixed number of queries; the judgement is courses/rules.py's."""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef

from courses import rules
from courses.models import Course, EducationText, Instrument, Item, Result
from courses.services import instruments_for, instruments_in_use
from plans import progress

POINT_LABELS = dict(Result.Point.choices)


@dataclass
class MeasureRow:
    instrument: Instrument
    measure: object  # courses.models.Measure
    values: dict = field(default_factory=dict)  # point → value (baseline, review, discharge)
    weekly: list = field(default_factory=list)  # (week, value), oldest first

    @property
    def start(self):
        return self.values.get(rules.BASELINE)

    @property
    def end(self):
        """The newest value after the start: discharge, else review."""
        for point in (rules.DISCHARGE, rules.REVIEW):
            if self.values.get(point) is not None:
                return self.values[point]
        return None

    @property
    def end_point(self):
        for point in (rules.DISCHARGE, rules.REVIEW):
            if self.values.get(point) is not None:
                return point
        return None

    @property
    def difference(self):
        if self.start is None or self.end is None:
            return None
        return round(self.end - self.start, 1)

    @property
    def verdict(self):
        return rules.change(
            self.start,
            self.end,
            higher_is_better=self.measure.higher_is_better,
            mic=self.measure.mic,
        )

    def at(self, point):
        return self.values.get(point)


# Where a course stands (CourseState.stage), in order.
STAGE_BASELINE, STAGE_REVIEW, STAGE_REVIEW_DUE, STAGE_REVIEWED, STAGE_DISCHARGED = (
    "baseline", "review", "review_due", "reviewed", "discharged",
)  # fmt: skip


@dataclass
class Owed:
    """What the patient still has to answer (CourseState.owed)."""

    point: str | None  # the point whose questionnaires are due, if any
    questionnaires: list  # those of them not answered yet
    week: int | None  # the program week whose hip pain is not given yet

    def __bool__(self):
        return bool(self.questionnaires) or self.week is not None


@dataclass
class CourseState:
    course: Course
    instruments: list  # in use at the patient's clinic, in order
    results: list
    rows: list  # MeasureRow per measure, in order

    def answered(self, point) -> bool:
        """The patient has answered this point's questionnaires. They answer every questionnaire
        in use on one page, all or none, so one answer is the page: a questionnaire the clinic
        loads later is asked from the next point on, not at a point already answered (a second
        "baseline" in week 6)."""
        wanted = {i.pk for i in self.questionnaires}
        return any(r.point == point and r.instrument_id in wanted for r in self.results)

    def recorded(self, point) -> bool:
        """Every performance test is recorded at this point."""
        done = {r.instrument_id for r in self.results if r.point == point}
        wanted = [i for i in self.instruments if i.kind == Instrument.Kind.PERFORMANCE]
        return all(i.pk in done for i in wanted)

    @property
    def questionnaires(self):
        return [i for i in self.instruments if i.kind == Instrument.Kind.QUESTIONNAIRE]

    @property
    def tests(self):
        return [i for i in self.instruments if i.kind == Instrument.Kind.PERFORMANCE]

    @property
    def weekly_instrument(self):
        return next((i for i in self.instruments if i.weekly), None)

    def result(self, instrument, point, week=0):
        return next(
            (
                r
                for r in self.results
                if r.instrument_id == instrument.pk and r.point == point and r.week == week
            ),
            None,
        )

    def due_point(self, today):
        """The point whose questionnaire the patient is asked for today, or None."""
        plan = self.course.plan
        return rules.questionnaire_due(
            start=plan.start_date,
            end=plan.end_date,
            today=today,
            answered={p for p in rules.POINTS if self.answered(p)},
            reviewed=self.course.reviewed,
            discharged=self.course.discharged,
            discharge_asked=self.course.discharge_asked_at is not None,
        )

    def stage(self, today) -> str:
        """Where the course stands, for its status line: STAGE_BASELINE while the start's
        questionnaires or tests are still missing and the review is not open yet, then
        STAGE_REVIEW (due on course.review_on), STAGE_REVIEW_DUE from that day, STAGE_REVIEWED,
        STAGE_DISCHARGED."""
        course = self.course
        if course.discharged:
            return STAGE_DISCHARGED
        if course.reviewed:
            return STAGE_REVIEWED
        baseline_in = self.answered(rules.BASELINE) and self.recorded(rules.BASELINE)
        if not baseline_in and self.tests_point(today) == rules.BASELINE:
            return STAGE_BASELINE
        return STAGE_REVIEW_DUE if today >= course.review_on else STAGE_REVIEW

    def review_open(self, today) -> bool:
        """The physio is pointed to the review: its tests are the ones due now and it is not
        recorded yet."""
        return not self.course.reviewed and self.tests_point(today) == rules.REVIEW

    def tests_point(self, today) -> str:
        """The point whose performance tests the physio records now (rules.tests_point)."""
        course, plan = self.course, self.course.plan
        return rules.tests_point(
            start=plan.start_date,
            end=plan.end_date,
            today=today,
            reviewed=course.reviewed,
            discharged=course.discharged,
            discharge_asked=course.discharge_asked_at is not None,
        )

    def owed(self, today) -> "Owed":
        """What the patient has not answered yet today: the due point's questionnaires still
        missing, and the program week whose hip pain is still to give (None if none)."""
        point = self.due_point(today)
        missing = []
        if point is not None:
            missing = [i for i in self.questionnaires if self.result(i, point) is None]
        span = progress.week_of(self.course.plan, today)
        week = span.index if span is not None and self.weekly_due(span.index) else None
        return Owed(point, missing, week)

    def may_answer(self, point, today) -> bool:
        """The patient may open a point's questionnaires: the one asked today, or one they
        answered already (to correct an answer); the physio's tests at a point open nothing."""
        return point == self.due_point(today) or self.answered(point)

    def weekly_due(self, week_number) -> bool:
        instrument = self.weekly_instrument
        if instrument is None or self.course.discharged:
            return False
        answered = {
            r.week
            for r in self.results
            if r.instrument_id == instrument.pk and r.point == rules.WEEK
        }
        return rules.weekly_pain_due(week_number, answered)


def _rows(instruments, results):
    rows = []
    for instrument in instruments:
        for measure in instrument.measures.all():
            row = MeasureRow(instrument, measure)
            for result in results:
                if result.instrument_id != instrument.pk:
                    continue
                value = result.scores.get(measure.code)
                if result.point == rules.WEEK:
                    row.weekly.append((result.week, value))
                else:
                    row.values[result.point] = value
            row.weekly.sort(key=lambda pair: pair[0])
            rows.append(row)
    return rows


def state(course) -> CourseState:
    """The course of a plan fetched with its patient. 5 queries (the results, instruments_for's
    4). The outcome rows keep the measures of a licensed instrument the clinic has stopped
    using, for the answers given while it did; the patient is no longer asked it."""
    results = list(Result.objects.filter(course=course).order_by("recorded_at", "pk"))
    every = instruments_for(
        course.plan.patient.clinic_id, keep={result.instrument_id for result in results}
    )
    instruments = [instrument for instrument in every if instrument.in_use]
    return CourseState(course, instruments, results, _rows(every, results))


def standing(course, *, clinic_id) -> CourseState:
    """Where a course stands, for its box on the physio's patient page (stage, tests_point,
    review_open, due_point): the instruments in use, each with whether the course has a result
    at each point. 1 query. No scores and no weeks: not for the weekly pain (checklist) nor the
    outcomes (state)."""
    course_results = Result.objects.filter(course=course, instrument=OuterRef("pk"))
    at = {f"at_{point}": Exists(course_results.filter(point=point)) for point in rules.POINTS}
    instruments = list(instruments_in_use(clinic_id).annotate(**at).order_by("order", "code"))
    # An unsaved Result for each point an instrument was measured at: all the questions above
    # read of a result.
    results = [
        Result(course=course, instrument=instrument, point=point)
        for instrument in instruments
        for point in rules.POINTS
        if getattr(instrument, f"at_{point}")
    ]
    return CourseState(course, instruments, results, rows=[])


def discharge_cautions(plan) -> list:
    """The exercises going into the maintenance program whose caution for the plan's condition
    the physio has not confirmed yet (the catalogue gained it after they were prescribed):
    (exercise, caution note) in the program's order. 2 queries (the current doses with their
    exercises, the exercises' notes)."""
    current = (
        plan.prescriptions.current()
        .select_related("exercise")
        .prefetch_related("exercise__condition_notes")
        .order_by("order", "pk")
    )
    cautions = []
    for rx in current:
        if rx.caution_confirmed or not rx.exercise.is_active:
            continue
        if (note := rx.exercise.caution_for(plan.condition_id)) is not None:
            cautions.append((rx.exercise, note))
    return cautions


@dataclass
class WeekRow:
    """One program week on the review page: adherence beside the pain."""

    week: object  # plans.progress.Week
    weekly_pain: float | None


def weeks(course_state, *, today) -> list[WeekRow]:
    """The program's weeks so far (up to plans.progress.CHART_WEEKS), each with its adherence,
    the sessions' pain and the patient's weekly hip pain. 2 queries (progress.history)."""
    plan = course_state.course.plan
    history = progress.history(plan, page_number=1, today=today)
    weekly = {}
    instrument = course_state.weekly_instrument
    if instrument is not None:
        for result in course_state.results:
            if result.instrument_id == instrument.pk and result.point == rules.WEEK:
                weekly[result.week] = result.scores.get("value")
    return [WeekRow(w, weekly.get(w.index)) for w in history.chart_weeks]


def education_next(patient, plan, week_number):
    """The text to show on the checklist: the first one not read yet for the plan's condition,
    up to this program week. 1 query."""
    if week_number is None:
        return None
    return (
        EducationText.objects.for_condition(plan.condition_id)
        .filter(week__lte=week_number)
        .exclude(reads__patient=patient)
        .order_by("week", "order", "pk")
        .first()
    )


def education_read(patient, condition_id=None):
    """The texts the patient has read for a condition (every condition when None), newest
    first, each with `read_at`. 1 query."""
    texts = (
        EducationText.objects.filter(is_active=True)
        if condition_id is None
        else EducationText.objects.for_condition(condition_id)
    )
    return list(
        texts.filter(reads__patient=patient)
        .annotate(read_at=F("reads__read_at"))
        .order_by("-read_at", "-pk")
    )


@dataclass
class Checklist:
    """What today's checklist asks of a course: the point whose questionnaire is owed (or None)
    and whether the week's hip pain is, with the weekly question."""

    state: CourseState
    point: str | None
    weekly_due: bool
    weekly_item: object  # courses.models.Item of the weekly instrument, or None


def checklist(course, *, clinic_id, today, week_number) -> Checklist:
    """The course as the checklist needs it: no scores and no licensed texts, only which
    questionnaire is owed and the weekly question. course: fetched with its plan. 2 queries
    (the instruments in use with their items, the results)."""
    items = list(
        Item.objects.filter(instrument__in=instruments_in_use(clinic_id))
        .select_related("instrument")
        .order_by("instrument__order", "instrument__code", "number")
    )
    instruments = list({item.instrument_id: item.instrument for item in items}.values())
    results = list(Result.objects.filter(course=course).only("instrument", "point", "week"))
    course_state = CourseState(course, instruments, results, rows=[])
    weekly = course_state.weekly_instrument
    return Checklist(
        state=course_state,
        point=course_state.due_point(today),
        weekly_due=course_state.weekly_due(week_number),
        weekly_item=next((i for i in items if weekly and i.instrument_id == weekly.pk), None),
    )
