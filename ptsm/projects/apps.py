from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "ptsm.projects"
    label = "projects"
    verbose_name = "Projets territoriaux de santé mentale"

    def ready(self) -> None:
        from . import documents  # noqa: F401  (registers the project's document kinds)
        from .freshness import connect
        from .participation_panel import register_participation_panel
        from .todo_providers import register_providers

        register_providers()  # the phase's steps, late milestones, the région's projects
        register_participation_panel()  # every participation source's figures
        connect()  # a management command's writes outdate the cached pages
