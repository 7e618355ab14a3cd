from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ptsm.core.formatting import plural
from ptsm.projects.digest import send_todo_digests


class Command(BaseCommand):
    help = (
        "Envoie à chaque personne abonnée (Mon compte) le récapitulatif hebdomadaire de son "
        "« À faire » dans chacun de ses projets. À lancer chaque semaine depuis cron ; deux "
        "lancements à moins de six jours d'intervalle n'envoient qu'un courriel."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.PTSM_BASE_URL,
            help="Adresse de ptsm pour les liens (par défaut PTSM_BASE_URL).",
        )

    def handle(self, *args, base_url: str, **options):
        sent = send_todo_digests(today=timezone.localdate(), base_url=base_url.rstrip("/"))
        self.stdout.write(plural(sent, "récapitulatif envoyé", "récapitulatifs envoyés"))
