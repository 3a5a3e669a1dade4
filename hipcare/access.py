"""Role gates for views. Objects are still fetched through querysets scoped to the user."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from hipcare import two_factor
from hipcare.models import CLINIC_ADMIN, Membership


def second_factor_redirect(request):
    """Where a user who owes the second factor goes first, or None."""
    if two_factor.blocks(request):
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}")
    return None


def _role_required(check):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            if (response := second_factor_redirect(request)) is not None:
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


physio_required = _role_required(lambda user: user.is_physio)
patient_required = _role_required(lambda user: user.is_patient)
# Pages about one patient's care that both sides see (the patient and their physio); the object
# is still fetched through a queryset scoped to the user, so the other patient or physio gets 404.
care_required = _role_required(lambda user: user.is_patient or user.is_physio)
# Clinic pages (physios, the access log, erasure requests): anyone who is a clinic admin somewhere
# now, physio or not; each page still works only on the clinics where they are admin.
clinic_admin_required = _role_required(
    lambda user: Membership.objects.filter(user=user, role=CLINIC_ADMIN, is_active=True).exists()
)


def second_factor_required(view):
    """Signed in, and past the second factor where it is owed (pages of no role, such as the
    password change, which would otherwise let a stolen password replace itself)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        return second_factor_redirect(request) or view(request, *args, **kwargs)

    return wrapped
