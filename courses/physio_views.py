"""The physiotherapist's side of a course of care (issue #16): the course page (its patient reads
it too), the performance tests at a point, the 6-week review, the discharge and the printable
summary (both sides). Courses are fetched through Course.objects.for_user: another clinic's is
404. Each request writes the access log once."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import outcomes, rules, services
from courses.forms import DischargeForm, ReviewForm, TestsForm
from courses.models import Course, Instrument, Result
from hipcare import audit
from hipcare.access import care_required, physio_required
from hipcare.forms import add_errors
from plans import progress

CHANGE = audit.Action.CHANGE
POINT_LABELS = outcomes.POINT_LABELS


class _Refused(Exception):
    """Raised inside the tests' transaction so a refused value writes none of them."""


def _course(request, pk):
    return get_object_or_404(
        Course.objects.for_user(request.user).select_related(
            "plan__patient", "plan__condition", "plan__physio", "maintenance_plan"
        ),
        pk=pk,
    )


def _log(request, course, action=audit.Action.VIEW):
    audit.record(request.user, course.plan.patient, audit.What.COURSE, action)


def _context(request, course, state, today):
    return {
        "course": course,
        "plan": course.plan,
        "patient": course.plan.patient,
        "state": state,
        "stage": state.stage(today),
        "today": today,
        "point_labels": POINT_LABELS,
        # The patient reads their course; only a physio acts on it.
        "physio_view": request.user.is_physio,
    }


@care_required
def course_detail(request, pk):
    course = _course(request, pk)
    today = timezone.localdate()
    state = outcomes.state(course)
    _log(request, course)
    context = _context(request, course, state, today)
    tests_point = state.tests_point(today)
    owed = state.owed(today)
    context.update(
        {
            "weeks": outcomes.weeks(state, today=today),
            "owed": owed,
            "owed_label": POINT_LABELS.get(owed.point, ""),
            "tests_point": tests_point,
            "tests_point_label": POINT_LABELS[tests_point],
            # Each point's tests: (point, label, all recorded?) for the physio's links.
            "test_points": [(p, POINT_LABELS[p], state.recorded(p)) for p in rules.POINTS],
        }
    )
    return render(request, "courses/course.html", context)


@physio_required
def tests_record(request, pk, point):
    if point not in rules.POINTS:
        raise Http404
    course = _course(request, pk)
    instruments = services.instruments_for(
        course.plan.patient.clinic_id, kind=Instrument.Kind.PERFORMANCE
    )
    recorded = {
        r.instrument_id: r
        for r in Result.objects.filter(course=course, point=point, week=0).order_by("pk")
    }
    form = TestsForm(
        request.POST if request.method == "POST" else None,
        instruments=instruments,
        recorded=recorded,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # both tests or neither
                for instrument, answers in form.answers_given():
                    try:
                        services.result_record(
                            course=course,
                            instrument=instrument,
                            point=point,
                            answers=answers,
                            by=request.user,
                        )
                    except ValidationError as error:
                        form.add_service_error(instrument, error)
                if form.errors:
                    raise _Refused
                _log(request, course, CHANGE)
        except _Refused:
            pass
        else:
            messages.success(
                request,
                _("The tests at %(point)s are saved.") % {"point": POINT_LABELS[point].lower()},
            )
            return redirect("courses:course", course.pk)
    _log(request, course)
    context = {
        "course": course,
        "plan": course.plan,
        "patient": course.plan.patient,
        "form": form,
        "point": point,
        "point_label": POINT_LABELS[point],
    }
    return render(
        request,
        "courses/tests_record.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@physio_required
def review(request, pk):
    course = _course(request, pk)
    today = timezone.localdate()
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"decision": course.review_decision or None, "note": course.review_note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the review and its log entry together
                course = services.course_review(course=course, by=request.user, **form.cleaned_data)
                _log(request, course, CHANGE)
        except ValidationError as error:
            add_errors(form, error)
        else:
            decision = course.review_decision
            if decision == Course.Decision.ADJUST:
                messages.success(
                    request, _("The review is saved. Change the doses below with “Change dose”.")
                )
                return redirect("plans:patient-detail", course.plan.patient_id)
            if decision == Course.Decision.END:
                messages.success(
                    request,
                    _(
                        "The review is saved and the patient is asked for the discharge "
                        "questions. Discharge them here."
                    ),
                )
                return redirect("courses:discharge", course.pk)
            messages.success(request, _("The review is saved. The course goes on as planned."))
            return redirect("courses:course", course.pk)
    state = outcomes.state(course)
    _log(request, course)
    context = _context(request, course, state, today)
    context.update(
        {
            "form": form,
            "weeks": outcomes.weeks(state, today=today),
            "questionnaires_in": state.answered(rules.REVIEW),
            "tests_in": state.recorded(rules.REVIEW),
        }
    )
    return render(
        request, "courses/review.html", context, status=422 if request.method == "POST" else 200
    )


@physio_required
def discharge(request, pk):
    course = _course(request, pk)
    # A second POST too (a double click): its summary, not the form again with an error.
    if course.discharged:
        messages.info(request, _("This course is already discharged: here is its summary."))
        return redirect("courses:summary", course.pk)
    today = timezone.localdate()
    form = DischargeForm(
        request.POST if request.method == "POST" else None,
        plan=course.plan,
        cautions=outcomes.discharge_cautions(course.plan),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                course = services.course_discharge(
                    course=course,
                    by=request.user,
                    note=data["note"],
                    sessions_per_week=data["sessions_per_week"],
                    weeks=data["weeks"],
                    confirmed_cautions=form.confirmed_cautions(),
                )
                _log(request, course, CHANGE)
                _queue_summary_mail(request, course)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Discharged. The maintenance program starts today; the patient is told by "
                    "e-mail that this summary is ready."
                )
                if course.plan.patient.email
                else _("Discharged. The maintenance program starts today."),
            )
            return redirect("courses:summary", course.pk)
    state = outcomes.state(course)
    _log(request, course)
    context = _context(request, course, state, today)
    context.update(
        {
            "form": form,
            "questionnaires_in": state.answered(rules.DISCHARGE),
            "tests_in": state.recorded(rules.DISCHARGE),
        }
    )
    return render(
        request, "courses/discharge.html", context, status=422 if request.method == "POST" else 200
    )


def _queue_summary_mail(request, course):
    """The patient's "Your course summary is ready" e-mail, queued once the discharge commits,
    in the language of the page (as the invitation: hipcare keeps no language per patient)."""
    from hipcare.tasks import course_summary_mail_task  # imports courses.services when run

    if not course.plan.patient.email:
        return
    kwargs = {
        "course_id": course.pk,
        "base_url": request.build_absolute_uri("/"),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    transaction.on_commit(lambda: course_summary_mail_task.enqueue(**kwargs))


@require_POST
@physio_required
def ask_discharge(request, pk):
    course = _course(request, pk)
    try:
        with transaction.atomic():
            services.course_ask_discharge(course=course, by=request.user)
            _log(request, course, CHANGE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The patient is asked for the discharge questions on their phone.")
        )
    return redirect("courses:course", course.pk)


@care_required
def summary(request, pk):
    course = _course(request, pk)
    plan = course.plan
    today = timezone.localdate()
    state = outcomes.state(course)
    prescriptions = list(
        plan.prescriptions.current().select_related("exercise").order_by("order", "pk")
    )
    adherence = progress.summary(plan, today=today)
    _log(request, course)
    context = _context(request, course, state, today)
    context.update(
        {
            "prescriptions": prescriptions,
            "adherence": adherence,
            "weeks_run": sum(1 for w in progress.program_weeks(plan) if w.start <= today),
            "export_url": reverse("plans:patient-export-fhir", args=[plan.patient_id]),
        }
    )
    return render(request, "courses/summary.html", context)
