from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "ptsm.core"
    label = "core"
    verbose_name = "Socle"

    def ready(self):
        from .folding import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="ptsm_sqlite_fold")
