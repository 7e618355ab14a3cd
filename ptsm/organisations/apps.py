from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "ptsm.organisations"
    label = "organisations"
    verbose_name = "Acteurs et annuaire"

    def ready(self):
        from . import (
            jobs,  # noqa: F401 — registers the FINESS import job
            search,  # noqa: F401  (registers its part of the project search)
            todo,
        )

        todo.register_todo()  # its « À faire » lines and its dashboard panel
