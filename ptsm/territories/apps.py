from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "ptsm.territories"
    label = "territories"
    verbose_name = "Référentiel territorial"
