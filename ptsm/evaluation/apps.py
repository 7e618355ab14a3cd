from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "ptsm.evaluation"
    label = "evaluation"
    verbose_name = "Mise en œuvre et évaluation"

    def ready(self) -> None:
        from . import guards

        guards.register()  # what this app keeps from deletion
        from . import (
            documents,  # noqa: F401  (registers the review documents)
            events,  # noqa: F401  (registers its method events)
            jobs,  # noqa: F401  (registers the pilots' e-mail campaign)
            todo,
        )

        todo.register_todo()  # its « À faire » lines and its dashboard panel
