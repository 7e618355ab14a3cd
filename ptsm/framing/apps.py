from django.apps import AppConfig


class FramingConfig(AppConfig):
    name = "ptsm.framing"
    label = "framing"
    verbose_name = "Lettre de cadrage"

    def ready(self) -> None:
        from . import guards

        guards.register()  # what this app keeps from deletion
        from ptsm.projects.consistency import register
        from ptsm.projects.durations import register as register_duration

        from .consistency import FRAMING_DURATION, framing_warnings

        register(framing_warnings)  # its durations against the project's
        register_duration(FRAMING_DURATION)  # set on the project's form with the project's
        from . import (
            documents,  # noqa: F401  (registers the letter and its annex)
            events,  # noqa: F401  (registers its method event)
            todo,
        )

        todo.register_todo()  # its « À faire » lines and its dashboard panel
