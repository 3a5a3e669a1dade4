"""The patient's right of access and portability: the whole record as a readable, printable page
and as a FHIR R4 Bundle; the physio exports the same for a referral. Every export is logged."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from hipcare import audit
from hipcare.access import patient_required, physio_required
from hipcare.models import User
from plans import export

FHIR_JSON = "application/fhir+json"


def _log(request, patient):
    audit.record(request.user, patient, audit.What.EXPORT, audit.Action.EXPORT)


def _page(request, patient, *, for_patient):
    # The reminders are the patient's own settings: on their page only (plans/export.py).
    record = export.patient_record(patient, reminders=for_patient)
    _log(request, record.patient)
    return render(request, "plans/record.html", {"record": record, "for_patient": for_patient})


def _fhir(request, patient):
    record = export.patient_record(patient, reminders=False)  # not clinical: not in the bundle
    _log(request, record.patient)
    bundle = export.fhir_bundle(record, request.build_absolute_uri("/"))
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=2),
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    day = timezone.localdate(record.exported_at).isoformat()
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"hipcare-record-{record.patient.pk}-{day}.json"
    )
    return response


def _physio_patient(request, pk):
    """A patient of the physio's clinics, as the record reads them; another clinic's patient is
    404."""
    patients = export.record_patients(User.objects.patients_for(request.user), reminders=False)
    return get_object_or_404(patients, pk=pk)


def _own_patient(request, *, reminders):
    """The patient themself, read once more with what the record reads joined."""
    users = User.objects.filter(pk=request.user.pk)
    return export.record_patients(users, reminders=reminders).get()


@patient_required
def my_data(request):
    return _page(request, _own_patient(request, reminders=True), for_patient=True)


@patient_required
def my_data_fhir(request):
    return _fhir(request, _own_patient(request, reminders=False))


@physio_required
def patient_export(request, pk):
    return _page(request, _physio_patient(request, pk), for_patient=False)


@physio_required
def patient_export_fhir(request, pk):
    return _fhir(request, _physio_patient(request, pk))
