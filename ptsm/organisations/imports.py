"""Import of organisations and contacts from any CSV/XLSX table: the user maps its columns to
ptsm's fields (proposed from the headers), every line is checked and shown, then the import
writes every line or only the valid ones, as the user chooses. Exports use ptsm's own columns,
so a file can go back and forth."""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ptsm.audit.models import Kind
from ptsm.audit.services import record_event
from ptsm.core.concurrency import AlreadyDone
from ptsm.core.formatting import plural

from .import_organisations import (
    CREATE,
    REFUSED,
    UNCHANGED,
    UPDATE,
    WRITABLE,
    check_line,
    check_lines,
)

__all__ = ["CREATE", "REFUSED", "UNCHANGED", "UPDATE"]
from .mapping import header_key, propose_mapping
from .models import (
    Civility,
    ColumnMapping,
    Contact,
    ImportKind,
    LegalBasis,
    Organisation,
    PendingImport,
    Source,
)
from .personal_data import check_pending_import_alive
from .services import clean_contact, save_organisation

ORGANISATION_COLUMNS = [
    ("name", "Nom"),
    ("category", "Catégorie"),
    ("sub_type", "Sous-type"),
    ("legal_status", "Statut juridique"),
    ("finess_et", "FINESS ET"),
    ("finess_ej", "FINESS EJ"),
    ("siret", "SIRET"),
    ("address", "Adresse"),
    ("postcode", "Code postal"),
    ("commune", "Code commune (INSEE)"),
    ("website", "Site internet"),
    ("phone", "Téléphone"),
    ("email", "Courriel"),
    ("mental_health", "Santé mentale"),
    ("represents", "Représente"),
]
CONTACT_COLUMNS = [
    ("organisation", "Organisation"),
    ("organisation_finess", "FINESS ET de l'organisation"),
    ("civility", "Civilité"),
    ("first_name", "Prénom"),
    ("last_name", "Nom"),
    ("function", "Fonction"),
    ("email", "Courriel"),
    ("phone", "Téléphone"),
    ("legal_basis", "Base légale"),
    ("notice_date", "Date d'information RGPD"),
]
COLUMNS = {ImportKind.ORGANISATIONS: ORGANISATION_COLUMNS, ImportKind.CONTACTS: CONTACT_COLUMNS}
ALL_OR_NOTHING, VALID_ONLY = "tout", "valides"
REFUSAL_COLUMN = "Motif du refus"


def _key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key, to match labels typed by people."""
    return header_key(text)


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_key(value)] = value
        lookup[_key(label)] = value
    return lookup


CIVILITY_LOOKUP = _choice_lookup(Civility.choices) | {"mme": "Mme", "m": "M.", "mr": "M."}
LEGAL_BASIS_LOOKUP = _choice_lookup(LegalBasis.choices)


@dataclass
class RowResult:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    action: str = ""
    name: str = ""
    pk: int | None = None

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "action": self.action,
            "name": self.name,
            "pk": self.pk,
            "values": self.values,
            "errors": self.errors,
        }


@dataclass
class Preview:
    """The checked lines (JSON dicts: line, action, name, pk, values, errors, and for
    organisations old, version, outside), or the reason no line could be read."""

    kind: str
    rows: list[dict]
    problem: str = ""

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r["action"] == action)

    @property
    def refused(self) -> int:
        return self.count(REFUSED)


def mapping_problem(kind: str, mapping: list[str]) -> str:
    """What the chosen mapping lacks for any line to be read, in French ("" when nothing)."""
    chosen = set(mapping)
    if kind == ImportKind.ORGANISATIONS:
        if not chosen & {"name", "finess_et", "siret"}:
            return (
                "Aucune colonne n'identifie les organisations : associez au moins la colonne du "
                "nom, du FINESS ET ou du SIRET."
            )
        return ""
    labels = dict(CONTACT_COLUMNS)
    missing = [labels[name] for name in ("first_name", "last_name") if name not in chosen]
    if not chosen & {"organisation", "organisation_finess"}:
        missing.insert(0, labels["organisation"])
    if missing:
        return "Colonnes obligatoires non associées : " + ", ".join(missing) + "."
    return ""


def _parse_choice(value: str, lookup: dict[str, str], label: str, errors: list[str]) -> str:
    if not value:
        return ""
    parsed = lookup.get(_key(value))
    if parsed is None:
        errors.append(f"{label} inconnue : « {value} ».")
        return ""
    return parsed


def _parse_date(value: str, errors: list[str]) -> str | None:
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    errors.append(f"Date invalide : « {value} » (format attendu JJ/MM/AAAA).")
    return None


def _field_messages(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    labels = {f.name: str(f.verbose_name) for f in Contact._meta.fields}
    return [
        (f"{labels.get(name, name).capitalize()} : {message}" if name != "__all__" else message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def preview_import(
    *, project, kind: str, headers: list[str], rows: list[list[str]], mapping=None
) -> Preview:
    """Check every line as if it were saved; nothing is written. `mapping` gives the field of
    each column ("" to ignore it); by default it is proposed from the headers."""
    if mapping is None:
        mapping = propose_mapping(kind, COLUMNS[kind], headers)
    problem = mapping_problem(kind, mapping)
    if problem:
        return Preview(kind=kind, rows=[], problem=problem)
    positions = [(name, index) for index, name in enumerate(mapping) if name]
    raw_rows = [
        {name: row[index].strip() if index < len(row) else "" for name, index in positions}
        for row in rows
    ]
    if kind == ImportKind.ORGANISATIONS:
        return Preview(kind=kind, rows=[line.as_json() for line in check_lines(project, raw_rows)])
    return Preview(kind=kind, rows=[r.as_json() for r in _preview_contacts(project, raw_rows)])


def _given(contact: Contact, name: str, value):
    """An update never erases: an empty cell or an absent column keeps the stored value."""
    return value or (getattr(contact, name) if contact.pk else value)


def _preview_contacts(project, raw_rows: list[dict]) -> list[RowResult]:
    organisations = list(Organisation.objects.filter(project=project))
    by_finess = {o.finess_et: o for o in organisations if o.finess_et}
    by_name: dict[str, list[Organisation]] = {}
    for o in organisations:
        by_name.setdefault(_key(o.name), []).append(o)
    existing = {c.email: c for c in Contact.objects.filter(project=project).exclude(email="")}
    results, seen = [], {}
    for line, values in enumerate(raw_rows, start=2):
        errors: list[str] = []
        finess = values.get("organisation_finess", "").replace(" ", "").upper()
        candidates = (
            [by_finess[finess]]
            if finess in by_finess
            else by_name.get(_key(values.get("organisation", "")), [])
        )
        organisation = None
        if len(candidates) == 1:
            organisation = candidates[0]
        elif not candidates:
            errors.append(
                f"Organisation introuvable dans l'annuaire : « {values.get('organisation', '')} »."
            )
        else:
            errors.append("Plusieurs organisations portent ce nom : précisez leur FINESS ET.")
        email = values.get("email", "").strip().lower()
        contact = existing.get(email) if email else None
        contact = contact or Contact(project=project)

        contact.organisation = organisation
        contact.civility = _given(
            contact,
            "civility",
            _parse_choice(values.get("civility", ""), CIVILITY_LOOKUP, "Civilité", errors),
        )
        for name in ("first_name", "last_name", "function", "phone"):
            setattr(contact, name, _given(contact, name, values.get(name, "").strip()))
        contact.email = email
        legal_basis = _parse_choice(
            values.get("legal_basis", ""), LEGAL_BASIS_LOOKUP, "Base légale", errors
        )
        contact.legal_basis = (
            _given(contact, "legal_basis", legal_basis) or LegalBasis.PUBLIC_INTEREST
        )
        notice = _parse_date(values.get("notice_date", ""), errors)
        if notice or not contact.pk:
            contact.notice_date = dt.date.fromisoformat(notice) if notice else None
        notice = contact.notice_date.isoformat() if contact.notice_date else ""
        if email and email in seen:
            errors.append(f"Adresse électronique déjà présente ligne {seen[email]} du fichier.")
        if email:
            seen.setdefault(email, line)
        if organisation is not None:
            try:
                clean_contact(contact)
            except ValidationError as exc:
                errors.extend(_field_messages(exc))
        results.append(
            RowResult(
                line=line,
                name=f"{contact.first_name} {contact.last_name} — "
                + (organisation.name if organisation else values.get("organisation", "")),
                pk=contact.pk,
                values={
                    "pk": contact.pk,
                    "organisation": organisation.pk if organisation else None,
                    "organisation_name": organisation.name if organisation else "",
                    "civility": contact.civility,
                    "first_name": contact.first_name,
                    "last_name": contact.last_name,
                    "function": contact.function,
                    "email": contact.email,
                    "phone": contact.phone,
                    "legal_basis": contact.legal_basis,
                    "notice_date": notice,
                },
                errors=errors,
                action=REFUSED if errors else (UPDATE if contact.pk else CREATE),
            )
        )
    return results


def saved_mapping_for(project, kind: str, headers: list[str]) -> ColumnMapping | None:
    """A saved mapping that knows every header of this table (the same file, next month)."""
    keys = {header_key(h) for h in headers if h.strip()}
    for saved in ColumnMapping.objects.filter(project=project, kind=kind):
        if keys and keys <= set(saved.columns):
            return saved
    return None


def start_import(
    *,
    project,
    user,
    kind: str,
    file_name: str,
    headers: list[str],
    table: list[list[str]],
    saved: ColumnMapping | None = None,
) -> PendingImport:
    """Keep the uploaded table with a proposed mapping (a saved one when it fits), and check its
    lines. The user's previous pending import is replaced."""
    saved = saved or saved_mapping_for(project, kind, headers)
    mapping = propose_mapping(
        kind, COLUMNS[kind], headers, saved=saved.columns if saved is not None else None
    )
    preview = preview_import(
        project=project, kind=kind, headers=headers, rows=table, mapping=mapping
    )
    with transaction.atomic():
        PendingImport.objects.filter(project=project, user=user).delete()
        return PendingImport.objects.create(
            project=project,
            user=user,
            kind=kind,
            file_name=file_name[:255],
            headers=headers,
            table=table,
            mapping=mapping,
            rows=preview.rows,
        )


def remap_import(*, pending: PendingImport, mapping: list[str]) -> PendingImport:
    """Check the lines again with the mapping the user adjusted."""
    known = {name for name, _label in COLUMNS[pending.kind]}
    if len(mapping) != len(pending.headers) or not set(mapping) <= known | {""}:
        raise ValidationError("Correspondance invalide : rechargez la page.")
    chosen = [name for name in mapping if name]
    if len(chosen) != len(set(chosen)):
        raise ValidationError(
            "Un même champ est associé à plusieurs colonnes : gardez-en une seule par champ."
        )
    preview = preview_import(
        project=pending.project,
        kind=pending.kind,
        headers=pending.headers,
        rows=pending.table,
        mapping=mapping,
    )
    pending.mapping, pending.rows = mapping, preview.rows
    pending.save(update_fields=["mapping", "rows"])
    return pending


OUTDATED = (
    "cet import a été préparé par une version précédente de ptsm. Déposez de nouveau le fichier."
)


def is_current(pending: PendingImport) -> bool:
    """False for a pending import kept before the mapping step existed (no table, old lines)."""
    return all(isinstance(row, dict) and "action" in row for row in pending.rows)


def problem_of(pending: PendingImport) -> str:
    return mapping_problem(pending.kind, pending.mapping)


@transaction.atomic
def save_mapping(*, pending: PendingImport, name: str, user) -> ColumnMapping:
    """Save (or replace) the pending import's mapping under a name, for the next file."""
    name = name.strip()
    if not name:
        raise ValidationError("Donnez un nom à la correspondance.")
    columns = {
        header_key(header): chosen
        for header, chosen in zip(pending.headers, pending.mapping, strict=True)
        if header.strip()
    }
    saved, _created = ColumnMapping.objects.update_or_create(
        project=pending.project,
        kind=pending.kind,
        name=name[:100],
        defaults={"columns": columns, "created_by": user},
    )
    return saved


def refused_lines_csv(pending: PendingImport) -> bytes:
    """The refused lines with the file's own columns and a « Motif du refus » column, to
    correct and import again (UTF-8 with BOM and semicolons, as Excel opens it in France)."""
    reasons = {r["line"]: " ".join(r["errors"]) for r in pending.rows if r["action"] == REFUSED}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*pending.headers, REFUSAL_COLUMN])
    for number, row in enumerate(pending.table, start=2):
        if number in reasons:
            cells = row + [""] * (len(pending.headers) - len(row))
            writer.writerow([_csv_safe(c) for c in cells] + [reasons[number]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_safe(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass
class ImportOutcome:
    kind: str = ImportKind.ORGANISATIONS
    created: int = 0
    updated: int = 0
    refused: int = 0
    outside: int = 0

    def message(self) -> str:
        added = (
            ("organisation ajoutée", "organisations ajoutées")
            if self.kind == ImportKind.ORGANISATIONS
            else ("contact ajouté", "contacts ajoutés")
        )
        parts = [
            plural(self.created, *added),
            plural(self.updated, "mise à jour", "mises à jour"),
        ]
        if self.refused:
            parts.append(plural(self.refused, "ligne refusée ignorée", "lignes refusées ignorées"))
        if self.outside:
            parts.append(
                plural(
                    self.outside, "ligne hors territoire ignorée", "lignes hors territoire ignorées"
                )
            )
        return "Import terminé : " + ", ".join(parts) + "."


@transaction.atomic
def save_organisation_line(
    *, project, values: dict[str, str], organisation: Organisation | None = None
) -> tuple[Organisation, str]:
    """One line of `ORGANISATION_COLUMNS` given otherwise than in a file (the API), written at
    once: the import's repairs and checks (`check_line`), then the organisation its FINESS ET,
    SIRET or name designate (or `organisation`) is updated with the fields the line sets — an
    empty value leaves the stored one, as an empty cell does — or a new one is created.
    (organisation, CREATE | UPDATE | UNCHANGED); a refused line raises the import's messages."""
    line = check_line(project, values, organisation=organisation)
    if line.action == REFUSED:
        raise ValidationError(line.errors)
    if line.action == CREATE:
        record = Organisation(project=project, **line.values)
    else:
        record = Organisation.objects.get(pk=line.pk)
        record.expect_version(line.version)  # changed since it was read: refused, not lost
        for name, value in line.values.items():
            setattr(record, name, value)
    if line.action != UNCHANGED:
        save_organisation(organisation=record)
    return record, line.action


def _still_there(model, pending: PendingImport, pk, line: int, what: str):
    """The record a previewed line refers to, or a French refusal when it was deleted since."""
    try:
        return model.objects.get(project=pending.project, pk=pk)
    except model.DoesNotExist:
        raise ValidationError(
            f"ligne {line} : {what} a été supprimé(e) de l'annuaire depuis l'aperçu. "
            "Déposez de nouveau le fichier."
        ) from None


@transaction.atomic
def commit_import(
    *, pending: PendingImport, mode: str = ALL_OR_NOTHING, keep_outside: bool = False, user=None
) -> ImportOutcome:
    """Write the previewed lines: all of them or none (`tout`), or the valid ones (`valides`).
    The directory must be as it was at the preview: any change in between cancels the whole
    import. The pending import's row is locked: a second confirmation waits, then finds it done.
    An import older than PTSM_PENDING_IMPORT_RETENTION_DAYS has expired and is refused."""
    if not PendingImport.objects.select_for_update().filter(pk=pending.pk).exists():
        raise AlreadyDone("Cet import a déjà été enregistré.")
    check_pending_import_alive(pending)
    if not is_current(pending):
        raise ValidationError(OUTDATED)
    problem = problem_of(pending)
    if problem:
        raise ValidationError(problem)
    outcome = ImportOutcome(
        kind=pending.kind,
        refused=sum(1 for r in pending.rows if r["action"] == REFUSED),
    )
    if outcome.refused and mode != VALID_ONLY:
        raise ValidationError(
            plural(outcome.refused, "ligne est refusée", "lignes sont refusées")
            + " : corrigez le fichier, ou choisissez « Importer les lignes valides »."
        )
    if pending.kind == ImportKind.ORGANISATIONS:
        _commit_organisations(pending, keep_outside, outcome, user)
    else:
        _commit_contacts(pending, outcome)
    pending.delete()
    return outcome


def _commit_organisations(pending, keep_outside: bool, outcome: ImportOutcome, user) -> None:
    project = pending.project
    creations, updates = [], []
    for row in pending.rows:
        if row["action"] == CREATE:
            if row["outside"] and not keep_outside:
                outcome.outside += 1
            else:
                creations.append(row)
        elif row["action"] == UPDATE:
            updates.append(row)
    # Every organisation a line refers to, updated or found already up to date, must be as
    # the preview read it: otherwise the preview no longer says what the import would do.
    referred = [r for r in pending.rows if r["action"] in (UPDATE, UNCHANGED)]
    current = Organisation.objects.select_for_update().in_bulk([r["pk"] for r in referred])
    for row in referred:
        organisation = current.get(row["pk"])
        if organisation is None or organisation.project_id != project.pk:
            raise ValidationError(
                f"ligne {row['line']} : l'organisation « {row['name']} » a été supprimé(e) de "
                "l'annuaire depuis l'aperçu. Déposez de nouveau le fichier."
            )
        if organisation.version != row["version"]:
            raise ValidationError(
                f"ligne {row['line']} : l'organisation « {organisation.name} » a été modifiée "
                "depuis l'aperçu. Déposez de nouveau le fichier."
            )
    _refuse_creations_overtaken(pending, creations)
    journal = {}
    for row in updates:
        organisation = current[row["pk"]]
        journal[str(organisation.pk)] = {
            name: [row["old"].get(name), value] for name, value in row["values"].items()
        }
    _write_updates(updates, current)
    Organisation.objects.bulk_create(
        [Organisation(project=project, source=Source.FILE, **row["values"]) for row in creations],
        batch_size=500,
    )
    outcome.created, outcome.updated = len(creations), len(updates)
    # Written in bulk, so journaled as one import (with each field changed) rather than row by row.
    record_event(
        kind=Kind.IMPORT,
        model=Organisation,
        project=project,
        actor=user,
        object_repr=f"Import « {pending.file_name[:100]} » : {outcome.message()}",
        data={"created": outcome.created, "updated": outcome.updated, "changes": journal},
    )


def _write_updates(updates: list[dict], current: dict) -> None:
    """Each line sets only its own changed fields (and bumps the version): lines changing the
    same fields share one prepared UPDATE run with `executemany`, which stays fast for
    thousands of lines where `bulk_update`'s CASE expressions do not."""
    now = timezone.now()
    groups: dict[tuple[str, ...], list[list]] = {}
    fields = {f.attname: f for f in Organisation._meta.concrete_fields}
    for row in updates:
        names = tuple(sorted(row["values"]))
        if not set(names) <= set(WRITABLE):  # only ever the fields a line may set
            raise ValidationError("Import invalide : déposez de nouveau le fichier.")
        organisation = current[row["pk"]]
        params = [fields[name].get_db_prep_save(row["values"][name], connection) for name in names]
        params += [
            organisation.version + 1,
            fields["updated_at"].get_db_prep_save(now, connection),
            organisation.pk,
        ]
        groups.setdefault(names, []).append(params)
    table = connection.ops.quote_name(Organisation._meta.db_table)
    key = connection.ops.quote_name(Organisation._meta.pk.column)
    with connection.cursor() as cursor:
        for names, params in groups.items():
            assignments = ", ".join(
                f"{connection.ops.quote_name(fields[name].column)} = %s"
                for name in (*names, "version", "updated_at")
            )
            # Table and column names come from the model, values are parameters.
            sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
            cursor.executemany(sql, params)


def _refuse_creations_overtaken(pending, creations: list[dict]) -> None:
    """An organisation added to the directory since the preview (same FINESS, SIRET or name as
    a line to create) would be duplicated: the import is cancelled instead."""
    if not creations:
        return
    added = Organisation.objects.filter(
        project=pending.project, created_at__gte=pending.created_at
    ).values_list("name", "finess_et", "siret")
    finess_taken = set(
        Organisation.objects.filter(
            project=pending.project,
            finess_et__in=[r["values"]["finess_et"] for r in creations if r["values"]["finess_et"]],
        ).values_list("finess_et", flat=True)
    )
    names = {_key(name) for name, _f, _s in added}
    sirets = {siret for _n, _f, siret in added if siret}
    for row in creations:
        values = row["values"]
        if (
            values["finess_et"] in finess_taken
            or _key(values["name"]) in names
            or (values["siret"] and values["siret"] in sirets)
        ):
            raise ValidationError(
                f"ligne {row['line']} : « {values['name']} » a été ajoutée à l'annuaire depuis "
                "l'aperçu. Déposez de nouveau le fichier."
            )


def _commit_contacts(pending, outcome: ImportOutcome) -> None:
    for row in pending.rows:
        if row["action"] == REFUSED:
            continue
        values = dict(row["values"])
        line = row["line"]
        pk = values.pop("pk")
        contact = (
            _still_there(
                Contact,
                pending,
                pk,
                line,
                f"le contact « {values.get('first_name', '')} {values.get('last_name', '')} »",
            )
            if pk
            else Contact(project=pending.project)
        )
        contact.organisation = _still_there(
            Organisation,
            pending,
            values.pop("organisation"),
            line,
            f"l'organisation « {values.pop('organisation_name')} »",
        )
        notice = values.pop("notice_date")
        contact.notice_date = dt.date.fromisoformat(notice) if notice else None
        for name, value in values.items():
            setattr(contact, name, value)
        clean_contact(contact)
        contact.save()
        if pk:
            outcome.updated += 1
        else:
            outcome.created += 1


def export_rows(*, project, kind: str) -> tuple[list[str], list[list]]:
    headers = [label for _name, label in COLUMNS[kind]]
    if kind == ImportKind.ORGANISATIONS:
        rows = [
            [
                o.name,
                o.get_category_display(),
                o.get_sub_type_display() if o.sub_type else "",
                o.get_legal_status_display() if o.legal_status else "",
                o.finess_et,
                o.finess_ej,
                o.siret,
                o.address,
                o.postcode,
                o.commune_id or "",
                o.website,
                o.phone,
                o.email,
                "oui" if o.mental_health else "non",
                o.get_represents_display() if o.represents else "",
            ]
            for o in Organisation.objects.filter(project=project).order_by("name")
        ]
    else:
        rows = [
            [
                c.organisation.name,
                c.organisation.finess_et,
                c.civility,
                c.first_name,
                c.last_name,
                c.function,
                c.email,
                c.phone,
                c.get_legal_basis_display(),
                c.notice_date.strftime("%d/%m/%Y") if c.notice_date else "",
            ]
            for c in Contact.objects.filter(project=project)
            .select_related("organisation")
            .order_by("last_name", "first_name")
        ]
    return headers, rows
