"""The log-in lock-out (django-axes), counted two ways:

- per account: failures count against the account the typed name means, whatever its case or
  whether it was the username or the e-mail address; a name that matches no account counts under
  its normalised spelling, so unknown names are limited the same way (AXES_FAILURE_LIMIT);
- per client address, across accounts: one password tried against many accounts
  (AXES_IP_FAILURE_LIMIT, higher, as several people may share a clinic's address).

Either limit pauses log-in for AXES_COOLOFF_TIME with the same page, which names no account, so it
does not tell whether an account exists.
"""

import ipaddress

from axes.conf import settings  # django.conf.settings, with axes's defaults filled in
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.db.models import Sum

from hipcare.models import LOGIN_MAX_LENGTH, User, normalise_username


def account_key(request, credentials):
    """AXES_USERNAME_CALLABLE: the name failures count against.

    The account's (normalised) username when the typed name means exactly one account; otherwise
    the typed name, normalised and cut to what AccessAttempt stores."""
    if credentials:
        typed = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    elif request is not None:
        typed = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        typed = None
    if not isinstance(typed, str):
        return None
    # Axes asks several times per log-in; one query per request and name.
    memo = request.__dict__.setdefault("_hipcare_account_keys", {}) if request is not None else {}
    if typed not in memo:
        usernames = list(User.objects.by_login(typed).values_list("username", flat=True)[:2])
        memo[typed] = (
            usernames[0] if len(usernames) == 1 else normalise_username(typed)[:LOGIN_MAX_LENGTH]
        )
    return memo[typed]


def forwarded_client_address(request):
    """AXES_CLIENT_IP_CALLABLE behind a reverse proxy (BEHIND_PROXY): the address the proxy added
    last to X-Forwarded-For. Earlier entries come from the client and may be forged; without this
    every request would come from the proxy, and the per-address limit would lock out everyone."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


def _limit_of(parameter, account_limit):
    names = [parameter] if isinstance(parameter, str) else list(parameter)
    return settings.AXES_IP_FAILURE_LIMIT if names == ["ip_address"] else account_limit


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes keeps one failure limit for every group of AXES_LOCKOUT_PARAMETERS. Here the address
    group has its own, higher limit: the failures returned are those of the group nearest its
    limit, on the scale of the per-account limit (AXES_FAILURE_LIMIT), which axes compares them to.
    """

    def get_failures(self, request, credentials=None) -> int:
        account_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures - _limit_of(parameter, account_limit) + account_limit)
        return worst

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful log-in: forget that account's failures from this address only. The
        address's failures against other accounts stay, or an attacker could clear the
        per-address count by logging in to an account of their own between tries."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def clear_account(user):
    """A new password set through the e-mailed link ends the account's lock-out: whoever can read
    the patient's mail is the patient, and a locked-out patient must be able to get back in."""
    AccessAttempt.objects.filter(username=user.username).delete()
