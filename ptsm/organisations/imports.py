"""Import of organisations and contacts from CSV/XLSX: validate every line, show a preview,
then write all lines or none. Exports use the same columns so a file can go back and forth."""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from ptsm.core.concurrency import AlreadyDone
from ptsm.territories.models import Commune

from .categories import SUB_TYPE_CHOICES, Category, category_of
from .models import (
    Civility,
    Contact,
    ImportKind,
    LegalBasis,
    LegalStatus,
    Organisation,
    PendingImport,
    Source,
)
from .personal_data import check_pending_import_alive
from .services import clean_contact, clean_organisation
from .tabular import TableError

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
REQUIRED = {
    ImportKind.ORGANISATIONS: {"name", "category"},
    ImportKind.CONTACTS: {"organisation", "first_name", "last_name"},
}
YES = {"oui", "o", "1", "vrai", "x", "yes"}
NO = {"non", "n", "0", "faux", "", "no"}


def _key(text: str) -> str:
    """Case- and accent-insensitive key, to match labels typed by people."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_key(value)] = value
        lookup[_key(label)] = value
    return lookup


CATEGORY_LOOKUP = _choice_lookup(Category.choices)
SUB_TYPE_LOOKUP = _choice_lookup(SUB_TYPE_CHOICES)
LEGAL_STATUS_LOOKUP = _choice_lookup(LegalStatus.choices)
CIVILITY_LOOKUP = _choice_lookup(Civility.choices) | {"mme.": "Mme", "m": "M.", "mr": "M."}
LEGAL_BASIS_LOOKUP = _choice_lookup(LegalBasis.choices)


@dataclass
class RowResult:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "création" or "mise à jour"


@dataclass
class Preview:
    kind: str
    rows: list[RowResult]

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def count_created(self) -> int:
        return sum(1 for r in self.rows if r.action == "création")

    @property
    def count_updated(self) -> int:
        return sum(1 for r in self.rows if r.action == "mise à jour")


def _map_headers(kind: str, headers: list[str]) -> dict[str, int]:
    by_label = {_key(label): name for name, label in COLUMNS[kind]}
    by_label |= {_key(name): name for name, _label in COLUMNS[kind]}
    positions = {}
    for index, header in enumerate(headers):
        name = by_label.get(_key(header))
        if name:
            positions[name] = index
    missing = [
        label for name, label in COLUMNS[kind] if name in REQUIRED[kind] and name not in positions
    ]
    if missing:
        raise TableError(
            "Colonnes obligatoires absentes : "
            + ", ".join(missing)
            + ". Téléchargez le modèle ou un export pour voir les colonnes attendues."
        )
    return positions


def _parse_choice(value: str, lookup: dict[str, str], label: str, errors: list[str]) -> str:
    if not value:
        return ""
    parsed = lookup.get(_key(value))
    if parsed is None:
        errors.append(f"{label} inconnu(e) : « {value} ».")
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


def _organisation_row(
    project, values: dict, errors: list[str], communes: dict, existing
) -> Organisation:
    category = _parse_choice(values.get("category", ""), CATEGORY_LOOKUP, "Catégorie", errors)
    sub_type = _parse_choice(values.get("sub_type", ""), SUB_TYPE_LOOKUP, "Sous-type", errors)
    if sub_type and not category:
        category = category_of(sub_type) or ""
    mental_health = values.get("mental_health", "").strip().lower()
    if mental_health not in YES | NO:
        errors.append(f"Santé mentale : « {values['mental_health']} » (oui ou non attendu).")
    commune_code = values.get("commune", "").strip().upper()
    if commune_code and commune_code not in communes:
        errors.append(f"Code commune inconnu : {commune_code}.")
    organisation = existing(values) or Organisation(project=project, source=Source.FILE)
    organisation.name = values.get("name", "")
    organisation.category = category
    organisation.sub_type = sub_type
    organisation.legal_status = _parse_choice(
        values.get("legal_status", ""), LEGAL_STATUS_LOOKUP, "Statut juridique", errors
    )
    for name in (
        "finess_et",
        "finess_ej",
        "siret",
        "address",
        "postcode",
        "website",
        "phone",
        "email",
    ):
        setattr(organisation, name, values.get(name, ""))
    organisation.commune = communes.get(commune_code)
    organisation.mental_health = mental_health in YES
    return organisation


def preview_import(*, project, kind: str, headers: list[str], rows: list[list[str]]) -> Preview:
    """Check every line as if it were saved; nothing is written."""
    positions = _map_headers(kind, headers)
    raw_rows = [
        {name: row[index].strip() if index < len(row) else "" for name, index in positions.items()}
        for row in rows
    ]
    if kind == ImportKind.ORGANISATIONS:
        return _preview_organisations(project, raw_rows)
    return _preview_contacts(project, raw_rows)


def _existing_organisations(project):
    organisations = list(Organisation.objects.filter(project=project))
    by_finess = {o.finess_et: o for o in organisations if o.finess_et}
    by_siret = {o.siret: o for o in organisations if o.siret}
    by_name = {_key(o.name): o for o in organisations}

    def find(values: dict) -> Organisation | None:
        finess = values.get("finess_et", "").replace(" ", "").upper()
        siret = values.get("siret", "").replace(" ", "")
        return (
            (finess and by_finess.get(finess))
            or (siret and by_siret.get(siret))
            or by_name.get(_key(values.get("name", "")))
        )

    return find


def _preview_organisations(project, raw_rows: list[dict]) -> Preview:
    codes = {r.get("commune", "").strip().upper() for r in raw_rows} - {""}
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}
    existing = _existing_organisations(project)
    results, seen = [], {}
    for line, values in enumerate(raw_rows, start=2):
        errors: list[str] = []
        organisation = _organisation_row(project, values, errors, communes, existing)
        identity = organisation.finess_et.replace(" ", "") or _key(organisation.name)
        if identity in seen:
            errors.append(f"Doublon de la ligne {seen[identity]} dans le fichier.")
        seen.setdefault(identity, line)
        try:
            clean_organisation(organisation)
        except ValidationError as exc:
            errors.extend(_field_messages(exc, Organisation))
        results.append(
            RowResult(
                line=line,
                values=_serialise_organisation(organisation),
                errors=errors,
                action="mise à jour" if organisation.pk else "création",
            )
        )
    return Preview(kind=ImportKind.ORGANISATIONS, rows=results)


def _field_messages(exc: ValidationError, model) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    labels = {f.name: str(f.verbose_name) for f in model._meta.fields}
    return [
        (f"{labels.get(name, name).capitalize()} : {message}" if name != "__all__" else message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _serialise_organisation(o: Organisation) -> dict:
    return {
        "pk": o.pk,
        "name": o.name,
        "category": o.category,
        "sub_type": o.sub_type,
        "legal_status": o.legal_status,
        "finess_et": o.finess_et,
        "finess_ej": o.finess_ej,
        "siret": o.siret,
        "address": o.address,
        "postcode": o.postcode,
        "commune": o.commune_id or "",
        "website": o.website,
        "phone": o.phone,
        "email": o.email,
        "mental_health": o.mental_health,
    }


def _preview_contacts(project, raw_rows: list[dict]) -> Preview:
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
        contact.civility = _parse_choice(
            values.get("civility", ""), CIVILITY_LOOKUP, "Civilité", errors
        )
        contact.first_name = values.get("first_name", "")
        contact.last_name = values.get("last_name", "")
        contact.function = values.get("function", "")
        contact.email = email
        contact.phone = values.get("phone", "")
        legal_basis = _parse_choice(
            values.get("legal_basis", ""), LEGAL_BASIS_LOOKUP, "Base légale", errors
        )
        contact.legal_basis = legal_basis or LegalBasis.PUBLIC_INTEREST
        notice = _parse_date(values.get("notice_date", ""), errors)
        contact.notice_date = dt.date.fromisoformat(notice) if notice else None
        if email and email in seen:
            errors.append(f"Adresse électronique déjà présente ligne {seen[email]} du fichier.")
        if email:
            seen.setdefault(email, line)
        if organisation is not None:
            try:
                clean_contact(contact)
            except ValidationError as exc:
                errors.extend(_field_messages(exc, Contact))
        results.append(
            RowResult(
                line=line,
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
                action="mise à jour" if contact.pk else "création",
            )
        )
    return Preview(kind=ImportKind.CONTACTS, rows=results)


def save_pending_import(*, project, user, preview: Preview, file_name: str) -> PendingImport:
    PendingImport.objects.filter(project=project, user=user).delete()
    return PendingImport.objects.create(
        project=project,
        user=user,
        kind=preview.kind,
        file_name=file_name[:255],
        rows=[r.values for r in preview.rows],
    )


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
def commit_import(*, pending: PendingImport) -> tuple[int, int]:
    """Write every line of a previewed import, or none: any failure rolls everything back.
    The pending import's row is locked: a second confirmation waits, then finds it done.
    An import older than PTSM_PENDING_IMPORT_RETENTION_DAYS has expired and is refused."""
    if not PendingImport.objects.select_for_update().filter(pk=pending.pk).exists():
        raise AlreadyDone("Cet import a déjà été enregistré.")
    check_pending_import_alive(pending)
    created = updated = 0
    for line, values in enumerate(pending.rows, start=2):
        values = dict(values)
        pk = values.pop("pk")
        if pending.kind == ImportKind.ORGANISATIONS:
            organisation = (
                _still_there(
                    Organisation, pending, pk, line, f"l'organisation « {values.get('name', '')} »"
                )
                if pk
                else Organisation(project=pending.project, source=Source.FILE)
            )
            commune = values.pop("commune")
            for name, value in values.items():
                setattr(organisation, name, value)
            organisation.commune_id = commune or None
            clean_organisation(organisation)
            organisation.save()
        else:
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
            updated += 1
        else:
            created += 1
    pending.delete()
    return created, updated


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
