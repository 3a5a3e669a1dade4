from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hipcare import accounts
from hipcare.access import physio_required
from hipcare.forms import PatientAddForm, add_errors
from hipcare.models import User


@login_required
def home(request):
    return redirect(request.user.get_landing_url())


@never_cache
@require_GET
def healthz(request):
    # The floor for benchmarks: one trivial query, no session, no template.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: the patient chooses a password and is logged in."""

    template_name = "registration/invite_accept.html"
    post_reset_login = True
    post_reset_login_backend = "hipcare.backends.EmailOrUsernameBackend"
    success_url = reverse_lazy("home")


@physio_required
def patient_add(request):
    form = PatientAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = accounts.patient_invite(physio=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            accounts.invitation_send(patient=patient, base_url=request.build_absolute_uri("/"))
            messages.success(
                request,
                _("%(name)s is added and an invitation is sent to %(email)s.")
                % {"name": patient.get_full_name(), "email": patient.email},
            )
            return redirect("plans:patient-detail", patient.pk)
    return render(request, "hipcare/patient_add.html", {"form": form})


@require_POST
@physio_required
def patient_invite_resend(request, pk):
    patient = get_object_or_404(User.objects.patients_of(request.user), pk=pk)
    if patient.has_usable_password():
        messages.info(request, _("%(name)s has already set a password.") % {"name": patient})
    else:
        accounts.invitation_send(patient=patient, base_url=request.build_absolute_uri("/"))
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": patient.email}
        )
    return redirect("plans:patient-detail", patient.pk)
