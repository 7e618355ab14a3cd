"""Writes of the audit app: events that are not model changes, erasure in the journal, and the
retention purge. Model changes are recorded by django-auditlog (see `tracked`)."""

import datetime as dt
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, Kind

ERASED = "Contact supprimé"


def record_event(
    *,
    kind: Kind,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    project=None,
    actor=None,
    object_repr: str | None = None,
    data: dict | None = None,
) -> AuditEntry:
    """Record an event about `obj` (or, when there is no object, about `model`).

    The actor defaults to the request's user through django-auditlog's middleware, which also
    stores the client address."""
    model = type(obj) if obj is not None else model
    authenticated = actor is not None and actor.is_authenticated
    return AuditEntry.objects.create(
        kind=kind,
        action=AuditEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(obj.pk) if obj is not None else "",
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=object_repr if object_repr is not None else str(obj or ""),
        project=project,
        actor=actor if authenticated else None,
        actor_email=actor.email if authenticated else None,
        additional_data=data,
    )


def record_login(*, user) -> AuditEntry:
    return record_event(kind=Kind.LOGIN, obj=user, actor=user, object_repr=user.email)


def record_failed_login(*, email: str) -> AuditEntry:
    """A failed login: the address typed is kept (never the password), and the account it names
    when there is one, so that the account's projects see the attempt."""
    email = (email or "")[:254]
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if user is not None:
        return record_event(kind=Kind.LOGIN_FAILED, obj=user, object_repr=email)
    return record_event(kind=Kind.LOGIN_FAILED, model=get_user_model(), object_repr=email)


def record_export(*, project, user, what: str, file_name: str) -> AuditEntry:
    return record_event(
        kind=Kind.EXPORT,
        obj=project,
        project=project,
        actor=user,
        object_repr=file_name,
        data={"export": what},
    )


def record_exports(*, projects, user, what: str, file_name: str) -> list[AuditEntry]:
    """One export of several projects' data (the cockpit's workbook): one entry in each
    project's journal, written in one query."""
    from django.db.models.signals import pre_save

    if not projects:
        return []
    content_type = ContentType.objects.get_for_model(type(projects[0]))
    # What django-auditlog's middleware adds to every entry (the client's address and port),
    # which bulk_create would not ask for: asked once, copied to each entry.
    model = AuditEntry(actor=user)
    pre_save.send(sender=AuditEntry, instance=model, raw=False, using="default")
    entries = [
        AuditEntry(
            kind=Kind.EXPORT,
            action=AuditEntry.Action.ACCESS,
            content_type=content_type,
            object_pk=str(project.pk),
            object_id=project.pk,
            object_repr=file_name,
            project=project,
            actor=user,
            actor_email=user.email,
            remote_addr=model.remote_addr,
            remote_port=model.remote_port,
            additional_data={"export": what},
        )
        for project in projects
    ]
    return AuditEntry.objects.bulk_create(entries)


def record_download(*, project, user, obj: models.Model, file_name: str) -> AuditEntry:
    """Access to a signed or validated file, kept under the legal-archive basis."""
    return record_event(
        kind=Kind.DOWNLOAD, obj=obj, project=project, actor=user, object_repr=file_name
    )


def _redact(value, needles: list[str]):
    if isinstance(value, str):
        for needle in needles:
            if needle and needle.lower() in value.lower():
                return ERASED
        return value
    if isinstance(value, list):
        return [_redact(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, needles) for k, v in value.items()}
    return value


@transaction.atomic
def erase_person(*, project, needles: list[str], content_type=None, object_pk=None) -> int:
    """Blank a person's identity in the project's journal: the entries about their record
    (`content_type`/`object_pk`) and any entry whose text names them (one of `needles`: full
    name, e-mail, phone). What was done and when stays; who it was done to does not."""
    needles = [n for n in needles if n and len(n) >= 3]
    # JSON fields' changes are stored as JSON text, accented letters escaped (\u00eb).
    needles += [json.dumps(n)[1:-1] for n in needles if json.dumps(n)[1:-1] != n]
    # Every entry of the project is read: JSON columns escape accented letters differently on
    # each database, so a SQL filter could miss some. Erasure is rare; the journal is bounded.
    changed = 0
    entries = AuditEntry.objects.filter(project=project).only(
        "pk",
        "content_type_id",
        "object_pk",
        "object_repr",
        "changes",
        "changes_text",
        "additional_data",
    )
    for entry in entries.iterator(chunk_size=500):
        about_person = content_type is not None and (
            entry.content_type_id == content_type.pk and entry.object_pk == str(object_pk)
        )
        fields = {
            "object_repr": ERASED if about_person else _redact(entry.object_repr, needles),
            "changes": _redact(entry.changes, needles),
            "changes_text": _redact(entry.changes_text, needles),
            "additional_data": _redact(entry.additional_data, needles),
        }
        if about_person and isinstance(fields["changes"], dict):
            fields["changes"] = {k: [ERASED, ERASED] for k in fields["changes"]}
        if any(getattr(entry, k) != v for k, v in fields.items()):
            AuditEntry.objects.filter(pk=entry.pk).update(**fields)
            changed += 1
    return changed


@transaction.atomic
def purge_entries(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the journal's entries older than the retention period (PTSM_AUDIT_RETENTION_DAYS)."""
    days = settings.PTSM_AUDIT_RETENTION_DAYS if days is None else days
    limit = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = AuditEntry.objects.filter(timestamp__lt=limit).delete()
    # The login history django-axes keeps (address, browser) follows the same retention.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessLog.objects.filter(attempt_time__lt=limit).delete()
    AccessFailureLog.objects.filter(attempt_time__lt=limit).delete()
    AccessAttempt.objects.filter(attempt_time__lt=limit).delete()
    return deleted
