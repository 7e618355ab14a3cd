from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ptsm.api"
    label = "api"
    verbose_name = "API REST"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (documents the token authentication)
