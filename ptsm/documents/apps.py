from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ptsm.documents"
    label = "documents"
    verbose_name = "Documents générés"

    def ready(self) -> None:
        from . import (
            jobs,  # noqa: F401  (registers « Tout générer » as a background job)
            search,  # noqa: F401  (registers its part of the project search)
            todo,
        )

        todo.register_todo()  # the lecteur's latest validated documents
