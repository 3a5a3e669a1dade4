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
