"""The second step of logging in, and setting up an authenticator app."""

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hipcare import two_factor
from hipcare.forms import TokenForm


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else request.user.get_landing_url()


@login_required
def verify(request):
    if two_factor.passed(request.user):
        return redirect(_next_url(request))
    if not two_factor.has_app(request.user):
        return redirect(f"{reverse('two-factor-setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.match(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            if device.name == two_factor.RECOVERY_DEVICE:
                messages.warning(
                    request,
                    _("You used a recovery code; each works once. Make new ones if few are left."),
                )
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not right, or it has expired. Try the newest one."))
    context = {"form": form, "next": _next_url(request)}
    return render(request, "registration/two_factor_verify.html", context)


@login_required
def setup(request):
    # Replacing an authenticator needs the current one first.
    if two_factor.has_app(request.user) and not two_factor.passed(request.user):
        return redirect(f"{reverse('two-factor')}?next={request.path}")
    device = two_factor.pending_app(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(device=device, token=form.cleaned_data["token"])
        if codes is not None:
            django_otp.login(request, device)
            request.session[two_factor.SESSION_FLAG] = True
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "registration/two_factor_codes.html", context)
        form.add_error(
            "token",
            _("That code is not right. Check the time on your phone and try the newest code."),
        )
    context = {
        "form": form,
        "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret(device),
        "next": _next_url(request),
        "replacing": two_factor.has_app(request.user),
    }
    return render(request, "registration/two_factor_setup.html", context)


@require_POST
@login_required
def recovery_codes(request):
    if not two_factor.passed(request.user):
        return redirect(f"{reverse('two-factor')}?next={request.path}")
    codes = two_factor.new_recovery_codes(request.user)
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": ""})
