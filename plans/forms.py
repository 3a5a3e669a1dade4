import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises.models import (
    REPS_MAX,
    SETS_MAX,
    SETS_MIN,
    Condition,
    validate_dose,
)
from hipcare.models import User
from plans.models import (
    PLAN_WEEKS_MAX,
    PLAN_WEEKS_MIN,
    SESSIONS_PER_WEEK_MAX,
    SESSIONS_PER_WEEK_MIN,
    Side,
)
from plans.services import ItemSpec

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A program may start at most this far back or ahead (product rule: typos, not plans).
START_DATE_WINDOW_DAYS = 365


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
    affected_side = forms.ChoiceField(label=_("Affected side"), choices=Side.choices)

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


class PlanForm(forms.Form):
    condition = forms.ModelChoiceField(
        label=_("Condition"), queryset=Condition.objects.all(), empty_label=None
    )
    side = forms.ChoiceField(label=_("Affected side"), choices=Side.choices)
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    weeks = forms.IntegerField(
        label=_("Length in weeks"), min_value=PLAN_WEEKS_MIN, max_value=PLAN_WEEKS_MAX
    )
    sessions_per_week = forms.IntegerField(
        label=_("Sessions per week"),
        min_value=SESSIONS_PER_WEEK_MIN,
        max_value=SESSIONS_PER_WEEK_MAX,
        help_text=_("Exercise 3–4 times a week is recommended."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if abs((start - timezone.localdate()).days) > START_DATE_WINDOW_DAYS:
            raise forms.ValidationError(_("Choose a start date within a year of today."))
        return start


class PrescriptionRowForm(forms.Form):
    """One row of the assign form. `exercises` maps a pk (as text) to a prefetched Exercise."""

    keep = forms.BooleanField(label=_("Include"), required=False, initial=True)
    exercise = forms.ChoiceField(label=_("Exercise"), required=False)
    sets = forms.IntegerField(
        label=_("Sets"), required=False, min_value=SETS_MIN, max_value=SETS_MAX
    )
    dose_min = forms.IntegerField(label=_("From"), required=False, min_value=1, max_value=300)
    dose_max = forms.IntegerField(label=_("To"), required=False, min_value=1, max_value=300)
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, required=False)
    load = forms.CharField(label=_("Load"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    confirm_caution = forms.BooleanField(label=_("I confirm this exercise"), required=False)

    def __init__(self, *args, exercises, exercise_choices, condition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exercises = exercises
        self.condition = condition
        self.fields["exercise"].choices = exercise_choices
        self.caution = None

    def selected_exercise(self):
        key = self["exercise"].value()
        return self.exercises.get(str(key)) if key else None

    def clean(self):
        data = super().clean()
        if not data.get("keep") or not data.get("exercise"):
            data["skip"] = True
            return data
        exercise = self.exercises.get(data["exercise"])
        if exercise is None or not exercise.is_active:
            self.add_error("exercise", _("Choose an active exercise from the catalogue."))
            return data
        for field in ("sets", "dose_min", "dose_max"):
            if data.get(field) is None and field not in self.errors:
                self.add_error(field, _("Required."))
        for field, message in validate_dose(
            sets=data.get("sets"),
            dose_unit=exercise.dose_unit,
            dose_min=data.get("dose_min"),
            dose_max=data.get("dose_max"),
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        if self.condition is not None:
            self.caution = exercise.caution_for(self.condition.pk)
            if self.caution and not data.get("confirm_caution"):
                self.add_error(
                    "confirm_caution",
                    _("⚠ %(reason)s Tick to confirm you want it for this patient.")
                    % {"reason": self.caution.reason},
                )
        data["exercise_obj"] = exercise
        return data

    def item_spec(self):
        data = self.cleaned_data
        if data.get("skip") or "exercise_obj" not in data:
            return None
        return ItemSpec(
            exercise=data["exercise_obj"],
            sets=data["sets"],
            dose_min=data["dose_min"],
            dose_max=data["dose_max"],
            side=data.get("side") or Side.BOTH,
            load=data.get("load", ""),
            note=data.get("note", ""),
            caution_confirmed=bool(data.get("confirm_caution")),
        )


class BasePrescriptionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        chosen = [
            # A blank extra row left untouched is not validated at all: it has no cleaned data.
            f.cleaned_data["exercise_obj"]
            for f in self.forms
            if f.cleaned_data.get("exercise_obj")
        ]
        if not chosen:
            raise forms.ValidationError(_("Add at least one exercise to the program."))
        if len({e.pk for e in chosen}) != len(chosen):
            raise forms.ValidationError(_("Each exercise can appear only once in a program."))


PrescriptionFormSet = forms.formset_factory(
    PrescriptionRowForm, formset=BasePrescriptionFormSet, extra=0, max_num=40, absolute_max=40
)


class DoseChangeForm(forms.Form):
    sets = forms.IntegerField(label=_("Sets"), min_value=SETS_MIN, max_value=SETS_MAX)
    dose_min = forms.IntegerField(label=_("From"), min_value=1, max_value=REPS_MAX * 3)
    dose_max = forms.IntegerField(label=_("To"), min_value=1, max_value=REPS_MAX * 3)
    load = forms.CharField(label=_("Load"), max_length=100, required=False)
    note = forms.CharField(label=_("Note to the patient"), max_length=300, required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, dose_unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.dose_unit = dose_unit

    def clean(self):
        data = super().clean()
        for field, message in validate_dose(
            sets=data.get("sets"),
            dose_unit=self.dose_unit,
            dose_min=data.get("dose_min"),
            dose_max=data.get("dose_max"),
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


PAIN_CHOICES = [(n, str(n)) for n in range(0, 11)]
RED_FLAG_CHOICES = [
    ("fall", _("My hip pain started after a fall or injury, or I cannot put weight on the leg")),
    ("fever", _("I have fever or chills, or the hip is hot and swollen")),
    ("severe_sudden", _("Sudden, severe pain")),
    ("night_pain", _("Pain at night or at rest that does not ease")),
    ("numbness", _("Numbness, pins and needles or weakness in the leg, or loss of bladder or bowel control")),
    ("calf", _("A swollen, warm, painful calf")),
]  # fmt: skip


class PainField(forms.TypedChoiceField):
    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=PAIN_CHOICES, coerce=int, empty_value=None, **kwargs)


class SessionStartForm(forms.Form):
    pain_before = PainField(label=_("Pain right now (0 = none, 10 = worst imaginable)"))


class TickForm(forms.Form):
    done = forms.BooleanField(required=False)
    sets_done = forms.IntegerField(label=_("Sets done"), required=False, min_value=0, max_value=20)
    reps_done = forms.IntegerField(
        label=_("Reps or seconds done"), required=False, min_value=0, max_value=3600
    )


class SessionFinishForm(forms.Form):
    pain_after = PainField(label=_("Pain after the session (0–10)"))
    effort = PainField(
        label=_("How hard was it? (0 = very easy, 10 = maximal effort)"), required=False
    )
    red_flags = forms.MultipleChoiceField(
        label=_("Do any of these apply to you today?"),
        choices=RED_FLAG_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Note to your physiotherapist (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
