"""Ticks and answers saved on the patient's phone while offline, sent again by
static/js/offline.js to the forms' own URLs with the replay header (plans/session_views.py hands
them here; plans/offline.py has the rules). The answer is JSON for the script, not a page:
{"ok": true, "message": "…"} when the change is recorded (or was already, under its key), and
422 {"ok": false, "error": "…"} when it cannot be, which the phone shows the patient. Someone
else's prescription is a 404 like any other form's."""

from functools import wraps

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from hipcare import audit
from hipcare.pwa import device_key
from plans import offline, services
from plans.forms import SessionFinishForm, SessionStartForm, TickForm
from plans.models import ClientSubmission, Prescription, Session


def is_replay(request):
    return offline.REPLAY_HEADER in request.headers


def replay_owner_required(view):
    """A replay names the account whose phone kept it (the header's value): sent with another
    account's log-in (a tab of the first patient left open after their log-in ran out, the second
    logged in since), it is refused before anything is read or written, as needing a log-in
    (403: the phone keeps it for its owner). Under patient_required."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        owner = request.headers.get(offline.REPLAY_HEADER)
        if owner is not None and not constant_time_compare(owner, device_key(request.user)):
            error = _("Log in again to send the changes saved on this phone.")
            return JsonResponse({"ok": False, "error": error}, status=403)
        return view(request, *args, **kwargs)

    return checked


def _done(message="", **extra):
    return JsonResponse({"ok": True, "message": str(message), **extra})


def _refused(message):
    return JsonResponse({"ok": False, "error": str(message)}, status=422)


def _errors(error):
    return " ".join(error.messages)


def _unreadable(form):
    """The refusal of a change without a readable key (a replay always has one), else None."""
    if "client_key" in form.errors or form.cleaned_data.get("client_key") is None:
        return _("This change could not be read. Reload the page and try again.")
    return None


def _changed(request):
    audit.record(request.user, request.user, audit.What.SESSION, audit.Action.CHANGE)


def tick(request, *, plan, day, prescription_id):
    # Any prescription of the patient's own programs (a tick made before a new program was
    # assigned counts for the same exercise in it: offline.tick_target); anyone else's: 404.
    posted = get_object_or_404(Prescription.objects.for_user(request.user), pk=prescription_id)
    form = TickForm(request.POST)
    if not form.is_valid() or form.cleaned_data["client_key"] is None:
        return _refused(_unreadable(form) or _("Enter whole numbers for sets and reps."))
    data = form.cleaned_data
    try:
        offline.tick_replay(
            plan=plan,
            day=day,
            prescription=posted,
            key=data["client_key"],
            done=data["done"],
            sets_done=data["sets_done"],
            reps_done=data["reps_done"],
        )
    except ValidationError as error:
        return _refused(_errors(error))
    except services.AlreadyApplied:
        return _done()
    _changed(request)
    return _done()


def start(request, *, plan, day):
    form = SessionStartForm(request.POST)
    if not form.is_valid() or form.cleaned_data["client_key"] is None:
        return _refused(_unreadable(form) or _("Choose how much it hurts now, from 0 to 10."))
    try:
        session = services.session_start(plan=plan, day=day, **form.cleaned_data)
    except ValidationError as error:
        return _refused(_errors(error))
    except services.AlreadyApplied:
        return _done()
    _changed(request)
    if session.stopped_by_screen:
        return _done(_("Your answers say not to exercise today."), stopped=True)
    return _done(stopped=False)


def finish(request, *, plan, day):
    form = SessionFinishForm(request.POST)
    if not form.is_valid() or form.cleaned_data["client_key"] is None:
        return _refused(
            _unreadable(form) or _("Choose how much it hurts after the session, from 0 to 10.")
        )
    key = form.cleaned_data["client_key"]
    kind = ClientSubmission.Kind.FINISH
    try:
        if services.already_applied(key=key, plan=plan, day=day, kind=kind):
            return _done()
        session = Session.objects.filter(plan=plan, date=day).first()
        if session is None or not session.screened:
            raise ValidationError(_("First answer the questions before the session."))
        if not session.entries.exists():
            raise ValidationError(_("Tick at least one exercise before you finish."))
        services.session_finish(session=session, **form.cleaned_data)
    except ValidationError as error:
        return _refused(_errors(error))
    except services.AlreadyApplied:
        return _done()
    _changed(request)
    session.refresh_from_db()
    # The words the page would show after the finish form (no import cycle: a view module).
    from plans.session_views import finish_message

    said = finish_message(session, plan)
    return _done(said[1] if said else "")
