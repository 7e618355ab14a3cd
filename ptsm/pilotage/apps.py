from django.apps import AppConfig


class PilotageConfig(AppConfig):
    name = "ptsm.pilotage"
    label = "pilotage"
    verbose_name = "Pilotage régional et national, page publique"
