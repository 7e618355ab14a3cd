from django.core.management.base import BaseCommand
from django.utils import timezone

from ptsm.projects.demo import DEMO_SLUG, load_demo
from ptsm.territories.models import Commune
from ptsm.territories.services import load_referential


class Command(BaseCommand):
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
