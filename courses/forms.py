"""The physiotherapist's forms of a course of care: the performance tests at one point, the
6-week review and the discharge. The rules they carry out are in courses/services.py; a service's
refusal comes back at its field (hipcare.forms.add_errors, TestsForm.add_service_error)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses import rules
from courses.models import Course
from exercises.bounds import (
    PLAN_WEEKS_MAX,
    PLAN_WEEKS_MIN,
    SESSIONS_PER_WEEK_MAX,
    SESSIONS_PER_WEEK_MIN,
)


def _number(value):
    """An answer as it was saved (34.5, 12) for the field, without a trailing .0."""
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


class TestsForm(forms.Form):
    """The performance tests of one point of the course, one field per item, each labelled with
    its text and unit. A test left empty is not recorded now; one recorded before is prefilled."""

    def __init__(self, *args, instruments, recorded, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        self.groups = []  # (instrument, [bound field]) for the template's fieldsets
        for instrument in instruments:
            measures = list(instrument.measures.all())
            unit = measures[0].unit if measures else ""
            result = recorded.get(instrument.pk)
            names = []
            for item in instrument.items.all():
                name = self.field_name(instrument, item.number)
                text = item.text or instrument.name
                self.fields[name] = forms.CharField(
                    label=_("%(text)s (%(unit)s)") % {"text": text, "unit": unit} if unit else text,
                    required=False,
                    max_length=20,
                    initial=_number(result.answers.get(str(item.number))) if result else None,
                    help_text=_("From %(low)s to %(high)s. Leave it empty if not tested.")
                    % {
                        "low": f"{instrument.answer_min.normalize():f}",
                        "high": f"{instrument.answer_max.normalize():f}",
                    },
                    widget=forms.TextInput(
                        attrs={
                            "inputmode": "decimal" if instrument.decimals else "numeric",
                            "autocomplete": "off",
                        }
                    ),
                )
                names.append(name)
            self.groups.append((instrument, result, names))

    @staticmethod
    def field_name(instrument, number):
        return f"{instrument.code}-{number}"

    def fieldsets(self):
        """(instrument, the result recorded before or None, [bound field]) per test."""
        return [(i, result, [self[n] for n in names]) for i, result, names in self.groups]

    def clean(self):
        data = super().clean()
        if not any(self.answers_given()):
            raise forms.ValidationError(_("Enter at least one test result."))
        return data

    def answers_given(self):
        """(instrument, {item number: value as typed}) for each test with a value typed."""
        given = []
        for instrument in self.instruments:
            answers = {
                item.number: (self.cleaned_data.get(self.field_name(instrument, item.number)) or "")
                for item in instrument.items.all()
            }
            if any(value.strip() for value in answers.values()):
                given.append((instrument, answers))
        return given

    def add_service_error(self, instrument, error):
        """result_record's refusal at the item it names, or above the form."""
        if hasattr(error, "error_dict"):
            for number, messages in error.message_dict.items():
                name = self.field_name(instrument, number)
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


DECISION_HELP = {
    Course.Decision.CONTINUE: _(
        "The program goes on as it is. The patient answers the discharge questions before "
        "the last week, and you discharge them then."
    ),
    Course.Decision.ADJUST: _(
        "The course goes on with other doses: you change them on the patient's page next."
    ),
    Course.Decision.END: _(
        "The course ends now: the patient is asked for the discharge questions, and you "
        "discharge them with a maintenance program next."
    ),
}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("What happens next"),
        choices=Course.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens next.")},
    )
    note = forms.CharField(
        label=_("Review note"),
        required=False,
        max_length=Course._meta.get_field("review_note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you and the patient agreed, for example the goals still ahead."),
    )

    def decisions(self):
        """(radio, its explanation) for the template, which lays each choice out with its help."""
        return [
            (radio, DECISION_HELP[Course.Decision(radio.data["value"])])
            for radio in self["decision"]
        ]


CAUTION_REQUIRED = _(
    "Tick to confirm you want it for this patient, or assign a new program without it."
)


class DischargeForm(forms.Form):
    note = forms.CharField(
        label=_("Plan to keep going"),
        required=False,
        max_length=Course._meta.get_field("discharge_note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the patient does from now on, in words they will read on the summary: "
            "for example which exercises to keep, and when to get in touch."
        ),
    )
    sessions_per_week = forms.IntegerField(
        label=_("Maintenance sessions a week"),
        min_value=SESSIONS_PER_WEEK_MIN,
        max_value=SESSIONS_PER_WEEK_MAX,
    )
    weeks = forms.IntegerField(
        label=_("Maintenance program length in weeks"),
        min_value=PLAN_WEEKS_MIN,
        max_value=PLAN_WEEKS_MAX,
    )
    confirm = forms.BooleanField(
        label=_("I have reviewed the outcomes with the patient"),
        error_messages={
            "required": _(
                "Tick this once you have gone through the outcomes with the patient: "
                "discharging ends the program."
            )
        },
    )

    def __init__(self, *args, plan, cautions=(), **kwargs):
        super().__init__(*args, **kwargs)
        # An exercise whose caution the physio has not confirmed (outcomes.discharge_cautions):
        # confirmed here for the maintenance program, as on the assign form.
        self.cautions = list(cautions)
        for exercise, note in self.cautions:
            self.fields[f"caution_{exercise.pk}"] = forms.BooleanField(
                label=_("Keep “%(name)s” for this patient: %(reason)s")
                % {"name": exercise.name, "reason": note.reason},
                error_messages={"required": CAUTION_REQUIRED},
            )
        course_sessions = plan.sessions_per_week
        self.fields["sessions_per_week"].help_text = (
            _("Fewer than the course's %(n)s a week.") % {"n": course_sessions}
            if course_sessions > SESSIONS_PER_WEEK_MIN
            else _(
                "The course has %(n)s a week, the fewest there can be: the maintenance program keeps it."
            )
            % {"n": course_sessions}
        )
        self.fields["sessions_per_week"].initial = rules.maintenance_sessions_default(
            course_sessions
        )
        self.fields["weeks"].initial = rules.MAINTENANCE_WEEKS

    def caution_fields(self):
        return [self[f"caution_{exercise.pk}"] for exercise, _note in self.cautions]

    def confirmed_cautions(self):
        """The ids of the exercises whose caution is confirmed, for services.course_discharge."""
        return {exercise.pk for exercise, _note in self.cautions}
