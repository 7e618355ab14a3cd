from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "ptsm.consultations"
    label = "consultations"
    verbose_name = "Consultations des personnes concernées et des proches"

    def ready(self) -> None:
        from . import (
            documents,  # noqa: F401  (registers consultation-<n>.pdf/.xlsx)
            jobs,  # noqa: F401  (registers the answer link's sending)
            participation,  # noqa: F401  (registers « Consultations » figures)
            recalls,  # noqa: F401  (recalls consultations in the documents of their step)
            todo,
        )

        todo.register_todo()  # close and summarise (chef de projet)
