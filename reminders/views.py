"""The patient's reminders page, and the endpoint that keeps a phone's push subscription."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hipcare.access import patient_required
from reminders import push, rules, services
from reminders.forms import ReminderForm
from reminders.models import ReminderSchedule

TURN_OFF = "off"


def _initial(schedule, defaults):
    if schedule is None:
        return defaults
    return {
        "days": schedule.day_numbers,
        "time": schedule.time,
        "time_zone": schedule.time_zone,
        "by_email": schedule.by_email,
        "by_push": schedule.by_push,
    }


@patient_required
def reminder_settings(request):
    """Days, time, time zone and channels of the patient's reminders; saving turns them on,
    "Turn off reminders" turns them off. Until the first save the form shows the defaults (the
    program's sessions per week spread over the week)."""
    patient = request.user
    if request.method == "POST" and request.POST.get("action") == TURN_OFF:
        services.schedule_turn_off(patient=patient)
        messages.success(request, _("Reminders are off. You can turn them on again here."))
        return redirect("reminders:settings")
    schedule = ReminderSchedule.objects.filter(patient=patient).first()
    plan = services.active_plan(patient)
    push_available = push.available()
    form = ReminderForm(
        request.POST or None,
        initial=_initial(schedule, services.defaults(patient, plan)),
        has_email=bool(patient.email),
        push_available=push_available,
        prefill_zone=schedule is None and request.method == "GET",
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.schedule_save(
                    patient=patient,
                    days=data["days"],
                    time=data["time"],
                    time_zone=data["time_zone"],
                    by_email=data.get("by_email", False),
                    by_push=data.get("by_push", False),
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                for field, errors in error.update_error_dict({}).items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Your reminders are saved."))
                return redirect("reminders:settings")
        status = 422
        for name in ("time", "time_zone"):
            if name in form.errors:
                form.fields[name].widget.attrs["class"] += " is-invalid"
    context = {
        "form": form,
        "schedule": schedule,
        "plan": plan,
        "next_due": services.next_due(schedule),
        "push_available": push_available,
        "vapid_public_key": settings.VAPID_PUBLIC_KEY if push_available else "",
        "phones": patient.push_subscriptions.count() if push_available else 0,
        "quiet_from": rules.QUIET_FROM,
        "quiet_until": rules.QUIET_UNTIL,
    }
    return render(request, "reminders/settings.html", context, status=status)


@require_POST
@patient_required
def push_subscribe(request):
    """Keeps the PushSubscription JSON the page posts (reminders.js) for the signed-in patient.
    CSRF-protected like every POST; 422 with a message for anything that is not one."""
    try:
        data = json.loads(request.body)
        subscription = services.push_subscribe(patient=request.user, data=data)
    except (ValueError, UnicodeDecodeError, RecursionError, ValidationError):
        return JsonResponse({"error": str(push.SUBSCRIPTION_INVALID)}, status=422)
    # This browser's phone: forgotten when the patient logs out here (reminders/apps.py), so a
    # shared or handed-on phone stops getting their reminders.
    request.session[services.SESSION_PHONE_KEY] = subscription.pk
    return JsonResponse({"saved": True}, status=201)
