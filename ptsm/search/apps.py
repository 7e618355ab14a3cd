from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ptsm.search"
    verbose_name = "Recherche"
