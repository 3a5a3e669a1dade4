import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from exercises.models import ProgramTemplate
from hipcare import demo, two_factor
from hipcare.models import User, normalise_username
from plans.demo import demo_history


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
        admin = self._user(demo.ADMIN, is_staff=True, is_superuser=True)
        physios = [self._user(p, role=User.Role.PHYSIO) for p in demo.PHYSIOS]
        for user in (admin, *physios):
            TOTPDevice.objects.get_or_create(
                user=user, name=two_factor.APP_DEVICE,
                defaults={"key": demo.DEMO_TOTP_KEY, "confirmed": True},
            )  # fmt: skip
        patients = []
        for spec in demo.PATIENTS:
            fields = {k: spec[k] for k in ("username", "first_name", "last_name", "email")}
            patient = self._user(
                fields,
                role=User.Role.PATIENT,
                physio=physios[spec["physio"]],
                date_of_birth=spec["born"],
            )
            patients.append((patient, spec))
        if not ProgramTemplate.objects.exists():
            raise CommandError("Load the catalogue first: manage.py load_catalogue")
        made = demo_history(patients)
        if made:
            self.stdout.write(f"Gave {made} demo patients a program and weeks of sessions.")
        self.stdout.write(self.style.SUCCESS(self.summary()))
        return None

    def _user(self, fields, **extra):
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
            f"  admin     {demo.ADMIN['username']:<10} → Django admin",
        ]
        for p in demo.PHYSIOS:
            lines.append(f"  physio    {p['username']:<10} {p['first_name']} {p['last_name']}")
        for p in demo.PATIENTS:
            lines.append(
                f"  patient   {p['username']:<10} {p['first_name']} {p['last_name']}"
                f" ({p['condition']}, {p['story'].replace('_', ' ')})"
            )
        return "\n".join(lines)
