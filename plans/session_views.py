"""The patient's checklist and history, and the session pages both roles see."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.patient_views import checklist_cards
from exercises.models import CatalogueVersion, pictures_prefetch
from hipcare import audit, cache
from hipcare.access import care_required, patient_required
from plans import offline, offline_views, progress, rules, services
from plans.forms import RED_FLAG_CHOICES, SessionFinishForm, SessionStartForm, TickForm
from plans.history import session_changes
from plans.limits import ENTRY_REPS_MAX, ENTRY_SETS_MAX
from plans.models import Plan, Prescription, Session

# What the checklist's number fields accept, for their min/max attributes.
ENTRY_LIMITS = {"sets": ENTRY_SETS_MAX, "reps": ENTRY_REPS_MAX}
CHANGE = audit.Action.CHANGE


def _active_plan(user):
    return Plan.objects.for_user(user).active().select_related("condition", "physio").first()


def _parse_day(value, plan, today):
    """The day from the URL, if a session may be logged for it; else None."""
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    allowed = rules.loggable_days(start=plan.start_date, last_day=plan.last_day, today=today)
    return day if day in allowed else None


def _checklist_url(day, today):
    url = reverse("plans:today")
    return url if day == today else f"{url}?date={day.isoformat()}"


def _checklist_items(plan, day, session):
    prescriptions = progress.prescriptions_on(plan, day)
    # The pictures in each exercise's "How to do it": one query, without the bytes.
    prefetch_related_objects(prescriptions, pictures_prefetch("exercise__pictures"))
    entries = {}
    if session is not None:
        for entry in session.entries.select_related("prescription"):
            entries[entry.prescription.exercise_id] = entry
    return [(rx, entries.get(rx.exercise_id)) for rx in prescriptions]


@patient_required
def today(request):
    plan = _active_plan(request.user)
    today_ = timezone.localdate()
    if plan is None:
        return render(request, "plans/today.html", {"plan": None})
    day = today_
    if "date" in request.GET:
        day = _parse_day(request.GET["date"], plan, today_)
        if day is None:
            messages.error(
                request,
                _(
                    "Sessions can be logged for today and up to %(n)d days back, within your program."
                )
                % {"n": rules.BACKFILL_DAYS},
            )
            return redirect("plans:today")
    if day > plan.last_day:
        return render(request, "plans/today.html", {"plan": plan, "ended": True, "day": day})
    if day < plan.start_date:
        return render(request, "plans/today.html", {"plan": plan, "outside": True, "day": day})
    return _render_checklist(request, plan, day, today_)


def _render_checklist(request, plan, day, today_, *, start_form=None, finish_form=None):
    """Today's page; a form that was refused comes back with its errors, at its place."""
    session = Session.objects.filter(plan=plan, date=day).first()
    items = _checklist_items(plan, day, session)
    audit.record(request.user, request.user, audit.What.CHECKLIST)
    context = {
        "plan": plan,
        "day": day,
        "is_today": day == today_,
        "session": session,
        "items": items,
        "done_count": sum(1 for _rx, entry in items if entry),
        # Only the week of the day shown: the checklist's cost must not grow with the history.
        "week": progress.week(plan, day, today=today_),
        "entry_limits": ENTRY_LIMITS,
        "start_form": start_form
        or SessionStartForm(
            initial={
                "pain_before": session and session.pain_before,
                "red_flags": session.red_flags if session else [],
            }
        ),
        "finish_form": finish_form
        or SessionFinishForm(
            initial={
                "pain_after": session and session.pain_after,
                "effort": session and session.effort,
            }
        ),
        "other_days": rules.loggable_days(
            start=plan.start_date, last_day=plan.last_day, today=today_
        ),
        "stopped": session is not None and session.stopped_by_screen,
        "can_tick": session is not None and session.screened and not session.stopped_by_screen,
        "attention": session
        and session.completed_at
        and rules.session_needs_attention(session.pain_after, session.red_flags),
        "eased": progress.eased_doses([rx for rx, _entry in items]),
        # For the page offline (static/js/offline.js): the server's day, and the answers that
        # stop the session, worked out by the rule itself (plans/offline.py).
        "server_today": today_,
        "stop_answers": offline.screen_stop_answers(),
        "changed": progress.recently_changed([rx for rx, _entry in items], day),
        # The course of care's cards above the exercises (courses/patient_views.py).
        **checklist_cards(request.user, plan, today=today_),
    }
    status = 422 if start_form is not None or finish_form is not None else 200
    return render(request, "plans/today.html", context, status=status)


def _plan_and_day(request, value):
    plan = _active_plan(request.user)
    if plan is None:
        raise Http404
    today_ = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error
    return plan, day, today_


def _refused(form, field, message):
    """The form's error on `field` in words for the patient (the form's own for a bad value)."""
    if field in form.errors and form.data.get(field) in (None, ""):
        form.errors[field] = form.error_class([message])
    return form


@require_POST
@patient_required
@offline_views.replay_owner_required
def session_start(request, day):
    plan, day, today_ = _plan_and_day(request, day)
    if offline_views.is_replay(request):  # saved on the phone while offline, sent again
        return offline_views.start(request, plan=plan, day=day)
    form = SessionStartForm(request.POST)
    if not form.is_valid():
        if _parse_day(day.isoformat(), plan, today_) is None:
            messages.error(request, _("Choose how much it hurts now, from 0 to 10."))
            return redirect(_checklist_url(day, today_))
        # Shown again at the question, with the answers given and the field focused.
        form = _refused(form, "pain_before", _("Choose how much it hurts now, from 0 to 10."))
        return _render_checklist(request, plan, day, today_, start_form=form)
    answered = Session.objects.filter(plan=plan, date=day, pain_before__isnull=False).exists()
    try:
        session = services.session_start(plan=plan, day=day, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_checklist_url(day, today_) + "#main")
    audit.record(request.user, request.user, audit.What.SESSION, CHANGE)
    if session.stopped_by_screen:  # straight to the advice not to exercise
        return redirect(_checklist_url(day, today_) + "#result")
    if answered:  # changed answers: say so where the page opens
        messages.success(
            request,
            _("Your answers are updated: pain now %(pain)d of 10.") % {"pain": session.pain_before},
        )
        return redirect(_checklist_url(day, today_) + "#main")
    # To the first exercise, which the fragment also focuses (its row takes the focus).
    first = (
        Prescription.objects.in_effect_on(day)
        .filter(plan=plan)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return redirect(_checklist_url(day, today_) + (f"#rx-{first}" if first else "#exercises"))


def _item_of(items, prescription):
    """The checklist's row of a prescription; after a dose change, the row of its new dose."""
    return next((i for i in items if i[0].pk == prescription.pk), None) or next(
        (i for i in items if i[0].exercise_id == prescription.exercise_id), None
    )


@require_POST
@patient_required
@offline_views.replay_owner_required
def entry_tick(request, day, prescription_id):
    plan, day, today_ = _plan_and_day(request, day)
    if offline_views.is_replay(request):  # saved on the phone while offline, sent again
        return offline_views.tick(request, plan=plan, day=day, prescription_id=prescription_id)
    # Someone else's (or a forged) prescription id is not found; a real one of another day is
    # a validation error from the service below.
    posted = get_object_or_404(Prescription.objects.filter(plan=plan), pk=prescription_id)
    form = TickForm(request.POST)
    error = None
    left = None  # the state this tick left, whatever another device did since
    in_effect = Prescription.objects.in_effect_on(day).filter(plan=plan, pk=prescription_id)
    if not form.is_valid():
        error = _("Enter whole numbers for sets and reps.")
    elif not in_effect.exists():  # e.g. a page left open across a dose change: write nothing
        error = _("That exercise is not part of this session.")
    else:
        try:
            session = Session.objects.filter(plan=plan, date=day).first()
            if session is None:
                raise ValidationError(_("First answer the questions before the session."))
            left = services.entry_set(
                session=session,
                prescription_id=prescription_id,
                done=form.cleaned_data["done"],
                sets_done=form.cleaned_data["sets_done"],
                reps_done=form.cleaned_data["reps_done"],
                client_key=form.cleaned_data["client_key"],
            )
        except ValidationError as err:
            error = " ".join(err.messages)
        else:
            audit.record(request.user, request.user, audit.What.SESSION, CHANGE)
    if not (request.htmx or error):  # without JavaScript: back to the page, at the exercise
        return redirect(f"{_checklist_url(day, today_)}#rx-{prescription_id}")
    session = Session.objects.filter(plan=plan, date=day).first()
    items = _checklist_items(plan, day, session)
    item = _item_of(items, posted)
    if item is not None and item[0].pk != posted.pk:
        error = _(
            "Your physiotherapist has changed this exercise. Check the new dose and tick it again."
        )
    if request.htmx:
        if item is None:
            raise Http404
        context = {
            "rx": item[0],
            # The answer shows what this request did; the next page load shows the latest state.
            "entry": item[1] if error else left,
            "day": day,
            "plan": plan,
            "error": error,
            "entry_limits": ENTRY_LIMITS,
            "can_tick": True,
            # The counts above the list and in the header, swapped in out of band.
            "done_count": sum(1 for _rx, entry in items if entry),
            "items": items,
            "week": progress.week(plan, day, today=today_),
        }
        status = 422 if error else 200
        return render(request, "plans/_tick_response.html", context, status=status)
    if error:
        messages.error(request, error)
    anchor = item[0].pk if item else prescription_id
    return redirect(f"{_checklist_url(day, today_)}#rx-{anchor}")


@require_POST
@patient_required
@offline_views.replay_owner_required
def session_finish(request, day):
    plan, day, today_ = _plan_and_day(request, day)
    if offline_views.is_replay(request):  # saved on the phone while offline, sent again
        return offline_views.finish(request, plan=plan, day=day)
    form = SessionFinishForm(request.POST)
    session = Session.objects.filter(plan=plan, date=day).first()
    ticked = session is not None and session.entries.exists()
    # The finish form is on the page: a refused answer is shown again there, at its field.
    shown = (
        session is not None
        and session.screened
        and not session.stopped_by_screen
        and _parse_day(day.isoformat(), plan, today_) is not None
    )
    if shown:
        if form.is_valid() and not ticked:
            form.add_error(None, _("Tick at least one exercise before you finish."))
        if not form.is_valid():
            form = _refused(
                form, "pain_after", _("Choose how much it hurts after the session, from 0 to 10.")
            )
            return _render_checklist(request, plan, day, today_, finish_form=form)
    elif not form.is_valid():
        messages.error(request, _("Choose how much it hurts after the session, from 0 to 10."))
        return redirect(_checklist_url(day, today_) + "#finish")
    if not ticked:
        messages.error(request, _("Tick at least one exercise before you finish."))
        return redirect(_checklist_url(day, today_))
    try:
        services.session_finish(session=session, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit.record(request.user, request.user, audit.What.SESSION, CHANGE)
        session.refresh_from_db()
        said = finish_message(session, plan)
        if said:
            messages.add_message(request, *said)
    return redirect(_checklist_url(day, today_) + "#result")


def finish_message(session, plan):
    """What the patient is told after finishing: (message level, words), or None when the page
    itself tells them to stop and contact the physio. Also for a finish sent from the phone
    after being offline (plans/offline_views.py)."""
    if rules.session_needs_attention(session.pain_after, session.red_flags):
        return None
    if rules.eases_next_session(session.pain_after, plan.pain_mode):
        if progress.eased_after(session):
            text = _(
                "Your session is saved. Pain after was %(pain)d of 10, more than your program "
                "allows, so your next session will be a little lighter. Your physiotherapist "
                "can see this."
            )
        else:  # already at the bottom of the ladder
            text = _(
                "Your session is saved. Pain after was %(pain)d of 10, more than your program "
                "allows, and your doses are already at their lightest: your physiotherapist "
                "can see this and will adjust your program."
            )
        return messages.WARNING, text % {"pain": session.pain_after}
    return messages.SUCCESS, _("Well done! Your session is saved.")


def history_context(plan, *, page_number, today, summary=None):
    """What templates/plans/_history.html needs; the patient's and the physio's pages share it.
    `summary` is the plan's progress.Summary when the caller has it already."""
    return {
        "history_plan": plan,
        "history": progress.history(plan, page_number=page_number, today=today),
        "summary": summary or progress.summary(plan, today=today),
    }


def history_html(request, plan, *, page_number, today, summary=None):
    """templates/plans/_history.html for `plan`, from the shared cache while the program (its
    revision), the catalogue (exercise names), the day, the page and the language are the same."""

    def render_history():
        context = history_context(plan, page_number=page_number, today=today, summary=summary)
        return render_to_string("plans/_history.html", context, request=request)

    version = CatalogueVersion.of(plan)  # the exercises' names
    parts = (plan.pk, plan.revision, version, page_number or "", today.isoformat())
    return cache.fragment("history", parts, render_history)


@patient_required
def history_view(request):
    plans = list(
        Plan.objects.for_user(request.user)
        .select_related("condition")
        .annotate(catalogue_version=CatalogueVersion.subquery())
        .order_by("-start_date", "-pk")
    )
    plan = None
    if "plan" in request.GET:
        plan = next((p for p in plans if str(p.pk) == request.GET["plan"]), None)
        if plan is None:
            raise Http404
    plan = (
        plan
        or next((p for p in plans if p.status == Plan.Status.ACTIVE), None)
        or (plans[0] if plans else None)
    )
    audit.record(request.user, request.user, audit.What.HISTORY)
    context = {"plans": plans, "plan": plan}
    if plan is not None:
        page_number = request.GET.get("page")
        today = timezone.localdate()
        context["history_html"] = history_html(request, plan, page_number=page_number, today=today)
    return render(request, "plans/history.html", context)


@care_required
def session_detail(request, pk):
    """A logged session with the doses prescribed on its day; for its patient and their physio."""
    session = get_object_or_404(
        Session.objects.for_user(request.user).select_related("plan__patient", "plan__condition"),
        pk=pk,
    )
    audit.record(request.user, session.plan.patient, audit.What.SESSION)
    # The dose shown is the one ticked, or else the one in effect that day.
    entries = {
        e.prescription.exercise_id: e
        for e in session.entries.select_related("prescription__exercise")
    }
    rows = []
    for rx in progress.prescriptions_on(session.plan, session.date):
        entry = entries.get(rx.exercise_id)
        rows.append((entry.prescription if entry else rx, entry))
    flags = dict(RED_FLAG_CHOICES)
    answers = list(session.answers.all())
    context = {
        "session": session,
        "rows": rows,
        "red_flags": [flags.get(code, code) for code in session.red_flags],
        "attention": session.stopped_by_screen
        or rules.session_needs_attention(session.pain_after, session.red_flags),
        # Shown when an answer was changed: the first answers stay on record.
        "answers": [(a, [flags.get(c, c) for c in a.red_flags]) for a in answers]
        if len(answers) > 2 or len({a.step for a in answers}) < len(answers)
        else [],
        # Each later change of an answer or a tick, with who made it (2 queries).
        "changes": session_changes(session, viewer=request.user),
    }
    return render(request, "plans/session_detail.html", context)
