"""The audit log (journal): django-auditlog's entries, stored with the project they concern and a
kind, so a project's journal is one indexed query. Model changes come from django-auditlog's
signals; logins, exports and downloads are recorded by `services`."""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models

from .tracked import project_id_of


class Kind(models.TextChoices):
    CHANGE = "modification", "Modification des données"
    ROLE = "role", "Changement de rôle"
    LOGIN = "connexion", "Connexion"
    LOGIN_FAILED = "connexion_echouee", "Échec de connexion"
    EXPORT = "export", "Export de données"
    DOWNLOAD = "telechargement", "Téléchargement d'un document signé ou validé"
    ERASURE = "effacement", "Effacement de données personnelles"
    IMPORT = "import", "Import de fichier"


# Role changes are changes of this model; they get their own kind to be found at once.
ROLE_MODEL = "accounts.membership"


class AuditEntryManager(LogEntryManager):
    """django-auditlog's manager, completed with the project and the kind of each entry."""

    @staticmethod
    def _complete(instance, kwargs: dict) -> dict:
        kwargs.setdefault("project_id", project_id_of(instance))
        kwargs.setdefault(
            "kind", Kind.ROLE if instance._meta.label_lower == ROLE_MODEL else Kind.CHANGE
        )
        return kwargs

    def log_create(self, instance, force_log: bool = False, **kwargs):
        return super().log_create(instance, force_log, **self._complete(instance, kwargs))

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        return super().log_m2m_changes(
            changed_queryset, instance, operation, field_name, **self._complete(instance, kwargs)
        )


class AuditEntry(AbstractLogEntry):
    """One line of the journal. Append-only: nothing in ptsm edits an entry, except erasure,
    which blanks a person's identity in the entries about them (RGPD right to erasure), and the
    retention purge, which deletes entries older than PTSM_AUDIT_RETENTION_DAYS."""

    project = models.ForeignKey(
        "projects.Project",
        # The journal outlives a deleted project until the retention purge: the id stays, with
        # no database constraint (the deletion's own entries are written as its rows go).
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="projet",
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.CHANGE)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal des modifications"
        indexes = [models.Index(fields=["project", "kind", "-timestamp"])]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.object_repr}"
