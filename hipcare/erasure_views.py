"""Erasure pages: the patient asks to be erased; the clinic admin decides (hipcare/erasure.py).

The clinic admin's pages show who asked and when (name, number, dates), never health data."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from hipcare import erasure as erasure_service
from hipcare.access import clinic_admin_required, patient_required
from hipcare.models import ErasureRequest

ERASURES_PER_PAGE = 25


class ErasureRequestForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that my account closes now and that I cannot log in to hipcare again."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(gettext_lazy("That is not your password."))
        return password


@sensitive_post_parameters("password")
@never_cache
@patient_required
def account_erase(request):
    """The patient asks to be erased: what happens is explained, the password and a tick
    confirm it, and the account closes at once (they are logged out)."""
    patient = request.user
    form = ErasureRequestForm(request.POST or None, user=patient)
    if request.method == "POST" and form.is_valid():
        try:
            erasure_service.erasure_request(patient=patient)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            logout(request)
            return redirect("account-erase-done")
    context = {"form": form, "clinic": patient.clinic}
    return render(request, "hipcare/account_erase.html", context)


@never_cache
def account_erase_done(request):
    """After the request: the patient is logged out, so this page is open; a signed-in visitor
    has not asked and is sent home."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "hipcare/account_erase_done.html")


@clinic_admin_required
def clinic_erasures(request):
    """The erasure requests of the clinics the user runs, those waiting for a decision first."""
    pending_first = Case(
        When(state=ErasureRequest.State.REQUESTED, then=Value(0)),
        When(state=ErasureRequest.State.KEPT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    requests = (
        erasure_service.for_clinic_admin(request.user)
        .select_related("patient", "clinic")
        .order_by(pending_first, "-requested_at", "-pk")
    )
    page = Paginator(requests, ERASURES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "hipcare/clinic_erasures.html", {"page": page})


@clinic_admin_required
def clinic_erasure_decide(request, pk):
    """One request: the clinic's retention period and reason, then "Erase now" (confirmed on a
    second page) or "Keep until <date>". Another clinic's request is 404."""
    erasure = get_object_or_404(
        erasure_service.for_clinic_admin(request.user).select_related("patient", "clinic"), pk=pk
    )
    pending = erasure.state == ErasureRequest.State.REQUESTED
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not pending:
        messages.info(request, _("This request has already been decided."))
        return redirect("clinic-erasure-decide", erasure.pk)
    number = erasure.patient_number
    try:
        if action == "keep":
            erasure = erasure_service.erasure_keep(erasure=erasure, by=request.user)
            messages.success(
                request,
                _(
                    "The record of patient no. %(number)s is kept until %(date)s, and then "
                    "erased automatically."
                )
                % {"number": number, "date": date_format(erasure.erase_on)},
            )
            return redirect("clinic-erasures")
        if action == "erase" and request.POST.get("confirm") == "yes":
            erasure_service.erase(erasure=erasure, by=request.user)
            messages.success(
                request,
                _("Patient no. %(number)s is erased: the account and the whole record are gone.")
                % {"number": number},
            )
            return redirect("clinic-erasures")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("clinic-erasure-decide", erasure.pk)
    keep_until = erasure_service.keep_until(erasure) if pending else erasure.erase_on
    context = {
        "erasure": erasure,
        "clinic": erasure.clinic,
        "pending": pending,
        "confirming": action == "erase",
        "keep_until": keep_until,
        # The record's latest entry is older than the retention period: keeping it erases it now.
        "keep_until_passed": keep_until is not None and keep_until <= timezone.localdate(),
    }
    return render(request, "hipcare/clinic_erasure_decide.html", context)
