"""The patient's forms of a course: the questionnaires of one point on one page, and the week's
hip pain on the checklist. Each answer is a row of radio buttons (templates/plans/_pain_scale.html);
the range and the scoring are the instrument's, checked again by services.result_record."""

from django import forms
from django.utils.translation import gettext_lazy as _

ANSWER_REQUIRED = _("Choose an answer.")


def scale_choices(instrument):
    """The answers of a whole-number scale, lowest first (0–10 for hip pain, 0–4 for HOOS-12)."""
    return [(n, str(n)) for n in range(int(instrument.answer_min), int(instrument.answer_max) + 1)]


def field_name(instrument, item):
    return f"{instrument.code}-{item.number}"


class ScaleField(forms.TypedChoiceField):
    widget = forms.RadioSelect

    def __init__(self, instrument, **kwargs):
        super().__init__(
            choices=scale_choices(instrument),
            coerce=int,
            empty_value=None,
            error_messages={"required": ANSWER_REQUIRED, "invalid_choice": ANSWER_REQUIRED},
            **kwargs,
        )


class QuestionnaireForm(forms.Form):
    """Every item of the questionnaires in use at one point, prefilled from the answers given."""

    def __init__(self, *args, instruments, results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        given = {result.instrument_id: result.answers for result in results}
        for instrument in self.instruments:
            answers = given.get(instrument.pk, {})
            for item in instrument.items.all():
                name = field_name(instrument, item)
                self.fields[name] = ScaleField(instrument, label=item.text)
                if str(item.number) in answers:
                    self.initial[name] = answers[str(item.number)]

    def groups(self):
        """(instrument, [(item, bound field), ...]) in order, for the template."""
        return [
            (
                instrument,
                [(item, self[field_name(instrument, item)]) for item in instrument.items.all()],
            )
            for instrument in self.instruments
        ]

    def answers(self, instrument):
        """One instrument's cleaned answers, item number → value, for result_record."""
        return {
            item.number: self.cleaned_data.get(field_name(instrument, item))
            for item in instrument.items.all()
        }

    def add_service_errors(self, instrument, error):
        """A ValidationError of result_record (item number → messages) at the items' fields."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for number, messages in error.message_dict.items():
            name = f"{instrument.code}-{number}"
            self.add_error(name if name in self.fields else None, messages)

    def first_error(self):
        """The name of the first field with an error, in the page's order."""
        return next((name for name in self.fields if name in self.errors), None)


class WeeklyPainForm(forms.Form):
    """The week's average hip pain, asked on the checklist. item: the weekly instrument's one
    item, fetched with its instrument."""

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["pain"] = ScaleField(item.instrument, label=item.text)
