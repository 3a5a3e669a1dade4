import pytest
from django.core.management import call_command

from plans.models import Plan, Prescription, Session, SessionEntry

pytestmark = pytest.mark.django_db


def test_make_scale_data_small(capsys):
    call_command("load_catalogue", verbosity=0)
    call_command("make_scale_data", physios=2, patients=6, weeks=3)
    assert Plan.objects.count() == 6
    assert Prescription.objects.filter(plan__patient__username="scale-patient-0").exists()
    assert Session.objects.count() > 0
    assert SessionEntry.objects.count() >= Session.objects.count()
    assert "ticked exercises" in capsys.readouterr().out
    for session in Session.objects.all()[:50]:
        session.full_clean()


def test_scale_physios_open_their_patients_pages(client):
    """The benchmark opens physio-0's patient page: the physio works in the patients' clinic."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hipcare.models import User

    call_command("load_catalogue", verbosity=0)
    call_command("make_scale_data", physios=12, patients=24, weeks=1)
    physio = User.objects.get(username="scale-physio-0")
    patients = User.objects.patients_for(physio)
    # 12 physios: two clinics (10 and 2 physios), each physio's patients in their clinic.
    assert patients.count() == 20 and patients.filter(username="scale-patient-0").exists()
    last = User.objects.get(username="scale-physio-11")
    assert set(User.objects.patients_for(last).values_list("physio__username", flat=True)) == {
        "scale-physio-10",
        "scale-physio-11",
    }
    client.force_login(physio)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=physio).persistent_id
    session.save()
    patient = User.objects.get(username="scale-patient-0")
    assert client.get(f"/patients/{patient.pk}/").status_code == 200
