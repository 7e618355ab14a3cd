from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ptsm.audit"
    label = "audit"
    verbose_name = "Journal des modifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (logins and failed logins)
        from .tracked import register_tracked_models

        register_tracked_models()
