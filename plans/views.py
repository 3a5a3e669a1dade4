from django.shortcuts import render

from hipcare.access import patient_required, physio_required
from hipcare.models import User


@physio_required
def caseload(request):
    patients = User.objects.patients_of(request.user).order_by("last_name", "first_name")
    return render(request, "plans/caseload.html", {"patients": patients})


@patient_required
def today(request):
    return render(request, "plans/today.html", {})
