from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
