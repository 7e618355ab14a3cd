import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from ptsm.demo.loader import demo_totp_device


class Command(BaseCommand):
    help = (
        "Affiche le code de double authentification du moment d'un compte de démonstration "
        "(pour essayer la démo sans application d'authentification)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="ars@demo.ptsm.fr")

    def handle(self, *args, email: str, **options):
        device = demo_totp_device(email)
        if device is None:
            raise CommandError(
                f"{email} n'est pas un compte de démonstration avec double authentification."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d} (valable encore {remaining} secondes)")
