"""The patient's side of a course of care: the questionnaires at baseline, review and discharge,
the week's hip pain and the education texts, asked on today's checklist (the cards come from
`checklist_cards`, which plans.session_views.today adds to its page)."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from courses import outcomes, rules, services
from courses.models import Course, EducationText
from courses.patient_forms import QuestionnaireForm, WeeklyPainForm
from hipcare import audit
from hipcare.access import patient_required
from plans import progress
from plans.models import Plan

CHANGE = audit.Action.CHANGE

# The checklist's card for the questionnaire owed, and the questionnaire page's heading and
# words before the questions, per point of the course.
CARD_TITLES = {
    rules.BASELINE: gettext_lazy(
        "Before your first session: 2 minutes of questions about your hip"
    ),
    rules.REVIEW: gettext_lazy("Your 6-week review: 2 minutes of questions about your hip"),
    rules.DISCHARGE: gettext_lazy(
        "Before you finish the course: 2 minutes of questions about your hip"
    ),
}
HEADINGS = {
    rules.BASELINE: gettext_lazy("Before your first session"),
    rules.REVIEW: gettext_lazy("Your 6-week review"),
    rules.DISCHARGE: gettext_lazy("Before you finish the course"),
}
INTROS = {
    rules.BASELINE: gettext_lazy(
        "Before your first session, tell us how your hip is now. At your review and when you "
        "finish you answer the same questions, so you and your physiotherapist can see what "
        "the exercise has changed."
    ),
    rules.REVIEW: gettext_lazy(
        "Your 6-week review: the same questions as at the start, so you and your "
        "physiotherapist can see what has changed and decide what comes next."
    ),
    rules.DISCHARGE: gettext_lazy(
        "Before you finish the course: the same questions one last time, to see what the "
        "course has done for your hip."
    ),
}


def _today_url(anchor=""):
    return reverse("plans:today") + anchor


# --- Today's checklist ------------------------------------------------------------------------


@dataclass
class Cards:
    """What the checklist shows of the course above the exercises."""

    course: object  # Course or None
    point: str | None  # the questionnaire owed today
    weekly_form: WeeklyPainForm | None  # the week's hip pain, when it is owed
    text: EducationText | None  # the next text to read

    @property
    def point_title(self):
        return CARD_TITLES.get(self.point, "")


def _course_of_plan(plan):
    """The course of the patient's program: its own, or the one it is the maintenance program
    of. 1 query."""
    return (
        Course.objects.filter(Q(plan=plan) | Q(maintenance_plan=plan))
        .select_related("plan")
        .order_by("-created_at", "-pk")
        .first()
    )


def checklist_cards(patient, plan, *, today) -> dict:
    """The checklist's course cards: the questionnaire owed, the week's hip pain and the next
    text. 2 queries without a course (the course, the text), 4 with one."""
    course = _course_of_plan(plan)
    point = weekly_form = None
    if course is not None:
        week = progress.week_of(course.plan, today)
        check = outcomes.checklist(
            course, clinic_id=patient.clinic_id, today=today, week_number=week and week.index
        )
        point = check.point
        if check.weekly_due and check.weekly_item is not None:
            weekly_form = WeeklyPainForm(item=check.weekly_item, prefix="week")
    week = progress.week_of(plan, today)
    text = outcomes.education_next(patient, plan, week.index) if week else None
    return {"course_cards": Cards(course, point, weekly_form, text)}


# --- The questionnaires of a point ---------------------------------------------------------------


def _save_answers(form, course, point, user):
    """All the point's questionnaires in one transaction; False with the errors on the form."""
    instrument = None
    try:
        with transaction.atomic():
            for instrument in form.instruments:
                services.result_record(
                    course=course,
                    instrument=instrument,
                    point=point,
                    answers=form.answers(instrument),
                    by=user,
                )
    except ValidationError as error:
        form.add_service_errors(instrument, error)
        return False
    return True


@patient_required
def questionnaire(request, pk, point):
    if point not in rules.POINTS:
        raise Http404
    course = get_object_or_404(
        Course.objects.for_user(request.user).select_related("plan__patient"), pk=pk
    )
    course_state = outcomes.state(course)
    if not course_state.may_answer(point, timezone.localdate()):
        messages.info(
            request, _("These questions are not asked yet. We will ask you when it is time.")
        )
        return redirect("plans:today")
    questionnaires = course_state.questionnaires
    results = [r for r in course_state.results if r.point == point]
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        instruments=questionnaires,
        results=results,
    )
    saved = (
        request.method == "POST"
        and form.is_valid()
        and _save_answers(form, course, point, request.user)
    )
    if saved:
        audit.record(request.user, request.user, audit.What.COURSE, CHANGE)
        messages.success(request, _("Thank you: your answers are saved."))
        return redirect("plans:today")
    audit.record(request.user, request.user, audit.What.COURSE)
    context = {
        "course": course,
        "point": point,
        "heading": HEADINGS[point],
        "intro": INTROS[point],
        "form": form,
        "first_error": form.first_error() if form.is_bound else None,
        "answered": bool(results),
    }
    status = 422 if form.is_bound else 200
    return render(request, "courses/questionnaire.html", context, status=status)


# --- The week's hip pain -------------------------------------------------------------------------


@require_POST
@patient_required
def weekly_pain(request, pk):
    """Saves the week's hip pain for the current program week. htmx gets the card back; without
    JavaScript, back to today's page."""
    course = get_object_or_404(Course.objects.for_user(request.user).select_related("plan"), pk=pk)
    today = timezone.localdate()
    week = progress.week_of(course.plan, today)
    check = outcomes.checklist(
        course, clinic_id=request.user.clinic_id, today=today, week_number=week and week.index
    )
    if check.weekly_item is None:  # no weekly question is in use
        raise Http404
    form = WeeklyPainForm(request.POST, item=check.weekly_item, prefix="week")
    saved = None
    if form.is_valid():
        if week is None or course.discharged:
            form.add_error(
                None, _("We ask about your hip pain once a week while your program runs.")
            )
        else:
            try:
                saved = services.result_record(
                    course=course,
                    instrument=check.weekly_item.instrument,
                    point=rules.WEEK,
                    week=week.index,
                    answers={check.weekly_item.number: form.cleaned_data["pain"]},
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
    if saved is not None:
        audit.record(request.user, request.user, audit.What.COURSE, CHANGE)
    if request.htmx:
        context = {"course_cards": Cards(course, None, form, None), "saved": saved, "swapped": True}
        return render(
            request,
            "courses/_checklist_cards.html#weekly-card",
            context,
            status=200 if saved else 422,
        )
    if saved is None:  # without JavaScript: the refusal at the top of the page, at the card
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect(_today_url("#hip-week"))
    messages.success(
        request,
        _("Thank you: your hip pain this week, %(pain)s of 10, is saved.")
        % {"pain": form.cleaned_data["pain"]},
    )
    return redirect("plans:today")


# --- Education texts ---------------------------------------------------------------------------


@require_POST
@patient_required
def education_mark_read(request, pk):
    """Marks a text read. The text must be for the condition of one of the patient's programs.
    htmx gets the next text; without JavaScript, back to today's page."""
    plans = Plan.objects.for_user(request.user)
    text = get_object_or_404(
        EducationText.objects.filter(is_active=True, condition__in=plans.values("condition_id")),
        pk=pk,
    )
    services.education_mark_read(patient=request.user, text=text)
    audit.record(request.user, request.user, audit.What.COURSE, CHANGE)
    if not request.htmx:
        return redirect(_today_url("#education"))
    today = timezone.localdate()
    plan = plans.active().first()
    week = progress.week_of(plan, today) if plan else None
    following = outcomes.education_next(request.user, plan, week.index) if week else None
    context = {
        "course_cards": Cards(None, None, None, following),
        "just_read": text,
        "swapped": True,
    }
    return render(request, "courses/_checklist_cards.html#education-card", context)


@patient_required
def education(request):
    """The texts the patient has read, newest first, each in full."""
    texts = outcomes.education_read(request.user)
    audit.record(request.user, request.user, audit.What.COURSE)
    return render(request, "courses/education.html", {"texts": texts})
