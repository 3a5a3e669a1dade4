"""Role gates for views. Objects are still fetched through querysets scoped to the user."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def _role_required(check):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


physio_required = _role_required(lambda user: user.is_physio)
patient_required = _role_required(lambda user: user.is_patient)
