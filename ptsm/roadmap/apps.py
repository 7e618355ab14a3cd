from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "ptsm.roadmap"
    label = "roadmap"
    verbose_name = "Feuille de route"

    def ready(self) -> None:
        from . import (
            guards,
            search,  # noqa: F401  (registers its part of the project search)
        )

        guards.register()  # what this app keeps from deletion
        from . import (
            documents,  # noqa: F401  (registers the roadmap documents)
            events,  # noqa: F401  (registers its method event)
            plain_language,
            todo,
        )

        todo.register_todo()  # its « À faire » lines
        plain_language.register_kind()  # feuille-de-route-facile.pdf
