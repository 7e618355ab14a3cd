from django.conf import settings
from django.core.management.base import BaseCommand

from ptsm.core.formatting import plural
from ptsm.organisations.personal_data import (
    expired_imports,
    purge_personal_data,
    purgeable_contacts,
)


class Command(BaseCommand):
    help = (
        "Durées de conservation (RGPD) : supprime les imports en attente expirés "
        "(PTSM_PENDING_IMPORT_RETENTION_DAYS) et les contacts des organisations qui ne sont plus "
        "impliquées dans leur projet (PTSM_CONTACT_RETENTION_DAYS). À lancer chaque jour (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compte ce qui serait supprimé, sans rien supprimer.",
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            imports, contacts = expired_imports().count(), len(purgeable_contacts())
            done = ("à supprimer", "à supprimer")
        else:
            report = purge_personal_data()
            imports, contacts = report.expired_imports, report.contacts
            done = ("supprimé", "supprimés")
        verb = {n: done[0] if n < 2 else done[1] for n in (imports, contacts)}
        self.stdout.write(
            f"{plural(imports, 'import en attente expiré', 'imports en attente expirés')} "
            f"{verb[imports]} "
            f"(au-delà de {settings.PTSM_PENDING_IMPORT_RETENTION_DAYS} jours) ; "
            f"{plural(contacts, 'contact', 'contacts')} {verb[contacts]} "
            f"(inactifs depuis {settings.PTSM_CONTACT_RETENTION_DAYS} jours)."
        )
