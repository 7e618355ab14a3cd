from pathlib import Path

from django.core.management.base import CommandError

from ptsm.core.formatting import plural
from ptsm.core.management.base import DataCommand
from ptsm.documents.registry import all_kinds
from ptsm.documents.services import export_documents, unavailable_reason
from ptsm.projects.models import Project


class Command(DataCommand):
    help = "Génère tous les documents d'un projet et les écrit dans un dossier."

    def add_arguments(self, parser):
        parser.add_argument("project", help="identifiant (slug) du projet")
        parser.add_argument("directory", help="dossier de destination")

    def handle(self, *args, project, directory, **options):
        try:
            instance = Project.objects.select_related("territory").get(slug=project)
        except Project.DoesNotExist as exc:
            raise CommandError(f"Projet introuvable : {project}") from exc
        files = export_documents(project=instance, directory=Path(directory))
        for exported in files:
            self.stdout.write(
                f"{exported.path.name}\t{exported.size} octets\tsha256={exported.sha256}"
            )
        for kind in all_kinds():
            if reason := unavailable_reason(instance, kind):
                self.stdout.write(f"{kind.title} : non produit ({reason})")
        self.stdout.write(
            self.style.SUCCESS(
                plural(len(files), "document écrit", "documents écrits") + f" dans {directory}"
            )
        )
