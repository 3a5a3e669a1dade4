"""An installation from before clinics: its physios and patients become one clinic's."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("hipcare", "User")
    if not User.objects.filter(role__in=["physio", "patient"]).exists():
        return
    Clinic = apps.get_model("hipcare", "Clinic")
    Membership = apps.get_model("hipcare", "Membership")
    clinic, _ = Clinic.objects.get_or_create(name="Clinic")
    Membership.objects.bulk_create(
        [
            Membership(clinic=clinic, user=physio, role="physio")
            for physio in User.objects.filter(role="physio")
        ],
        ignore_conflicts=True,
    )
    User.objects.filter(role="patient", clinic__isnull=True).update(clinic=clinic)


class Migration(migrations.Migration):
    dependencies = [("hipcare", "0005_clinics_access_log_erasure")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
