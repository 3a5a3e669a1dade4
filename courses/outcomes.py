"""The course read model: what the patient owes today (a questionnaire, the week's pain, a text
to read), and each measure over the course with its change judged against the minimal
important change. A fixed number of queries; the judgement is courses/rules.py's."""

from dataclasses import dataclass, field

from courses import rules
from courses.models import Course, EducationText, Instrument, Result
from courses.services import instruments_for
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


@dataclass
class CourseState:
    course: Course
    instruments: list  # in use at the patient's clinic, in order
    results: list
    rows: list  # MeasureRow per measure, in order

    def answered(self, point) -> bool:
        """Every questionnaire in use is answered at this point."""
        done = {r.instrument_id for r in self.results if r.point == point}
        wanted = [i for i in self.instruments if i.kind == Instrument.Kind.QUESTIONNAIRE]
        return bool(wanted) and all(i.pk in done for i in wanted)

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
    """The course of a plan fetched with its patient. 3 queries."""
    instruments = instruments_for(course.plan.patient.clinic_id)
    results = list(Result.objects.filter(course=course).order_by("recorded_at", "pk"))
    return CourseState(course, instruments, results, _rows(instruments, results))


@dataclass
class WeekRow:
    """One program week on the review page: adherence beside the pain."""

    week: object  # plans.progress.Week
    weekly_pain: float | None


def weeks(course_state, *, today) -> list[WeekRow]:
    """The program's weeks so far (up to plans.progress.CHART_WEEKS), each with its adherence,
    the sessions' pain and the patient's weekly hip pain. 1 query."""
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


def education_read(patient, condition_id):
    """The texts the patient has read for a condition, newest first. 1 query."""
    return list(
        EducationText.objects.for_condition(condition_id)
        .filter(reads__patient=patient)
        .order_by("-reads__read_at")
    )
