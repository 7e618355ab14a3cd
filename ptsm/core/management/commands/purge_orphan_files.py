import datetime as dt

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from ptsm.core.files import referenced_files, stored_files


class Command(BaseCommand):
    help = (
        "Liste les fichiers stockés qu'aucun enregistrement ne référence (fichiers orphelins) "
        "et, avec --delete, les supprime. Les fichiers récents sont ignorés : ils peuvent "
        "appartenir à une transaction en cours."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="supprimer les orphelins")
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=1.0,
            help="n'examiner que les fichiers plus anciens que ce délai (1 heure par défaut)",
        )

    def handle(self, *args, delete: bool, older_than_hours: float, **options):
        limit = timezone.now() - dt.timedelta(hours=older_than_hours)
        referenced = referenced_files()
        orphans = [
            name
            for name in stored_files(default_storage)
            if name not in referenced and default_storage.get_modified_time(name) < limit
        ]
        for name in orphans:
            self.stdout.write(name)
            if delete:
                default_storage.delete(name)
        verb = "supprimé" if delete else "trouvé"
        plural = "s" if len(orphans) > 1 else ""
        self.stdout.write(
            self.style.SUCCESS(f"{len(orphans)} fichier{plural} orphelin{plural} {verb}{plural}.")
        )
