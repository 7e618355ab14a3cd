from django.core.management.base import BaseCommand

from ptsm.jobs.services import requeue_stalled_jobs


class Command(BaseCommand):
    help = (
        "Relance les travaux dont le serveur de travaux s'est arrêté en cours de route "
        "(à lancer chaque minute par cron)."
    )

    def handle(self, *args, **options):
        count = requeue_stalled_jobs()
        self.stdout.write(f"{count} travail relancé" if count <= 1 else f"{count} travaux relancés")
