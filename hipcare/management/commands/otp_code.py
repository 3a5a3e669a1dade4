from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="physio")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("otp_code is for the demo: it needs DEBUG=true.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator app set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
