"""Who treats whom at the clinic: a physio takes a colleague's patient over, or covers for an
absent colleague. The writes and their records live in hipcare/clinics.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hipcare import clinics
from hipcare.access import physio_required
from hipcare.forms import DATE_INPUT, add_errors
from hipcare.models import Cover, User


class CoverForm(forms.Form):
    absent = forms.ModelChoiceField(
        label=gettext_lazy("Colleague"), queryset=User.objects.none(), empty_label=None
    )
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=gettext_lazy("Until (inclusive)"), widget=DATE_INPUT)

    def __init__(self, *args, physio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = clinics.colleagues(physio)


@require_POST
@physio_required
def patient_take_over(request, pk):
    patient = get_object_or_404(User.objects.patients_for(request.user), pk=pk)
    try:
        clinics.take_over(patient=patient, physio=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("You now treat %(name)s. The change is recorded.") % {"name": patient}
        )
    return redirect("plans:patient-detail", patient.pk)


@physio_required
def covers(request):
    """The physio's covers (now and coming) and the form to cover for a colleague."""
    today = timezone.localdate()
    form = CoverForm(
        request.POST or None,
        physio=request.user,
        initial={"starts_on": today, "ends_on": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            cover = clinics.cover_start(covering=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("You cover for %(name)s until %(day)s: their patients are in your caseload.")
                % {"name": cover.absent, "day": cover.ends_on},
            )
            return redirect("plans:caseload")
    context = {
        "form": form,
        "covers": Cover.objects.filter(covering=request.user, ends_on__gte=today)
        .select_related("absent")
        .order_by("starts_on", "pk"),
        "covered_by": Cover.objects.filter(absent=request.user, ends_on__gte=today)
        .select_related("covering")
        .order_by("starts_on", "pk"),
        "today": today,
    }
    return render(request, "plans/covers.html", context)


@require_POST
@physio_required
def cover_end(request, pk):
    cover = get_object_or_404(
        Cover.objects.filter(covering=request.user, ends_on__gte=timezone.localdate()), pk=pk
    )
    clinics.cover_end(cover=cover)
    messages.success(request, _("The cover has ended."))
    return redirect("plans:covers")
