from django.conf import settings

from ptsm.core.formatting import plural
from ptsm.core.management.base import DataCommand
from ptsm.diagnostic.services import purge_expired_indicator_imports
from ptsm.organisations.personal_data import (
    expired_imports,
    purge_personal_data,
    purgeable_contacts,
)


class Command(DataCommand):
    help = (
        "Durées de conservation (RGPD) : supprime les imports en attente expirés (annuaire, "
        "FINESS, indicateurs ; PTSM_PENDING_IMPORT_RETENTION_DAYS) et les contacts des "
        "organisations qui ne sont plus impliquées dans leur projet "
        "(PTSM_CONTACT_RETENTION_DAYS). À lancer chaque jour (cron)."
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
            indicators = purge_expired_indicator_imports(dry_run=True)
            imports_verb, contacts_verb = ("à supprimer",) * 2
        else:
            report = purge_personal_data()
            imports, contacts = report.expired_imports, report.contacts
            indicators = purge_expired_indicator_imports()
            imports_verb = "supprimé" if imports + indicators == 1 else "supprimés"
            contacts_verb = "supprimé" if contacts == 1 else "supprimés"
        days = settings.PTSM_PENDING_IMPORT_RETENTION_DAYS
        among = (
            f", dont {plural(indicators, 'tableau d’indicateurs', 'tableaux d’indicateurs')}"
            if indicators
            else ""
        )
        expired = plural(
            imports + indicators, "import en attente expiré", "imports en attente expirés"
        )
        self.stdout.write(
            f"{expired} {imports_verb} (au-delà de {days} jours{among}) ; "
            f"{plural(contacts, 'contact', 'contacts')} {contacts_verb} "
            f"(inactifs depuis {settings.PTSM_CONTACT_RETENTION_DAYS} jours)."
        )
