from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from reminders import rules, services
from reminders.models import known_time_zones, validate_time_zone

# The regions of the IANA names a person would pick from (not "Etc/GMT+3", "US/Eastern" …).
ZONE_REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)  # fmt: skip


def zone_choices():
    """The time zones grouped by region, each shown as its city: "Copenhagen (Europe)" is
    Europe/Copenhagen; UTC first."""
    groups = defaultdict(list)
    for name in known_time_zones():
        region, _slash, place = name.partition("/")
        if region in ZONE_REGIONS and place:
            groups[region].append((name, place.replace("_", " ").replace("/", " – ")))
    return [("UTC", "UTC")] + [
        (region, sorted(groups[region], key=lambda choice: choice[1])) for region in ZONE_REGIONS
    ]


class ReminderForm(forms.Form):
    days = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day.")},
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=format_lazy(
            _("From {morning} to {latest}: hipcare never reminds you at night."),
            **services.time_words(),
        ),
        error_messages={"required": _("Choose a time."), "invalid": _("Enter a time like 17:30.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=zone_choices,
        validators=[validate_time_zone],
        help_text=_("Reminders come at your time where you are."),
    )
    by_email = forms.BooleanField(label=_("By e-mail"), required=False)
    by_push = forms.BooleanField(label=_("As a notification on this phone"), required=False)

    def __init__(self, *args, has_email, push_available, prefill_zone=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].widget.attrs["class"] = "btn-check"
        self.fields["time"].widget.attrs["class"] = "form-control reminder-time"
        # Before the first save reminders.js may choose the browser's time zone.
        zone_attrs = {"class": "form-select"}
        if prefill_zone:
            zone_attrs["data-prefill"] = "browser"
        self.fields["time_zone"].widget.attrs.update(zone_attrs)
        for name in ("by_email", "by_push"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if not has_email:
            self.fields["by_email"].disabled = True
            self.fields["by_email"].help_text = _("You have no e-mail address in hipcare.")
        if not push_available:
            del self.fields["by_push"]

    def clean_time(self):
        time = self.cleaned_data["time"]
        if rules.is_quiet(time):
            raise ValidationError(services.night_message(), code="night")
        return time

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("by_email") or cleaned.get("by_push")):
            raise ValidationError(
                _("Choose how to be reminded: by e-mail, by notification, or both."),
                code="channel",
            )
        return cleaned
