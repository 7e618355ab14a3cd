"""Reads of the audit app: a project's journal."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

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


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _label(model_field, name: str) -> str:
    if model_field is None:
        return name
    if model_field.is_relation and model_field.verbose_name == name.replace("_", " "):
        # A foreign key without a French name of its own is named after its target.
        return str(model_field.related_model._meta.verbose_name)
    return str(model_field.verbose_name)


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_foreign_key(model_field) -> bool:
    return model_field is not None and (model_field.many_to_one or model_field.one_to_one)


def _related_names(entries) -> dict[tuple[type, str], str]:
    """The current name of every object the entries' foreign keys point at: one query per
    target model. Ids are stored, names are read now (an erased contact reads « Contact
    supprimé », a deleted object is shown as such)."""
    wanted: dict[type, set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes or {}).items():
            model_field = _field(model, name)
            if _is_foreign_key(model_field) and isinstance(values, list):
                ids = {str(v) for v in values if v not in (None, "None", "")}
                wanted.setdefault(model_field.related_model, set()).update(ids)
    names = {}
    for target, ids in wanted.items():
        valid = []
        for value in ids:
            try:
                valid.append(target._meta.pk.to_python(value))
            except ValidationError:
                continue
        for obj in target._base_manager.filter(pk__in=valid):
            names[(target, str(obj.pk))] = str(obj)
    return names


def _value(model_field, value, related: dict) -> str:
    if value in (None, "None"):
        return ""
    text = str(value)
    if model_field is None:
        return _shorten(text)
    if _is_foreign_key(model_field):
        return related.get((model_field.related_model, text), f"n° {text} (supprimé)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(text, text))
    if isinstance(model_field, models.BooleanField):
        return {"True": "oui", "False": "non"}.get(text, text)
    if isinstance(model_field, models.DateTimeField):
        try:  # stored naive, in UTC
            moment = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        except ValueError:
            return text
        return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
    return _shorten(text)


def journal_lines(entries) -> list[JournalLine]:
    """Entries ready to show; foreign keys are named with one query per target model."""
    entries = list(entries)
    related = _related_names(entries)
    lines = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for name, values in (entry.changes or {}).items():
            model_field = _field(model, name)
            if isinstance(values, dict):  # many-to-many: {"type", "operation", "objects"}
                verb = "ajout" if values.get("operation") == "add" else "retrait"
                objects = _shorten(", ".join(values.get("objects", [])))
                changes.append((_label(model_field, name), verb, objects))
            elif isinstance(values, list) and len(values) == 2:
                before = _value(model_field, values[0], related)
                after = _value(model_field, values[1], related)
                if before or after:  # a creation lists every field, empty ones say nothing
                    changes.append((_label(model_field, name), before, after))
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
