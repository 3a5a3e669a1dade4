from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from hipcare import accounts, audit, lockout
from hipcare.access import physio_required, second_factor_required
from hipcare.forms import PatientAddForm, StartCodeForm, add_errors
from hipcare.middleware import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    log_database_unavailable,
)
from hipcare.models import User


@login_required
def home(request):
    return redirect(request.user.get_landing_url())


@never_cache
@require_GET
def healthz(request):
    # The floor for benchmarks: one trivial query, no session, no template. A load balancer takes
    # this instance out while the database is unreachable (503), and the log gets one line.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_UNAVAILABLE as error:
        log_database_unavailable(request, error)
        response = HttpResponse("database unavailable", content_type="text/plain", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok", content_type="text/plain")


@require_POST
@second_factor_required
def text_size(request):
    """The "Larger text" toggle in the menu: remembered on the account, then back to the page."""
    accounts.user_set_large_text(
        user=request.user, large_text=request.POST.get("large_text") == "on"
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return redirect(target)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The password-reset link: a new password also lifts the account's lock-out."""

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout.clear_account(form.user)
        return response


class InviteAcceptView(PasswordSetView):
    """The invitation link: the patient chooses a password and is logged in."""

    template_name = "registration/invite_accept.html"
    post_reset_login = True
    post_reset_login_backend = "hipcare.backends.EmailOrUsernameBackend"
    success_url = reverse_lazy("home")


@physio_required
def patient_add(request):
    form = PatientAddForm(request.POST or None, physio=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            patient = accounts.patient_invite(
                physio=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            audit.record(request.user, patient, audit.What.ACCOUNT, audit.Action.CHANGE)
            # "Add patient and assign a program" goes straight on to the program (issue #15).
            assign_next = request.POST.get("then") == "assign"
            if patient.email:
                message = _(
                    "%(name)s is added. The invitation to %(email)s goes out in a moment."
                ) % {"name": patient.get_full_name(), "email": patient.email}
            elif assign_next:
                message = _(
                    "%(name)s is added. Without an e-mail address, start the account with the "
                    "patient on their page after this: make a start code and hand it to them."
                ) % {"name": patient.get_full_name()}
            else:
                message = _(
                    "%(name)s is added. Without an e-mail address, start the account here with "
                    "the patient: make a start code and hand it to them."
                ) % {"name": patient.get_full_name()}
            messages.success(request, message)
            if assign_next:
                return redirect("plans:plan-assign", patient.pk)
            return redirect("plans:patient-detail", patient.pk)
    return render(request, "hipcare/patient_add.html", {"form": form})


@require_POST
@physio_required
def patient_invite_resend(request, pk):
    patient = get_object_or_404(User.objects.patients_for(request.user), pk=pk)
    if patient.has_usable_password():
        messages.info(request, _("%(name)s has already set a password.") % {"name": patient})
    elif not patient.email:
        messages.info(request, _("%(name)s has no e-mail address.") % {"name": patient})
    else:
        try:
            accounts.invitation_queue(patient=patient, base_url=request.build_absolute_uri("/"))
        except ValidationError as error:  # e.g. the password was set a moment ago
            for message in error.messages:
                messages.info(request, message)
        else:
            audit.record(request.user, patient, audit.What.ACCOUNT, audit.Action.CHANGE)
            messages.success(
                request,
                _("The invitation to %(email)s goes out again in a moment.")
                % {"email": patient.email},
            )
    return redirect("plans:patient-detail", patient.pk)


@require_POST
@physio_required
def patient_start_code(request, pk):
    """The in-clinic start: a new one-time code, shown on this answer only (never stored in
    plain), for the physio to hand to the patient in person. It replaces any earlier code."""
    patient = get_object_or_404(User.objects.patients_for(request.user), pk=pk)
    try:
        start_code, code = accounts.start_code_create(physio=request.user, patient=patient)
    except ValidationError as error:
        for message in error.messages:
            messages.info(request, message)
        return redirect("plans:patient-detail", patient.pk)
    audit.record(request.user, patient, audit.What.ACCOUNT, audit.Action.CHANGE)
    context = {
        "patient": patient,
        "code": accounts.start_code_display(code),
        "start_code": start_code,
        "start_url": request.build_absolute_uri(reverse("account-start")),
    }
    return render(request, "hipcare/start_code.html", context)


def _start_credentials(request):
    """What django-axes counts the start page's failures under: one key per client address (so a
    code guesser is stopped after AXES_FAILURE_LIMIT), and the address's failures across log-in
    and start page together (AXES_IP_FAILURE_LIMIT). The key holds a space, which no username
    or e-mail address can, so it never locks an account."""
    AxesProxyHandler.update_request(request)
    return {"username": f"in-clinic start {request.axes_ip_address}"}


@sensitive_post_parameters("code", "date_of_birth", "new_password1", "new_password2")
@never_cache
def account_start(request):
    """The patient's side of the in-clinic start: the code and their date of birth, then a
    password of their own; they are logged in and the code is used up."""
    credentials = _start_credentials(request)
    if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, None, credentials)
    start_form = StartCodeForm(request.POST or None)
    password_form = SetPasswordForm(None)
    if request.method == "POST" and start_form.is_valid():
        code, born = start_form.cleaned_data["code"], start_form.cleaned_data["date_of_birth"]
        patient = accounts.start_code_check(code=code, date_of_birth=born)
        if patient is None:
            start_form.add_error(None, accounts.START_CODE_REFUSED)
            AxesProxyHandler.user_login_failed(
                sender=account_start, credentials=credentials, request=request
            )
        else:
            password_form = SetPasswordForm(patient, request.POST)
            if password_form.is_valid():
                try:
                    patient = accounts.start_code_use(
                        code=code,
                        date_of_birth=born,
                        password=password_form.cleaned_data["new_password1"],
                    )
                except ValidationError as error:  # used a moment ago (a double submit)
                    add_errors(start_form, error)
                else:
                    login(request, patient, backend="hipcare.backends.EmailOrUsernameBackend")
                    messages.success(
                        request,
                        _(
                            "Welcome, %(name)s. Next time, log in with the username %(username)s "
                            "and the password you just chose."
                        )
                        % {"name": patient.first_name, "username": patient.username},
                    )
                    return redirect("home")
    context = {"form": start_form, "password_form": password_form}
    return render(request, "registration/account_start.html", context)
