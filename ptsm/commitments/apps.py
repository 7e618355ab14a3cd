from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "ptsm.commitments"
    label = "commitments"
    verbose_name = "Lettres d'engagement"

    def ready(self) -> None:
        from . import guards

        guards.register()  # what this app keeps from deletion
        from ptsm.projects.consistency import register
        from ptsm.projects.durations import register as register_duration

        from .consistency import COMMITMENTS_DURATION, commitment_warnings

        register(commitment_warnings)  # its durations against the project's
        register_duration(COMMITMENTS_DURATION)  # set on the project's form with the project's
        from . import (
            documents,  # noqa: F401  (registers the letters, annexes and bundle)
            events,  # noqa: F401  (registers its method events)
            jobs,  # noqa: F401  (registers the bundle's background job)
            todo,
        )

        todo.register_todo()  # « Mon engagement », the unsigned annexes, the period's warning
