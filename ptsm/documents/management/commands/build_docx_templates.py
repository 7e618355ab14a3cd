from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Régénère les modèles DOCX (docxtpl) à partir des fichiers docx_templates.py des apps."

    def handle(self, *args, **options):
        for app in apps.get_app_configs():
            if not app.name.startswith("ptsm."):
                continue
            try:
                module = import_module(f"{app.name}.docx_templates")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app.name}.docx_templates":
                    raise
                continue
            for path in module.build_all():
                self.stdout.write(f"{path}")
