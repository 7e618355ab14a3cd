from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DiagnosticConfig(AppConfig):
    name = "ptsm.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic partagé"

    def ready(self) -> None:
        from . import (
            guards,
            search,  # noqa: F401  (registers its part of the project search)
        )

        guards.register()  # what this app keeps from deletion
        from . import (
            documents,  # noqa: F401  (registers the diagnostic report)
            events,  # noqa: F401  (registers its method event)
            todo,
        )

        todo.register_todo()  # its « À faire » lines
        from .catalogue import sync_catalogue_after_migrate

        # Reference data, like Django's own permissions: the shipped catalogue follows the code.
        post_migrate.connect(sync_catalogue_after_migrate, sender=self)
