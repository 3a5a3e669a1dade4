from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises.models import Condition
from hipcare.accounts import EMAIL_NOT_USABLE, START_NEEDS_BIRTH_DATE
from hipcare.models import LOGIN_MAX_LENGTH, PHYSIO, Clinic, Membership, User

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_errors(form, error):
    """A service's ValidationError onto the form: on the named field if the form shows it, else
    above the form (a hidden field's error would not be seen)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, messages_)
    else:
        form.add_error(None, error.messages)


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail or username")
        # AuthenticationForm sets max_length after the field is built, so nothing enforces it;
        # a longer name could match no account anyway.
        username.max_length = LOGIN_MAX_LENGTH
        username.widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)
        username.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))


class PatientAddForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_(
            "The invitation to set a password goes here. Without one, you start the account "
            "with the patient in the clinic, which needs their date of birth."
        ),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_INPUT)
    condition = forms.ModelChoiceField(
        label=_("Condition"), queryset=Condition.objects.all(), empty_label=None
    )
    # The user model owns the side choices, so accounts need nothing from plans.
    affected_side = forms.ChoiceField(
        label=_("Affected side"), choices=User._meta.get_field("affected_side").choices
    )

    # Left out (one clinic, or a form posted without it): the physio's first clinic.
    clinic = forms.ModelChoiceField(
        label=_("Clinic"), queryset=Clinic.objects.none(), empty_label=None, required=False
    )

    def __init__(self, *args, physio, **kwargs):
        super().__init__(*args, **kwargs)
        clinics = Clinic.objects.filter(pk__in=Membership.objects.clinics_of(physio, PHYSIO))
        self.fields["clinic"].queryset = clinics
        options = list(clinics[:2])
        # One clinic (the usual case): nothing to choose.
        if len(options) == 1:
            self.fields["clinic"].widget = forms.HiddenInput()
            self.fields["clinic"].initial = options[0].pk

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email and User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(EMAIL_NOT_USABLE)
        return email

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and not (born.year >= 1900 and born <= timezone.localdate()):
            raise forms.ValidationError(_("Enter a date of birth in the past."))
        return born

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("email")
            and "email" not in self.errors
            and "date_of_birth" not in self.errors
            and not cleaned.get("date_of_birth")
        ):
            self.add_error("date_of_birth", START_NEEDS_BIRTH_DATE)
        return cleaned


class StartCodeForm(forms.Form):
    """The in-clinic start page: the code from the physio and the patient's date of birth."""

    code = forms.CharField(
        label=_("Start code"),
        max_length=20,
        help_text=_("The code your physiotherapist gave you, for example ABCD-EFGH."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    date_of_birth = forms.DateField(label=_("Your date of birth"), widget=DATE_INPUT)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


# Clinic admin pages (hipcare/clinic_views.py).


class PhysioInviteForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_(
            "The invitation to choose a password goes here. A physiotherapist who already has a "
            "hipcare account (at another clinic) just joins this clinic and gets no e-mail."
        ),
    )


class PhysioDeactivateForm(forms.Form):
    """Who takes over the leaving physio's patients at this clinic: asked only when they treat
    patients here."""

    hand_to = forms.ModelChoiceField(
        label=_("Who takes over their patients"),
        queryset=User.objects.none(),
        empty_label=_("Choose a colleague"),
        error_messages={"required": _("Choose the colleague who takes over the patients.")},
    )

    def __init__(self, *args, colleagues, needs_colleague, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_colleague:
            self.fields["hand_to"].queryset = colleagues
        else:
            del self.fields["hand_to"]


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ["name", "retention_years", "retention_reason"]
        widgets = {"retention_reason": forms.Textarea(attrs={"rows": 3})}
