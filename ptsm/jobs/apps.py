from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "ptsm.jobs"
    verbose_name = "Travaux en arrière-plan"

    def ready(self):
        from ptsm.core.health import register_check

        from .selectors import check_queue

        register_check("file_de_travaux", check_queue)
