from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ptsm.core"
    label = "core"
    verbose_name = "Socle"
