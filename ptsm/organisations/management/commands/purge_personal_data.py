from django.conf import settings
from django.core.management.base import BaseCommand

from ptsm.organisations.personal_data import purge_personal_data


class Command(BaseCommand):
    help = (
        "Durées de conservation (RGPD) : supprime les imports en attente expirés "
        "(PTSM_PENDING_IMPORT_RETENTION_DAYS) et les contacts des organisations qui ne sont plus "
        "impliquées dans leur projet (PTSM_CONTACT_RETENTION_DAYS). À lancer chaque jour (cron)."
    )

    def handle(self, *args, **options):
        report = purge_personal_data()
        self.stdout.write(
            f"{report.expired_imports} import(s) en attente expiré(s) supprimé(s) "
            f"(au-delà de {settings.PTSM_PENDING_IMPORT_RETENTION_DAYS} jours) ; "
            f"{report.contacts} contact(s) supprimé(s) "
            f"(inactifs depuis {settings.PTSM_CONTACT_RETENTION_DAYS} jours)."
        )
