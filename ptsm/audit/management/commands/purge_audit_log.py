from django.conf import settings

from ptsm.audit.services import purge_entries
from ptsm.core.formatting import plural
from ptsm.core.management.base import DataCommand


class Command(DataCommand):
    help = (
        "Supprime les entrées du journal plus anciennes que PTSM_AUDIT_RETENTION_DAYS "
        "(365 jours par défaut). À lancer chaque jour (cron)."
    )

    def handle(self, *args, **options):
        deleted = purge_entries()
        self.stdout.write(
            f"{plural(deleted, 'entrée du journal supprimée', 'entrées du journal supprimées')} "
            f"(conservation : {settings.PTSM_AUDIT_RETENTION_DAYS} jours)."
        )
