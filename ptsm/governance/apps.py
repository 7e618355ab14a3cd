from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "ptsm.governance"
    label = "governance"
    verbose_name = "Gouvernance et séances"

    def ready(self) -> None:
        from . import (
            documents,  # noqa: F401  (registers the plenary slide deck)
            jobs,  # noqa: F401  (registers the invitations' sending)
            participation,
            search,  # noqa: F401  (registers its part of the project search)
            todo,
        )

        todo.register_todo()  # its « À faire » lines and the new project's default bodies
        participation.register_participation()  # members representing people, attendance
