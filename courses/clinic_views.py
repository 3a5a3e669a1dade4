"""The clinic admin's licensed measures: which outcome measures the clinic's courses use, and
loading a licensed questionnaire's texts under the clinic's own licence (hipcare ships only its
structure and scoring). Like hipcare/clinic_views.py, every page works only on a clinic where
the user is an active clinic admin now (404 for any other), and shows no health data."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import services
from courses.models import ClinicInstrument, Instrument
from hipcare.access import clinic_admin_required
from hipcare.models import CLINIC_ADMIN, Clinic, Membership

TEXT_MAX = 300  # courses.models.Item.text_en
LABEL_MAX = 80  # courses.models.Item.low_label_en


def _clinic(request, clinic_pk):
    """The clinic, if the user is its admin now; else 404."""
    clinics = Clinic.objects.filter(
        pk__in=Membership.objects.clinics_of(request.user, CLINIC_ADMIN)
    )
    return get_object_or_404(clinics, pk=clinic_pk)


def _licensed(code):
    """A licensed instrument with its items and measures; 404 for a free one."""
    return get_object_or_404(
        Instrument.objects.filter(licence=Instrument.Licence.CLINIC).prefetch_related(
            "items", "measures"
        ),
        code=code,
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


@clinic_admin_required
def clinic_instruments(request, clinic_pk):
    """Every outcome measure, with its licence and whether the clinic has loaded it."""
    clinic = _clinic(request, clinic_pk)
    loaded = {
        ci.instrument_id: ci
        for ci in ClinicInstrument.objects.filter(clinic=clinic).select_related("loaded_by")
    }
    rows = [(instrument, loaded.get(instrument.pk)) for instrument in Instrument.objects.all()]
    return render(request, "courses/clinic_instruments.html", {"clinic": clinic, "rows": rows})


class InstrumentLoadForm(forms.Form):
    """The licence, and each item's text in both languages as the clinic's licensed copy has it.
    The answers' ends in words are given once and apply to every item."""

    licence_reference = forms.CharField(
        label=gettext_lazy("Your clinic's licence"),
        max_length=ClinicInstrument._meta.get_field("licence_reference").max_length,
        help_text=gettext_lazy(
            "The licence number or permission your clinic was given (for HOOS-12, by Mapi Research Trust)."
        ),
    )
    holds_licence = forms.BooleanField(
        label=gettext_lazy("Our clinic holds a licence to use this questionnaire"),
        error_messages={
            "required": gettext_lazy("Load the texts only if your clinic holds a licence.")
        },
    )
    low_label_en = forms.CharField(
        label=gettext_lazy("The lowest answer means (English)"), max_length=LABEL_MAX
    )
    low_label_da = forms.CharField(
        label=gettext_lazy("The lowest answer means (Danish)"), max_length=LABEL_MAX
    )
    high_label_en = forms.CharField(
        label=gettext_lazy("The highest answer means (English)"), max_length=LABEL_MAX
    )
    high_label_da = forms.CharField(
        label=gettext_lazy("The highest answer means (Danish)"), max_length=LABEL_MAX
    )

    LABELS = ("low_label_en", "low_label_da", "high_label_en", "high_label_da")

    def __init__(self, *args, instrument, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.items = list(instrument.items.all())
        scales = {measure.code: measure.name for measure in instrument.measures.all()}
        texts = current.texts if current else {}
        if current:
            self.initial["licence_reference"] = current.licence_reference
        first = texts.get(str(self.items[0].number), {}) if self.items else {}
        for name in self.LABELS:
            self.initial.setdefault(name, first.get(name, ""))
        self.rows = []
        for item in self.items:
            given = texts.get(str(item.number), {})
            names = []
            for lang, label in (("en", _("Text (English)")), ("da", _("Text (Danish)"))):
                name = f"item_{item.number}_{lang}"
                self.fields[name] = forms.CharField(label=label, max_length=TEXT_MAX)
                self.initial[name] = given.get(f"text_{lang}", "")
                names.append(name)
            scale = scales.get(item.subscale, item.subscale)
            self.rows.append((item, scale, [self[name] for name in names]))

    def texts(self):
        """item number → the texts services.clinic_instrument_load takes."""
        labels = {name: self.cleaned_data[name] for name in self.LABELS}
        return {
            item.number: {
                "text_en": self.cleaned_data[f"item_{item.number}_en"],
                "text_da": self.cleaned_data[f"item_{item.number}_da"],
                **labels,
            }
            for item in self.items
        }

    def add_service_errors(self, error):
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages_ in error.message_dict.items():
            if key in self.fields:
                self.add_error(key, messages_)
            elif f"item_{key}_en" in self.fields:
                self.add_error(f"item_{key}_en", messages_)
            else:
                self.add_error(None, messages_)


@clinic_admin_required
def clinic_instrument_load(request, clinic_pk, code):
    """Loads (or updates) a licensed questionnaire's texts: from then on the clinic's patients
    answer it at the start, the review and discharge."""
    clinic = _clinic(request, clinic_pk)
    instrument = _licensed(code)
    current = ClinicInstrument.objects.filter(clinic=clinic, instrument=instrument).first()
    form = InstrumentLoadForm(_posted(request), instrument=instrument, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.clinic_instrument_load(
                clinic=clinic,
                instrument=instrument,
                by=request.user,
                licence_reference=form.cleaned_data["licence_reference"],
                texts=form.texts(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is loaded: your clinic's patients answer it at the start, the "
                    "review and discharge of their course."
                )
                % {"name": instrument.name},
            )
            return redirect("courses:clinic-instruments", clinic.pk)
    context = {"clinic": clinic, "instrument": instrument, "current": current, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "courses/clinic_instrument_load.html", context, status=status)


@clinic_admin_required
def clinic_instrument_stop(request, clinic_pk, code):
    """A confirmation page; on POST the clinic's patients are no longer asked the questionnaire."""
    clinic = _clinic(request, clinic_pk)
    instrument = _licensed(code)
    current = ClinicInstrument.objects.filter(
        clinic=clinic, instrument=instrument, is_active=True
    ).first()
    if current is None:
        messages.info(
            request, _("%(name)s is not in use at your clinic.") % {"name": instrument.name}
        )
        return redirect("courses:clinic-instruments", clinic.pk)
    if request.method == "POST":
        try:
            services.clinic_instrument_stop(clinic=clinic, instrument=instrument, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "Your clinic's patients are no longer asked %(name)s. The answers given so "
                    "far stay with their courses."
                )
                % {"name": instrument.name},
            )
        return redirect("courses:clinic-instruments", clinic.pk)
    context = {"clinic": clinic, "instrument": instrument, "current": current}
    return render(request, "courses/clinic_instrument_stop.html", context)
