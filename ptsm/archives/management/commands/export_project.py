from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ptsm.archives.manifest import ArchiveError
from ptsm.archives.services import export_project
from ptsm.core.formatting import plural
from ptsm.projects.models import Project


class Command(BaseCommand):
    help = (
        "Écrit toute une démarche (données, fichiers stockés, manifeste avec leurs empreintes "
        "SHA-256) dans une archive zip, à restaurer avec import_project."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="identifiant du projet")
        parser.add_argument("archive", help="fichier .zip à écrire")

    def handle(self, *args, slug: str, archive: str, **options):
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f"Aucun projet « {slug} ».")
        # Written aside then renamed: an interrupted export never leaves a complete-looking file.
        partial = Path(f"{archive}.partiel")
        try:
            result = export_project(project=project, target=partial)
        except BaseException as exc:
            partial.unlink(missing_ok=True)
            if isinstance(exc, ArchiveError):
                raise CommandError(exc.messages[0]) from exc
            raise
        partial.replace(archive)
        records = plural(sum(result.counts.values()), "enregistrement", "enregistrements")
        files = plural(result.files, "fichier", "fichiers")
        self.stdout.write(f"{archive} : projet « {slug} », {records}, {files}.")
