from base64 import b32encode

from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.core.management.base import DataCommand
from ptsm.demo.loader import DEMO_SLUG, demo_totp_device, load_demo
from ptsm.territories.models import Commune
from ptsm.territories.services import load_referential


class Command(DataCommand):
    help = "Crée le projet de démonstration « demo » (Finistère) et un utilisateur par rôle."

    def handle(self, *args, **options):
        if not Commune.objects.exists():
            self.stdout.write("Chargement du référentiel territorial…")
            load_referential()
        logins = load_demo(today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(f"Projet de démonstration prêt : /projets/{DEMO_SLUG}/")
        )
        self.stdout.write("Comptes de démonstration (adresse / mot de passe) :")
        for demo, password in logins:
            self.stdout.write(f"  {demo.role.label:<24} {demo.email:<32} {password}")
        for demo, _password in logins:
            device = demo_totp_device(demo.email) if demo.role == Role.ARS_ADMIN else None
            if device is not None:
                self.stdout.write(
                    f"Double authentification de {demo.email} (obligatoire pour l'ARS) :\n"
                    f"  clé à saisir dans une application d'authentification : "
                    f"{b32encode(device.bin_key).decode()}\n"
                    f"  ou code du moment : python manage.py demo_totp_code {demo.email}"
                )
