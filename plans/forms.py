import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from exercises.bounds import (
    DOSE_BOUNDS,
    PLAN_WEEKS_MAX,
    PLAN_WEEKS_MIN,
    SESSIONS_PER_WEEK_MAX,
    SESSIONS_PER_WEEK_MIN,
    SETS_MAX,
    SETS_MIN,
)
from exercises.dose import Dose, dose_errors
from exercises.models import Condition, Exercise
from hipcare.forms import DATE_INPUT
from plans.limits import ENTRY_REPS_MAX, ENTRY_SETS_MAX, PAIN_MAX, PAIN_MIN
from plans.models import (
    Contact,
    NextStep,
    PainMode,
    Plan,
    Prescription,
    Side,
    next_step_text,
)
from plans.services import ItemSpec

# A program may start at most this far back or ahead (product rule: typos, not plans).
START_DATE_WINDOW_DAYS = 365


# The widest bounds of any unit; the unit's own bounds are checked by dose_errors().
DOSE_LOWEST = min(low for low, _high in DOSE_BOUNDS.values())
DOSE_HIGHEST = max(high for _low, high in DOSE_BOUNDS.values())


# The range's labels name its unit ("Reps from", not "From"): a label is all a screen reader says.
RANGE_LABELS = {
    "reps": (_("Reps from"), _("Reps to")),
    "seconds": (_("Seconds from"), _("Seconds to")),
    "minutes": (_("Minutes from"), _("Minutes to")),
}
# The assign form's rows read "Sets [3] Reps [8] to [12]": the unit shown once, the labels'
# accessible names whole ("Reps from", "Reps to"), made of these words and "from", "to".
RANGE_UNIT_WORDS = {"reps": _("Reps"), "seconds": _("Seconds"), "minutes": _("Minutes")}


class DoseFields(forms.Form):
    """Sets and a range; clean_dose() judges them against the unit's bounds."""

    sets = forms.IntegerField(label=_("Sets"), min_value=SETS_MIN, max_value=SETS_MAX)
    dose_min = forms.IntegerField(label=_("From"), min_value=DOSE_LOWEST, max_value=DOSE_HIGHEST)
    dose_max = forms.IntegerField(label=_("To"), min_value=DOSE_LOWEST, max_value=DOSE_HIGHEST)

    def label_range(self, unit):
        """Labels the range in the exercise's unit (left as "From", "To" for an unknown one)."""
        if unit in RANGE_LABELS:
            self.fields["dose_min"].label, self.fields["dose_max"].label = RANGE_LABELS[unit]


def clean_dose(form, data, unit):
    """Puts a valid Dose in data["dose"], or the catalogue's messages on the dose fields."""
    values = {"sets": data.get("sets"), "low": data.get("dose_min"), "high": data.get("dose_max")}
    for field, message in dose_errors(unit=unit, **values).items():
        if field not in form.errors:
            form.add_error(field if field in form.fields else None, message)
    if None not in values.values() and not any(f in form.errors for f in form.fields):
        data["dose"] = Dose(values["sets"], unit, values["low"], values["high"])
    return data


class PlanForm(forms.Form):
    # Chosen above the form (a GET form that reloads the template's rows); posted as it was shown.
    condition = forms.ModelChoiceField(
        label=_("Condition"),
        queryset=Condition.objects.all(),
        empty_label=None,
        widget=forms.HiddenInput,
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
    pain_mode = forms.TypedChoiceField(
        label=_("Pain rule"),
        choices=PainMode.choices,
        required=False,
        empty_value=PainMode.MONITORING,
        initial=PainMode.MONITORING,
        help_text=Plan._meta.get_field("pain_mode").help_text,
    )
    # The course of care the program starts (courses.services.course_assign) keeps them.
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        max_length=1000,  # courses.models.Course.goals
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the patient wants to be able to do again, in their words."),
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    SETTINGS = ("side", "start_date", "weeks", "sessions_per_week", "pain_mode")

    def settings(self):
        """The program's settings as shown, for the line that sums them up (the fields fold
        away under it): choice labels, the start date (formatted, or the text as typed)."""
        choices = {name: dict(self.fields[name].choices) for name in ("side", "pain_mode")}
        values = {name: self[name].value() for name in self.SETTINGS}
        for name, labels in choices.items():
            values[name] = labels.get(values[name], values[name])
        if isinstance(values["start_date"], datetime.date):
            values["start_date"] = date_format(values["start_date"], "SHORT_DATE_FORMAT")
        values["has_errors"] = any(self[name].errors for name in self.SETTINGS)
        return values

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if abs((start - timezone.localdate()).days) > START_DATE_WINDOW_DAYS:
            raise forms.ValidationError(_("Choose a start date within a year of today."))
        return start


class PrescriptionRowForm(DoseFields):
    """One row of the assign form. `exercises` maps a pk (as text) to a prefetched Exercise."""

    field_order = ["keep", "exercise", "sets", "dose_min", "dose_max", "side", "load", "note"]

    keep = forms.BooleanField(label=_("Include"), required=False)
    exercise = forms.ChoiceField(label=_("Exercise"), required=False)
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, required=False)
    load = forms.CharField(label=_("Load"), max_length=100, required=False)
    note = forms.CharField(label=_("Note to the patient"), max_length=300, required=False)
    confirm_caution = forms.BooleanField(label=_("I confirm this exercise"), required=False)

    def __init__(self, *args, exercises, exercise_choices, condition=None, guides=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DoseFields.base_fields:  # a row left out needs no dose
            self.fields[name].required = False
        self.exercises = exercises
        self.condition = condition
        self.guides = guides or {}
        self.fields["exercise"].choices = exercise_choices
        self.caution = None
        exercise = self.selected_exercise()
        self.label_range(exercise.dose_unit if exercise else None)

    def selected_exercise(self):
        key = self["exercise"].value()
        return self.exercises.get(str(key)) if key else None

    def caution_note(self):
        """The chosen exercise's caution for the program's condition (notes prefetched)."""
        exercise = self.selected_exercise()
        if exercise is None or self.condition is None:
            return None
        return exercise.caution_for(self.condition.pk)

    def range_unit(self):
        """The range's unit in words ("Reps", "Seconds", "Minutes"); "" with no exercise."""
        exercise = self.selected_exercise()
        return RANGE_UNIT_WORDS.get(exercise.dose_unit, "") if exercise else ""

    def side_label(self):
        return dict(Side.choices).get(self["side"].value(), "")

    def guide(self):
        """The template's note for the chosen exercise (the patient reads it in their language)."""
        key = self["exercise"].value()
        item = self.guides.get(str(key)) if key else None
        return item.note if item else ""

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
        clean_dose(self, data, exercise.dose_unit)
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
            dose=data["dose"],
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


def exercise_choices(condition, clinic_id):
    """Active exercises for the assign form (shared, or the patient's clinic's own): suitable
    ones first, cautioned ones marked.

    Returns the exercises by pk (as text, as posted) and the grouped choices for the select.
    """
    exercises = list(
        Exercise.objects.for_clinic(clinic_id)
        .active()
        .prefetch_related("condition_notes", "suits")
        .order_by("name_en")
    )
    suited, other = [], []
    for exercise in exercises:
        label = exercise.name
        if exercise.caution_for(condition.pk):
            label = f"⚠ {label}"
        suits = any(c.pk == condition.pk for c in exercise.suits.all())
        (suited if suits else other).append((str(exercise.pk), label))
    choices = [("", "—")]
    if suited:
        choices.append((_("Suits %(condition)s") % {"condition": condition.name}, suited))
    if other:
        choices.append((_("Other exercises"), other))
    return {str(e.pk): e for e in exercises}, choices


def template_rows(template, side):
    """Starting rows: the template's exercises (items prefetched). More are added one at a
    time (AddExerciseForm, with_added_row): no blank row waits, ticked, at the bottom.

    The template's note is not copied into the physio's note: plan_assign stores it in both
    languages (Prescription.guide_en, guide_da), and the row shows it (PrescriptionRowForm.guide).
    """
    rows = []
    if template is not None:
        for item in template.items.all():
            rows.append(
                {
                    "keep": True,
                    "exercise": str(item.exercise_id),
                    "sets": item.sets,
                    "dose_min": item.dose_min,
                    "dose_max": item.dose_max,
                    "side": side,
                }
            )
    return rows


def assign_formset(
    condition, *, clinic_id, data=None, template=None, side=Side.BOTH, catalogue=None
):
    """The assign form's exercise rows for `condition`: bound to `data` (a POST), or else
    starting from the template's exercises on `side`. `catalogue` is exercise_choices()'s
    answer when the caller has it; the formset keeps it (formset.catalogue) for the add form."""
    catalogue = catalogue or exercise_choices(condition, clinic_id)
    exercises, choices = catalogue
    guides = {str(item.exercise_id): item for item in template.items.all()} if template else {}
    row_kwargs = {
        "exercises": exercises,
        "exercise_choices": choices,
        "condition": condition,
        "guides": guides,
    }
    kwargs = {"prefix": "rx", "form_kwargs": row_kwargs}
    if data is not None:
        formset = PrescriptionFormSet(data, **kwargs)
    else:
        formset = PrescriptionFormSet(initial=template_rows(template, side), **kwargs)
    formset.catalogue = catalogue
    return formset


class AddExerciseForm(forms.Form):
    """The assign form's "Add an exercise": one more row, at the catalogue's dose, to adjust
    before saving. Posted with the program's rows, which stay as they were typed."""

    exercise = forms.ChoiceField(label=_("Add an exercise"), required=False)

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        self.exercises, self.fields["exercise"].choices = catalogue  # see exercise_choices()

    def chosen(self):
        """The exercise to add, or None (nothing chosen, or an error on the form)."""
        if not self.is_valid() or not self.cleaned_data["exercise"]:
            return None
        exercise = self.exercises.get(self.cleaned_data["exercise"])
        if exercise is None:
            self.add_error("exercise", _("Choose an active exercise from the catalogue."))
        return exercise


def with_added_row(data, exercise, *, side, add_form):
    """The posted assign form with one more row: `exercise` at its catalogue dose, ticked.
    Returns the data unchanged (and an error on add_form) when the row cannot be added."""
    rows = data.get("rx-TOTAL_FORMS", "")
    if not (rows.isascii() and rows.isdigit() and int(rows) < PrescriptionFormSet.max_num):
        add_form.add_error("exercise", _("The program cannot hold more exercises."))
        return data
    total = int(rows)
    for i in range(total):
        if data.get(f"rx-{i}-exercise") == str(exercise.pk) and data.get(f"rx-{i}-keep"):
            add_form.add_error(
                "exercise", _("%(name)s is in the program already.") % {"name": exercise.name}
            )
            return data
    data = data.copy()
    row = {"keep": "on", "exercise": exercise.pk, "side": side, "load": "", "note": ""}
    row.update(sets=exercise.sets, dose_min=exercise.dose_min, dose_max=exercise.dose_max)
    for key, value in row.items():
        data[f"rx-{total}-{key}"] = str(value)
    data["rx-TOTAL_FORMS"] = str(total + 1)
    data["add-exercise"] = ""
    return data


class DoseChangeForm(DoseFields):
    load = forms.CharField(label=_("Load"), max_length=100, required=False)
    note = forms.CharField(label=_("Note to the patient"), max_length=300, required=False)
    next_step = forms.ChoiceField(
        label=_("Variant"),
        choices=NextStep.choices,
        required=False,
        help_text=_("The patient reads the variant in their own language."),
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, prescription, **kwargs):
        fields = ("sets", "dose_min", "dose_max", "load", "note", "next_step")
        initial = {f: getattr(prescription, f) for f in fields}
        super().__init__(*args, initial=initial, **kwargs)
        self.dose_unit = prescription.dose_unit
        self.label_range(prescription.dose_unit)
        # Each choice in the words the patient will read (in the patient's own language).
        self.fields["next_step"].choices = [(NextStep.NONE, NextStep.NONE.label)] + [
            (code, next_step_text(prescription.exercise, code))
            for code in (NextStep.HARDER, NextStep.EASIER)
        ]

    def clean(self):
        return clean_dose(self, super().clean(), self.dose_unit)


class PrescriptionsField(forms.ModelMultipleChoiceField):
    """Posted prescription ids; anything but a plain number is refused before the database
    sees it ("²" is a digit to Python, and 30 digits overflow SQLite's integers)."""

    def _check_values(self, value):
        for pk in value:
            if not (isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) < 19):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
        return super()._check_values(value)


class SuggestionDecisionForm(forms.Form):
    """The physio's answer to a dose suggestion, with the prescriptions to change."""

    APPROVE, DISMISS = "approve", "dismiss"
    latest_session_date = forms.DateField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (DISMISS, _("Dismiss"))])
    rx = PrescriptionsField(queryset=Prescription.objects.none(), required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rx"].queryset = Prescription.objects.current().filter(plan=plan)
        self.fields["rx"].error_messages["invalid_choice"] = _(
            "That exercise is no longer in the program; reload the page."
        )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE and not data.get("rx"):
            raise forms.ValidationError(_("Choose at least one exercise to change, or dismiss."))
        return data


PAIN_CHOICES = [(n, str(n)) for n in range(PAIN_MIN, PAIN_MAX + 1)]
# The red flags of clinical-facts.md §5, asked before the session. Keep the qualifiers: an old
# fall that started the pain, or night pain alone (common in bursitis and osteoarthritis), must
# not stop anyone.
RED_FLAG_CHOICES = [
    ("fall", _("A new fall or injury since my last session, or I cannot put weight on the leg")),
    ("fever", _("Fever, chills or feeling unwell, with a hot, swollen or very painful hip")),
    ("severe_sudden", _("Sudden, severe pain")),
    ("night_pain", _("Pain at night or at rest that does not ease, and I have lost weight without trying or have had cancer")),
    ("numbness", _("Numbness, pins and needles or weakness in the leg, or loss of bladder or bowel control")),
    ("calf", _("A swollen, warm, painful calf")),
]  # fmt: skip


class PainField(forms.TypedChoiceField):
    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=PAIN_CHOICES, coerce=int, empty_value=None, **kwargs)


class ClientKeyForm(forms.Form):
    """The key static/js/offline.js gives each change before sending it: sent again after a
    lost connection, a change with a key seen before is not written twice (plans/offline.py).
    Optional: without JavaScript there is none."""

    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)


class SessionStartForm(ClientKeyForm):
    """The safety questions, before the first exercise."""

    pain_before = PainField(label=_("Pain right now (0 = none, 10 = worst imaginable)"))
    red_flags = forms.MultipleChoiceField(
        label=_("Does any of this apply to you today? Tick only what is new or true now."),
        choices=RED_FLAG_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class TickForm(ClientKeyForm):
    done = forms.BooleanField(required=False)
    sets_done = forms.IntegerField(
        label=_("Sets done"), required=False, min_value=0, max_value=ENTRY_SETS_MAX
    )
    reps_done = forms.IntegerField(
        label=_("Reps or seconds done"), required=False, min_value=0, max_value=ENTRY_REPS_MAX
    )


class SessionFinishForm(ClientKeyForm):
    pain_after = PainField(label=_("Pain after the session (0–10)"))
    effort = PainField(
        label=_("How hard was it? (0 = very easy, 10 = maximal effort)"), required=False
    )
    note = forms.CharField(
        label=_("Note to your physiotherapist (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class ContactForm(forms.Form):
    """The physio's record of a contact after a stop, or of a program review."""

    reason = forms.TypedChoiceField(choices=Contact.Reason.choices, widget=forms.HiddenInput)
    covers_through = forms.DateField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("What was agreed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example: spoke on the phone, pain settling, continue at the lower dose."),
    )


class PainModeForm(forms.Form):
    pain_mode = forms.ChoiceField(
        label=_("Pain rule"), choices=PainMode.choices, widget=forms.RadioSelect
    )
