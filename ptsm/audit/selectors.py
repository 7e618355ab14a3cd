"""Reads of the audit app: a project's journal."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet

from ptsm.accounts.models import Membership

from .models import AuditEntry, Kind

# The filter of the journal page: a choice can cover several kinds.
KIND_FILTERS: dict[str, tuple[str, list[str]]] = {
    "modifications": ("Modifications des données", [Kind.CHANGE]),
    "roles": ("Changements de rôle", [Kind.ROLE]),
    "connexions": ("Connexions et échecs de connexion", [Kind.LOGIN, Kind.LOGIN_FAILED]),
    "exports": ("Exports", [Kind.EXPORT]),
    "telechargements": ("Téléchargements de documents signés ou validés", [Kind.DOWNLOAD]),
    "effacements": ("Effacements de données personnelles", [Kind.ERASURE]),
}
ACTION_LABELS = {
    AuditEntry.Action.CREATE: "Création",
    AuditEntry.Action.UPDATE: "Modification",
    AuditEntry.Action.DELETE: "Suppression",
    AuditEntry.Action.ACCESS: "Accès",
}


def project_journal(project, kind_filter: str = "") -> QuerySet[AuditEntry]:
    """The project's entries, newest first, and the logins (and failed logins) of its members:
    logins concern no project, so they are shown to each project the account belongs to."""
    members = Membership.objects.filter(project=project).values("user_id")
    entries = AuditEntry.objects.filter(
        Q(project=project)
        | Q(kind__in=[Kind.LOGIN, Kind.LOGIN_FAILED], project=None, object_id__in=members)
    )
    if kind_filter in KIND_FILTERS:
        entries = entries.filter(kind__in=KIND_FILTERS[kind_filter][1])
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


@dataclass(frozen=True)
class JournalLine:
    entry: AuditEntry
    event: str
    object_type: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name


def _shorten(value, limit: int = 120) -> str:
    text = "" if value in (None, "None") else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def journal_lines(entries) -> list[JournalLine]:
    """Entries ready to show, without further queries (foreign keys are shown by id)."""
    lines = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for name, values in (entry.changes or {}).items():
            if isinstance(values, dict):  # many-to-many: {"type", "operation", "objects"}
                verb = "ajout" if values.get("operation") == "add" else "retrait"
                changes.append(
                    (
                        _field_label(model, name),
                        verb,
                        _shorten(", ".join(values.get("objects", []))),
                    )
                )
            elif isinstance(values, list) and len(values) == 2:
                changes.append(
                    (_field_label(model, name), _shorten(values[0]), _shorten(values[1]))
                )
        lines.append(
            JournalLine(
                entry=entry,
                event=(
                    f"{entry.get_kind_display()} ({ACTION_LABELS[entry.action].lower()})"
                    if entry.kind in (Kind.CHANGE, Kind.ROLE) and entry.action in ACTION_LABELS
                    else entry.get_kind_display()
                ),
                object_type=str(model._meta.verbose_name) if model else "",
                changes=changes,
            )
        )
    return lines
