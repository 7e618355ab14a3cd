from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "ptsm.archives"
    verbose_name = "Sauvegarde et restauration des projets"
