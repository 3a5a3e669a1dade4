import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from courses.demo import demo_courses, demo_licence
from exercises.models import Condition, ProgramTemplate
from hipcare import demo, erasure, two_factor
from hipcare.models import CLINIC_ADMIN, PHYSIO, Clinic, Membership, User, normalise_username
from plans.demo import demo_access_log, demo_history


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent). Needs DEBUG or --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "seed_demo creates accounts with a known password: use DEBUG or --force."
            )
        clinics = [Clinic.objects.get_or_create(name=name)[0] for name in demo.CLINICS]
        admin = self._user(demo.ADMIN, is_staff=True, is_superuser=True)
        physios = [self._user(p, role=User.Role.PHYSIO) for p in demo.PHYSIOS]
        for physio, spec in zip(physios, demo.PHYSIOS, strict=True):
            Membership.objects.get_or_create(
                clinic=clinics[spec["clinic"]], user=physio, role=PHYSIO
            )
        clinic_admin = self._user(demo.CLINIC_ADMIN, role=User.Role.CLINIC_ADMIN)
        Membership.objects.get_or_create(
            clinic=clinics[demo.CLINIC_ADMIN["clinic"]], user=clinic_admin, role=CLINIC_ADMIN
        )
        for user in (admin, clinic_admin, *physios):
            TOTPDevice.objects.get_or_create(
                user=user, name=two_factor.APP_DEVICE,
                defaults={"key": demo.DEMO_TOTP_KEY, "confirmed": True},
            )  # fmt: skip
        if not ProgramTemplate.objects.exists():
            raise CommandError("Load the catalogue first: manage.py load_catalogue")
        conditions = {c.code: c for c in Condition.objects.all()}
        patients = []
        for spec in demo.PATIENTS:
            patient = self._user(
                spec,
                role=User.Role.PATIENT,
                physio=physios[spec["physio"]],
                clinic=clinics[demo.PHYSIOS[spec["physio"]]["clinic"]],
                date_of_birth=spec["born"],
                condition=conditions[spec["condition"]],
                affected_side=spec["side"],
            )
            patients.append((patient, spec))
        made = demo_history(patients)
        if made:
            self.stdout.write(f"Gave {made} demo patients a program and weeks of sessions.")
            demo_access_log(physios, patients)
        demo_licence(clinics[demo.CLINIC_ADMIN["clinic"]], clinic_admin)
        if courses := demo_courses(patients):
            self.stdout.write(f"Gave {courses} demo programs a course of care.")
        for patient, spec in patients:
            if spec.get("erasure") and patient.is_active:
                erasure.erasure_request(patient=patient)
        self.stdout.write(self.style.SUCCESS(self.summary()))
        return None

    def _user(self, spec, **extra):
        fields = {k: spec[k] for k in ("username", "first_name", "last_name", "email")}
        # Looked up by the stored spelling (save() normalises username and e-mail).
        user, created = User.objects.get_or_create(
            username=normalise_username(fields["username"]), defaults={**fields, **extra}
        )
        if created:
            user.set_password(demo.DEMO_PASSWORD)
            user.save()
        return user

    def summary(self):
        secret = base64.b32encode(bytes.fromhex(demo.DEMO_TOTP_KEY)).decode().rstrip("=")
        lines = [
            f"Demo logins (password for all: {demo.DEMO_PASSWORD})",
            "Physios and the admin then enter a code: run `make code` (or"
            " `.venv/bin/python manage.py otp_code physio`), or add this key to an"
            f" authenticator app: {secret}",
            f"  admin     {demo.ADMIN['username']:<11} → Django admin (the catalogue)",
            f"  clinic    {demo.CLINIC_ADMIN['username']:<11} {demo.CLINIC_ADMIN['first_name']}"
            f" {demo.CLINIC_ADMIN['last_name']}, clinic admin of"
            f" {demo.CLINICS[demo.CLINIC_ADMIN['clinic']]}",
        ]
        for p in demo.PHYSIOS:
            lines.append(
                f"  physio    {p['username']:<11} {p['first_name']} {p['last_name']}"
                f" ({demo.CLINICS[p['clinic']]})"
            )
        for p in demo.PATIENTS:
            if p.get("erasure"):
                lines.append(
                    f"  (patient  {p['username']:<11} {p['first_name']} {p['last_name']}"
                    " asked to be erased: the account is closed, the clinic admin decides)"
                )
                continue
            lines.append(
                f"  patient   {p['username']:<11} {p['first_name']} {p['last_name']}"
                f" ({p['condition']}, {p['story'].replace('_', ' ')})"
            )
        return "\n".join(lines)
