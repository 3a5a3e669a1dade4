from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises.models import Condition
from hipcare.models import User

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_errors(form, error):
    """A service's ValidationError onto the form: on the named field if the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail or username")


class PatientAddForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The invitation to set a password goes here.")
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_INPUT)
    condition = forms.ModelChoiceField(
        label=_("Condition"), queryset=Condition.objects.all(), empty_label=None
    )
    # The user model owns the side choices, so accounts need nothing from plans.
    affected_side = forms.ChoiceField(
        label=_("Affected side"), choices=User._meta.get_field("affected_side").choices
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this e-mail address already exists."))
        return email

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and not (born.year >= 1900 and born <= timezone.localdate()):
            raise forms.ValidationError(_("Enter a date of birth in the past."))
        return born
