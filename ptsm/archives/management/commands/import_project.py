from pathlib import Path

from django.core.management.base import CommandError

from ptsm.archives.manifest import ArchiveError
from ptsm.archives.services import import_project
from ptsm.core.formatting import plural
from ptsm.core.management.base import DataCommand


class Command(DataCommand):
    help = (
        "Restaure une démarche depuis une archive d'export_project (sous le même identifiant "
        "ou sous --slug). Rien n'est écrit si l'archive ne correspond pas à son manifeste."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="fichier .zip écrit par export_project")
        parser.add_argument("--slug", help="nouvel identifiant du projet restauré")

    def handle(self, *args, archive: str, slug: str | None, **options):
        if not Path(archive).is_file():
            raise CommandError(f"Fichier introuvable : {archive}")
        try:
            report = import_project(source=archive, slug=slug)
        except ArchiveError as exc:
            raise CommandError(exc.messages[0]) from exc
        records = plural(sum(report.counts.values()), "enregistrement", "enregistrements")
        files = plural(report.files, "fichier écrit", "fichiers écrits")
        self.stdout.write(f"Projet « {report.project.slug} » restauré : {records}, {files}.")
        for lost in report.lost_roles:
            self.stdout.write(f"  non restauré, utilisateur absent de cette instance : {lost}")
        for email in report.missing_users:
            self.stdout.write(
                f"  utilisateur absent de cette instance : {email} (le journal garde son adresse)"
            )
