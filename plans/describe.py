"""Words for the rules' reasons and flags, in the user's language."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans import rules

KIND_LABELS = {
    rules.PROGRESS: lambda: _("Progress"),
    rules.KEEP: lambda: _("Keep the dose"),
    rules.EASE_OFF: lambda: _("Ease off"),
    rules.STOP: lambda: _("Stop and review"),
}


def kind_label(kind):
    return KIND_LABELS[kind]()


def reason_text(reason: rules.Reason) -> str:
    v = reason.values
    if reason.code == "red_flag":
        return _("A warning sign was reported on %(date)s.") % {"date": date_format(v[0])}
    if reason.code == "pain_now_severe":
        return _(
            "Pain right now was %(pain)d of 10 before a session: the patient was told not to "
            "exercise that day."
        ) % {"pain": v[0]}
    if reason.code == "pain_after_range":
        count, low, high = v
        pains = f"{low}" if low == high else f"{low}–{high}"
        return ngettext(
            "Pain after the last session was %(pains)s of 10.",
            "Pain after the last %(count)d sessions was %(pains)s of 10.",
            count,
        ) % {"count": count, "pains": pains}
    if reason.code == "pain_before_rising":
        return _("Pain before sessions has risen %(n)d weeks in a row.") % {"n": v[0]}
    if reason.code == "too_little_data":
        return ngettext(
            "Only %(n)d session in the last %(days)d days: too little to judge.",
            "Only %(n)d sessions in the last %(days)d days: too little to judge.",
            v[0],
        ) % {"n": v[0], "days": rules.ADHERENCE_WINDOW_DAYS}
    if reason.code == "adherence":
        return _("%(percent)d %% of the prescribed sessions done in %(days)d days.") % {
            "percent": v[0],
            "days": rules.ADHERENCE_WINDOW_DAYS,
        }
    if reason.code == "adherence_too_low":
        return _("Only %(percent)d %% of the prescribed sessions done in %(days)d days.") % {
            "percent": v[0],
            "days": rules.ADHERENCE_WINDOW_DAYS,
        }
    if reason.code == "not_settled":
        return _("Pain has not settled enough between sessions.")
    if reason.code == "pain_before_up":
        return _("Pain before sessions went up last week.")
    return reason.code


def suggestion_text(suggestion) -> str:
    return " ".join(reason_text(r) for r in suggestion.reasons)


FLAG_LABELS = {
    rules.FLAG_SEVERE: lambda: _("Severe pain or warning sign"),
    rules.FLAG_RISING: lambda: _("Rising pain"),
    rules.FLAG_HIGH_PAIN: lambda: (
        _("Pain before ≥ %(n)d most sessions this week") % {"n": rules.HIGH_PAIN_BEFORE}
    ),
    rules.FLAG_REVIEW_DUE: lambda: _("Review due"),
    rules.FLAG_LOW_ADHERENCE: lambda: _("Low adherence"),
    rules.FLAG_INACTIVE: lambda: _("No session for %(days)d days") % {"days": rules.INACTIVE_DAYS},
    rules.FLAG_SUGGESTION: lambda: _("Suggestion waiting"),
}


def flag_label(flag):
    return FLAG_LABELS[flag]()
