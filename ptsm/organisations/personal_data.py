"""Personal data of the directory's contacts (RGPD): what ptsm holds on a person (export),
erasure, and the retention purges (expired pending imports, contacts no longer involved).

Legal basis: a mission of public interest (the PTSM is a public-health démarche led with the ARS).
Signed and validated records — letter and annex versions, COPIL validations — are kept under the
legal-archive basis: erasure does not alter them, and access to their files is logged.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format

from ptsm.audit import services as audit
from ptsm.audit.models import Kind
from ptsm.audit.tracked import TRACKED_MODELS
from ptsm.core.formatting import plural
from ptsm.documents.services import delete_drafts
from ptsm.governance.selectors import contacts_invited_since

from .models import Contact, ImportKind, Organisation, PendingFinessImport, PendingImport

ERASED_FIRST_NAME, ERASED_LAST_NAME = "Contact", "supprimé"
ERASED = f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}"

# Records that are evidence of what was circulated, validated or signed: never rewritten by an
# erasure, and a contact named in one of them is not purged.
ARCHIVE_MODELS = (
    "framing.LetterVersion",
    "commitments.AnnexVersion",
    "diagnostic.DiagnosticVersion",
    "roadmap.RoadmapVersion",
    "evaluation.ReviewValidation",
)
# Fields of live records that belong to a signed file (the certificate's holder of a PAdES
# signature): evidence as well.
ARCHIVE_FIELDS = {("commitments.Signatory", "digital_signer")}
# Invitations say when a contact was last active; they do not keep a contact on their own.
INVITATION_MODEL = "governance.Invitation"


def _relations(model: type[models.Model]) -> list:
    """Every foreign key and many-to-many field pointing at `model`, hidden ones included
    (`related_name="+"`, e.g. the signatories of the letters)."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one or f.many_to_many)
    ]


def _lookup(path: str) -> str:
    return "pk" if path == "pk" else path.replace(".", "__")


def _project_models(*, archive: bool):
    for label, (path, _excluded) in TRACKED_MODELS.items():
        if (label in ARCHIVE_MODELS) == archive:
            yield label, apps.get_model(label), _lookup(path)


# Export ---------------------------------------------------------------------------------------


def _display(row: models.Model, model_field: models.Field):
    if model_field.choices:
        return getattr(row, f"get_{model_field.name}_display")()
    value = getattr(row, model_field.name)
    if isinstance(model_field, models.ForeignKey):
        return str(value) if value is not None else ""
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "j F Y à H:i")
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return "" if value is None else value


# Technical columns, meaningless to the person who asks for their data.
TECHNICAL_FIELDS = {"created_at", "updated_at", "version", "archived", "source"}


def _label(model_field: models.Field) -> str:
    # A foreign key without a French name of its own is named after the model it points at.
    if model_field.is_relation and model_field.verbose_name == model_field.name.replace("_", " "):
        return str(model_field.related_model._meta.verbose_name)
    return str(model_field.verbose_name)


def _fields(row: models.Model, skip: tuple[str, ...] = ()) -> dict:
    """The row's readable fields by their French names (long texts, files and ids left out)."""
    return {
        _label(f): _display(row, f)
        for f in row._meta.concrete_fields
        if not f.primary_key
        and f.name not in skip
        and f.name not in TECHNICAL_FIELDS
        and not isinstance(f, models.JSONField | models.TextField | models.FileField)
        and (row._meta.label, f.name) not in ARCHIVE_FIELDS
    }


def contact_data(contact: Contact) -> dict:
    """Everything ptsm holds about a contact: identity, professional coordinates, organisation,
    and every record that refers to them (body memberships, meeting invitations and attendance,
    signatory roles, fiches-actions they pilot, follow-up tasks)."""
    references = []
    for relation in _relations(Contact):
        rows = relation.related_model._base_manager.filter(**{relation.field.name: contact})
        for row in rows:
            references.append(
                {
                    "rubrique": str(relation.related_model._meta.verbose_name),
                    "rôle": str(relation.field.verbose_name),
                    "objet": str(row),
                    "détails": _fields(row, skip=(relation.field.name,)),
                }
            )
    return {
        "projet": contact.project.name,
        "contact": _fields(contact, skip=("project",)),
        "organisation": _fields(contact.organisation, skip=("project",)),
        "références": references,
    }


def contact_data_json(contact: Contact) -> bytes:
    return json.dumps(contact_data(contact), ensure_ascii=False, indent=2).encode()


def contact_data_rows(contact: Contact) -> tuple[list[str], list[list]]:
    """The same data as three columns (rubrique, champ, valeur) for a CSV file."""
    data = contact_data(contact)
    rows = [["Projet", "nom", data["projet"]]]
    rows += [["Contact", k, v] for k, v in data["contact"].items()]
    rows += [["Organisation", k, v] for k, v in data["organisation"].items()]
    for reference in data["références"]:
        heading = f"{reference['rubrique']} ({reference['rôle']})"
        rows.append([heading, "objet", reference["objet"]])
        rows += [[heading, k, v] for k, v in reference["détails"].items()]
    return ["Rubrique", "Champ", "Valeur"], [[str(v) for v in row] for row in rows]


# Erasure --------------------------------------------------------------------------------------


def _needles(contact: Contact) -> list[str]:
    """How the person can be named in a text: full name (both orders), e-mail, phone."""
    needles = [
        contact.full_name,
        f"{contact.last_name} {contact.first_name}",
        contact.email,
        contact.phone,
    ]
    return [n.strip() for n in needles if n and len(n.strip()) >= 5]


def _pattern(needles: list[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)


def _names_person(row: dict, contact: Contact) -> bool:
    row = row.get("values", row) if isinstance(row.get("values"), dict) else row
    email = contact.email.lower()
    return (
        row.get("pk") == contact.pk
        or bool(email and str(row.get("email", "")).strip().lower() == email)
        or (
            str(row.get("first_name", "")).strip().lower() == contact.first_name.lower()
            and str(row.get("last_name", "")).strip().lower() == contact.last_name.lower()
        )
    )


def _redact(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_redact(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, pattern) for k, v in value.items()}
    return value


def _pending_imports_naming(contact: Contact, pattern: re.Pattern):
    for pending in PendingImport.objects.filter(project_id=contact.project_id):
        text = json.dumps([pending.rows, pending.table], ensure_ascii=False)
        if pattern.search(text) or any(
            isinstance(row, dict) and _names_person(row, contact) for row in pending.rows
        ):
            yield pending


@dataclass
class ErasurePlan:
    """What an erasure will do, shown on the confirmation page."""

    references: dict[str, int] = field(default_factory=dict)
    pending_imports: int = 0
    draft_documents: int = 0
    archived_records: int = 0


def _archive_texts(project_id) -> list[str]:
    """The text of every archive record of the project, lowercased (one string per record)."""
    texts = []
    for _label, model, lookup in _project_models(archive=True):
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.JSONField | models.TextField | models.CharField)
        ]
        for values in model._base_manager.filter(**{lookup: project_id}).values_list(*names):
            texts.append(json.dumps(values, ensure_ascii=False, default=str).lower())
    return texts


def erasure_plan(contact: Contact) -> ErasurePlan:
    from ptsm.documents.models import GeneratedDocument
    from ptsm.documents.selectors import archived_condition

    pattern = _pattern(_needles(contact))
    plan = ErasurePlan()
    for relation in _relations(Contact):
        count = relation.related_model._base_manager.filter(
            **{relation.field.name: contact}
        ).count()
        if count:
            label = str(relation.related_model._meta.verbose_name_plural)
            plan.references[label] = plan.references.get(label, 0) + count
    plan.pending_imports = sum(1 for _ in _pending_imports_naming(contact, pattern))
    plan.draft_documents = (
        GeneratedDocument.objects.filter(project_id=contact.project_id)
        .exclude(archived_condition())
        .count()
    )
    plan.archived_records = sum(
        1 for text in _archive_texts(contact.project_id) if pattern.search(text)
    )
    return plan


def _scrub_live_text(project_id, pattern: re.Pattern, needles: list[str]) -> int:
    """Replace the person's name, e-mail and phone in every text of the project's live records
    (minutes, notes, free-text owners, letter and review texts…). Archive records are left."""
    changed = 0
    for label, model, lookup in _project_models(archive=False):
        text_fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.SlugField)  # addresses of pages, not texts
            and not f.choices
            and (label, f.name) not in ARCHIVE_FIELDS
        ]
        json_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        rows = model._base_manager.filter(**{lookup: project_id})
        if text_fields:
            condition = Q()
            for f in text_fields:
                for needle in needles:
                    condition |= Q(**{f"{f.name}__icontains": needle})
            for row in rows.filter(condition).only("pk", *(f.name for f in text_fields)):
                updates = {}
                for f in text_fields:
                    value = getattr(row, f.name) or ""
                    if pattern.search(value):
                        new = "" if isinstance(f, models.EmailField) else pattern.sub(ERASED, value)
                        updates[f.name] = new[: f.max_length] if f.max_length else new
                if updates:
                    model._base_manager.filter(pk=row.pk).update(**updates)
                    changed += 1
        if json_fields:
            # JSON is matched in Python: accented letters are escaped in the stored text.
            for row in rows.only("pk", *(f.name for f in json_fields)):
                updates = {
                    f.name: _redact(getattr(row, f.name), pattern)
                    for f in json_fields
                    if _redact(getattr(row, f.name), pattern) != getattr(row, f.name)
                }
                if updates:
                    model._base_manager.filter(pk=row.pk).update(**updates)
                    changed += 1
    return changed


@dataclass(frozen=True)
class ErasureReport:
    texts: int
    pending_imports: int
    draft_documents: int
    journal_entries: int


@transaction.atomic
def erase_contact(*, contact: Contact, user) -> ErasureReport:
    """Anonymise a contact everywhere in the project's live data (RGPD right to erasure).

    - The contact becomes « Contact supprimé » (no e-mail, phone, function): the records that
      refer to them (body memberships, invitations, signatory roles, pilot of a fiche-action)
      keep their place but no longer name anyone.
    - Their name, e-mail and phone are replaced in every live text of the project.
    - Pending imports: rows about them are dropped (confirming would bring them back), other
      mentions are replaced.
    - Draft documents are deleted: the project's stored generations that no version record
      holds. Most kinds name contacts (letters, annexes, fiches-actions, plenary deck, reviews),
      and telling which files name this person would mean parsing each format; drafts are
      regenerated from live data on demand.
    - Letter and annex versions and COPIL validations are kept under the legal-archive basis.
    - The journal keeps what was done and when, not who it was done to.
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    project_id = contact.project_id
    needles = _needles(contact)
    pattern = _pattern(needles)
    pending = list(_pending_imports_naming(contact, pattern))
    for pending_import in pending:
        rows = [
            _redact(row, pattern)
            for row in pending_import.rows
            if not (
                pending_import.kind == ImportKind.CONTACTS
                and isinstance(row, dict)
                and _names_person(row, contact)
            )
        ]
        if rows:
            # The uploaded table is kept for the mapping step: their mentions go from it too,
            # and a contacts file's lines about them are blanked out whole (a first name and a
            # last name in two cells are not a needle).
            dropped = {
                row.get("line")
                for row in pending_import.rows
                if pending_import.kind == ImportKind.CONTACTS
                and isinstance(row, dict)
                and _names_person(row, contact)
            }
            table = [
                [ERASED] * len(cells) if number in dropped else _redact(cells, pattern)
                for number, cells in enumerate(pending_import.table, start=2)
            ]
            PendingImport.objects.filter(pk=pending_import.pk).update(rows=rows, table=table)
        else:
            pending_import.delete()
    contact.civility = ""
    contact.first_name, contact.last_name = ERASED_FIRST_NAME, ERASED_LAST_NAME
    contact.email = contact.phone = contact.function = ""
    contact.notice_date = None
    contact.save()
    texts = _scrub_live_text(project_id, pattern, needles)
    drafts = delete_drafts(project=contact.project)
    audit.record_event(
        kind=Kind.ERASURE,
        obj=contact,
        project=contact.project,
        actor=user,
        object_repr=ERASED,
        data={"documents_brouillons_supprimes": drafts, "imports_en_attente": len(pending)},
    )
    journal = audit.erase_person(
        project=contact.project,
        needles=needles,
        content_type=ContentType.objects.get_for_model(Contact),
        object_pk=contact.pk,
    )
    return ErasureReport(
        texts=texts, pending_imports=len(pending), draft_documents=drafts, journal_entries=journal
    )


# Retention ------------------------------------------------------------------------------------


def pending_import_expired(pending: PendingImport, now: dt.datetime | None = None) -> bool:
    limit = (now or timezone.now()) - dt.timedelta(days=settings.PTSM_PENDING_IMPORT_RETENTION_DAYS)
    return pending.created_at < limit


def check_pending_import_alive(pending: PendingImport) -> None:
    if pending_import_expired(pending):
        raise ValidationError(
            f"cet import date de plus de {settings.PTSM_PENDING_IMPORT_RETENTION_DAYS} jours "
            "et a expiré. Déposez le fichier à nouveau."
        )


def expired_imports(*, now: dt.datetime | None = None):
    limit = (now or timezone.now()) - dt.timedelta(days=settings.PTSM_PENDING_IMPORT_RETENTION_DAYS)
    return PendingImport.objects.filter(created_at__lt=limit)


def purge_expired_imports(*, now: dt.datetime | None = None) -> int:
    deleted, _ = expired_imports(now=now).delete()
    limit = (now or timezone.now()) - dt.timedelta(days=settings.PTSM_PENDING_IMPORT_RETENTION_DAYS)
    finess, _ = PendingFinessImport.objects.filter(created_at__lt=limit).delete()
    return deleted + finess


def _referenced(model: type[models.Model], outer: str, exclude: set[str]) -> Q:
    """Rows referring to the outer row's `outer` id through any foreign key or many-to-many
    field pointing at `model` (hidden ones included), except the models in `exclude`."""
    condition = Q(pk__in=[])
    for relation in _relations(model):
        if relation.related_model._meta.label in exclude:
            continue
        condition |= Q(
            Exists(
                relation.related_model._base_manager.filter(
                    **{relation.field.name: OuterRef(outer)}
                )
            )
        )
    return condition


def purgeable_contacts(*, now: dt.datetime | None = None) -> list[Contact]:
    """Contacts whose data has no use any more, to delete after PTSM_CONTACT_RETENTION_DAYS.

    A contact is purgeable when all of these hold:
    1. its organisation is no longer involved in the project: nothing refers to the organisation
       but its own contacts (it pilots, operates or partners no fiche-action, funds no line, is
       no signatory, regulator or carrier of a local initiative), and nothing refers to any of
       its contacts but invitations (no body membership, no pilot of a fiche-action, no
       follow-up task, no signatory of a letter);
    2. no contact of the organisation was invited to a meeting held within the period;
    3. neither the contact nor its organisation was changed within the period;
    4. the contact is not named (name or e-mail) in a letter or annex version or a COPIL
       validation of the project — those are kept under the legal-archive basis.
    """
    limit = (now or timezone.now()) - dt.timedelta(days=settings.PTSM_CONTACT_RETENTION_DAYS)
    organisation_used = _referenced(Organisation, "organisation_id", {Contact._meta.label})
    colleagues = Contact._base_manager.filter(organisation_id=OuterRef(OuterRef("organisation_id")))
    contact_used = Q(pk__in=[])
    for relation in _relations(Contact):
        if relation.related_model._meta.label == INVITATION_MODEL:
            continue
        contact_used |= Q(
            Exists(
                relation.related_model._base_manager.filter(
                    **{f"{relation.field.name}__in": colleagues.values("pk")}
                )
            )
        )
    recently_invited = Q(
        Exists(
            Contact._base_manager.filter(
                organisation_id=OuterRef("organisation_id"),
                pk__in=contacts_invited_since(limit),
            )
        )
    )
    candidates = (
        Contact.objects.filter(updated_at__lt=limit, organisation__updated_at__lt=limit)
        .exclude(organisation_used | contact_used | recently_invited)
        .select_related("project")
        .order_by("project_id", "pk")
    )
    archives: dict[int, list[str]] = {}
    purgeable = []
    for contact in candidates:
        if contact.project_id not in archives:
            archives[contact.project_id] = _archive_texts(contact.project_id)
        needles = [n.lower() for n in (contact.full_name, contact.email) if n]
        if not any(n in text for n in needles for text in archives[contact.project_id]):
            purgeable.append(contact)
    return purgeable


@dataclass(frozen=True)
class PurgeReport:
    expired_imports: int
    contacts: int


@transaction.atomic
def purge_personal_data(*, now: dt.datetime | None = None) -> PurgeReport:
    """The retention purge (cron): expired pending imports, then contacts no longer involved.
    Each project's journal gets one line saying how many contacts were deleted (not who)."""
    imports = purge_expired_imports(now=now)
    contacts = purgeable_contacts(now=now)
    by_project: dict = {}
    with disable_auditlog():
        for contact in contacts:
            by_project.setdefault(contact.project, 0)
            by_project[contact.project] += 1
            contact.delete()
    for project, count in by_project.items():
        audit.record_event(
            kind=Kind.ERASURE,
            obj=project,
            project=project,
            object_repr=(
                f"{plural(count, 'contact supprimé', 'contacts supprimés')} au terme de la "
                "durée de conservation"
            ),
        )
    return PurgeReport(expired_imports=imports, contacts=len(contacts))
