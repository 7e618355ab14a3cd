"""Organisations from any table: each line is read through the chosen mapping, repaired where
its meaning is certain, matched to the directory (FINESS ET, then SIRET, then name) and checked
as if it were saved. Every query is made once for the whole file, never per line.

An update only ever sets what the file says: an unmapped column, or an empty cell, leaves the
stored value as it is. The preview keeps, for each updated organisation, each field's value
before and after, and the version it was read at: the commit refuses to write over a change
made in between.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from ptsm.territories.models import Commune
from ptsm.territories.selectors import territory_communes

from .categories import SUB_TYPE_CHOICES, Category, Represents, category_of, default_represents
from .mapping import (
    departement_of_commune,
    departement_of_postcode,
    finess_category,
    header_key,
    integer_text,
    normalise_finess,
    normalise_phone,
    normalise_postcode,
    normalise_siret,
)
from .models import LegalStatus, Organisation
from .services import DUPLICATE_FINESS
from .validators import validate_finess, validate_siret

CREATE, UPDATE, UNCHANGED, REFUSED = "création", "mise à jour", "inchangée", "refusée"
YES = {"oui", "o", "1", "vrai", "x", "yes"}
NO = {"non", "n", "0", "faux", "no"}
# What a line may set, in the order of the preview's « avant → après » lists.
WRITABLE = [
    "name",
    "category",
    "sub_type",
    "legal_status",
    "finess_et",
    "finess_ej",
    "siret",
    "address",
    "postcode",
    "commune_id",
    "website",
    "phone",
    "email",
    "mental_health",
    "finess_category",
    "represents",
]
LABELS = {
    "name": "Nom",
    "category": "Catégorie",
    "sub_type": "Sous-type",
    "legal_status": "Statut juridique",
    "finess_et": "FINESS ET",
    "finess_ej": "FINESS EJ",
    "siret": "SIRET",
    "address": "Adresse",
    "postcode": "Code postal",
    "commune_id": "Commune",
    "website": "Site internet",
    "phone": "Téléphone",
    "email": "Courriel",
    "mental_health": "Santé mentale",
    "finess_category": "Catégorie FINESS",
    "represents": "Représente",
}
CODE_COMMUNE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[header_key(value)] = value
        lookup[header_key(label)] = value
    return lookup


CATEGORY_LOOKUP = _choice_lookup(Category.choices)
SUB_TYPE_LOOKUP = _choice_lookup(SUB_TYPE_CHOICES)
LEGAL_STATUS_LOOKUP = _choice_lookup(LegalStatus.choices)
# « non » (or « aucun ») says the organisation represents nobody: it clears the flag.
REPRESENTS_LOOKUP = _choice_lookup(Represents.choices) | dict.fromkeys(
    ("non", "aucun", "aucune", "no"), ""
)
DISPLAY = {
    "category": dict(Category.choices),
    "sub_type": dict(SUB_TYPE_CHOICES),
    "legal_status": dict(LegalStatus.choices),
    "represents": dict(Represents.choices),
}


@dataclass
class Line:
    """One line of the file once checked (stored as JSON in the pending import)."""

    line: int
    action: str = ""
    name: str = ""
    pk: int | None = None
    version: int | None = None
    values: dict = field(default_factory=dict)  # creation: every field; update: the new values
    old: dict = field(default_factory=dict)  # update: the values they replace
    errors: list[str] = field(default_factory=list)
    outside: bool = False  # a new organisation outside the project's territory

    def as_json(self) -> dict:
        return self.__dict__.copy()


def display(name: str, value) -> str:
    """A stored value as the preview shows it."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value in ("", None):
        return "(vide)"
    return str(DISPLAY.get(name, {}).get(value, value))


def _name_key(text: str) -> str:
    return header_key(text)


def _commune_key(text: str) -> str:
    key = header_key(text.replace("’", "'"))
    return re.sub(r"^(st)(?=[a-z])", "saint", re.sub(r"^(ste)(?=[a-z])", "sainte", key))


class _Context:
    """What every line is checked against, read in a few queries for the whole file."""

    def __init__(self, project, raw_rows: list[dict]):
        self.project = project
        organisations = list(Organisation.objects.filter(project=project))
        self.by_pk = {o.pk: o for o in organisations}
        self.by_finess = {o.finess_et: o for o in organisations if o.finess_et}
        self.by_siret = {o.siret: o for o in organisations if o.siret}
        self.by_name: dict[str, Organisation] = {}
        for o in organisations:
            self.by_name.setdefault(_name_key(o.name), o)
        territory = territory_communes(project.territory).values_list("code", "departement_id")
        self.territory_codes, self.territory_departements = set(), set()
        for code, departement in territory:
            self.territory_codes.add(code)
            self.territory_departements.add(departement)
        codes, departements, names = set(), set(self.territory_departements), False
        for values in raw_rows:
            commune = integer_text(values.get("commune", "")).strip().upper()
            if re.fullmatch(r"[0-9]{4}", commune):
                commune = "0" + commune
            if CODE_COMMUNE.match(commune):
                codes.add(commune)
            elif commune:
                names = True
                postcode, _error = normalise_postcode(values.get("postcode", ""))
                departements |= departement_of_postcode(postcode)
        self.communes = dict(
            Commune.objects.filter(code__in=codes).values_list("code", "departement_id")
        )
        self.commune_names: dict[tuple[str, str], list[str]] = {}
        if names:
            for code, name, departement in Commune.objects.filter(
                departement_id__in=departements
            ).values_list("code", "name", "departement_id"):
                self.commune_names.setdefault((departement, _commune_key(name)), []).append(code)
                self.communes.setdefault(code, departement)

    def existing(self, new: dict) -> Organisation | None:
        return (
            (new.get("finess_et") and self.by_finess.get(new["finess_et"]))
            or (new.get("siret") and self.by_siret.get(new["siret"]))
            or (new.get("name") and self.by_name.get(_name_key(new["name"])))
            or None
        )

    def commune(self, value: str, departements: set[str], errors: list[str]) -> str:
        text = integer_text(value).strip()
        code = text.upper()
        if re.fullmatch(r"[0-9]{4}", code):
            code = "0" + code  # a commune code that lost its leading zero (01053 → 1053)
        if CODE_COMMUNE.match(code):
            if code not in self.communes:
                errors.append(f"Code commune inconnu : {code}.")
                return ""
            return code
        searched = departements or self.territory_departements
        found = [
            code
            for departement in searched
            for code in self.commune_names.get((departement, _commune_key(text)), [])
        ]
        if len(found) == 1:
            return found[0]
        where = " du département de son code postal" if departements else " du territoire"
        if not found:
            errors.append(
                f"Commune introuvable : « {text} » n'est pas une commune{where} "
                "(indiquez son code INSEE ou le code postal)."
            )
        else:
            errors.append(
                f"Commune ambiguë : plusieurs communes{where} s'appellent « {text} » "
                "(indiquez son code INSEE)."
            )
        return ""

    def outside(self, commune: str, postcode_departements: set[str]) -> bool:
        if commune:
            return commune not in self.territory_codes
        if postcode_departements:
            return not (postcode_departements & self.territory_departements)
        return False  # nothing says where it is


def _category(values: dict, new: dict, errors: list[str]) -> None:
    """The category cell may hold an ANAP category, a sub-type, or a FINESS category (code
    « 292 » or its label): each sets what it certainly means."""
    text = values.get("category", "")
    if not text:
        return
    key = header_key(text)
    if key in CATEGORY_LOOKUP:
        new["category"] = CATEGORY_LOOKUP[key]
        return
    if key in SUB_TYPE_LOOKUP and category_of(SUB_TYPE_LOOKUP[key]):
        new["sub_type"] = SUB_TYPE_LOOKUP[key]
        new["category"] = category_of(new["sub_type"])
        return
    mapping, code = finess_category(text)
    if mapping is not None:
        private = new.get("legal_status") not in (None, "", LegalStatus.PUBLIC)
        new["category"] = (
            mapping.private_category if private and mapping.private_category else mapping.category
        )
        new["sub_type"] = (
            mapping.private_sub_type if private and mapping.private_sub_type else mapping.sub_type
        )
        new["finess_category"] = code
        new.setdefault("mental_health", mapping.mental_health)
        return
    if code:
        errors.append(
            f"Catégorie FINESS {code} hors du périmètre d'un PTSM : choisissez la catégorie "
            "ANAP de cette organisation."
        )
    else:
        errors.append(
            f"Catégorie inconnue : « {text} » (catégorie ANAP, sous-type ou catégorie FINESS "
            "attendus)."
        )


def _parse(values: dict, context: _Context, errors: list[str]) -> tuple[dict, set[str], bool]:
    """(new values read from the line's non-empty cells, the départements its postcode may be
    in, whether it is outside the territory)."""
    new: dict = {}
    for name in ("name", "address", "email"):
        if values.get(name):
            new[name] = values[name]
    if values.get("website"):
        website = values["website"]
        # « www.epsm-finistere.fr »: a web address typed without its scheme is taken as https.
        new["website"] = website if "://" in website else "https://" + website
    postcode_departements: set[str] = set()
    if values.get("postcode"):
        postcode, error = normalise_postcode(values["postcode"])
        if error:
            errors.append(error)
        else:
            new["postcode"] = postcode
            postcode_departements = departement_of_postcode(postcode)
    if values.get("commune"):
        code = context.commune(values["commune"], postcode_departements, errors)
        if code:
            new["commune_id"] = code
    departements = (
        {departement_of_commune(new["commune_id"])} if "commune_id" in new else set()
    ) or postcode_departements
    for name in ("finess_et", "finess_ej"):
        if values.get(name):
            number, error = normalise_finess(values[name], departements)
            if error:
                errors.append(error)
            new[name] = number
    if values.get("siret"):
        new["siret"] = normalise_siret(values["siret"])
    if values.get("phone"):
        new["phone"] = normalise_phone(values["phone"])
    if values.get("legal_status"):
        status = LEGAL_STATUS_LOOKUP.get(header_key(values["legal_status"]))
        if status is None:
            errors.append(f"Statut juridique inconnu : « {values['legal_status']} ».")
        else:
            new["legal_status"] = status
    if values.get("mental_health"):
        answer = values["mental_health"].strip().lower()
        if answer not in YES | NO:
            errors.append(f"Santé mentale : « {values['mental_health']} » (oui ou non attendu).")
        else:
            new["mental_health"] = answer in YES
    if values.get("represents"):
        represents = REPRESENTS_LOOKUP.get(header_key(values["represents"]))
        if represents is None:
            errors.append(
                f"Représente : « {values['represents']} » (personnes concernées, proches et "
                "familles, personnes concernées et proches, ou non attendu)."
            )
        else:
            new["represents"] = represents
    _category(values, new, errors)
    if values.get("sub_type"):
        sub_type = SUB_TYPE_LOOKUP.get(header_key(values["sub_type"]))
        if sub_type is None:
            errors.append(f"Sous-type inconnu : « {values['sub_type']} ».")
        else:
            new["sub_type"] = sub_type
            if "category" not in new and category_of(sub_type):
                new["category"] = category_of(sub_type)
    outside = context.outside(new.get("commune_id", ""), postcode_departements)
    return new, departements, outside


def _field_messages(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    labels = {f.name: str(f.verbose_name) for f in Organisation._meta.fields}
    return [
        (f"{labels.get(name, name).capitalize()} : {message}" if name != "__all__" else message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


MODEL_FIELDS = {name: Organisation._meta.get_field(name) for name in WRITABLE}
CREATION_DEFAULTS = {
    name: (field.get_default() if name != "commune_id" else None)
    for name, field in MODEL_FIELDS.items()
}


def _check(merged: dict, new: dict, pk, context: _Context, errors: list[str]) -> None:
    """The rules of `services.clean_organisation` on the values the line would leave (stored
    ones with the file's on top), with the directory in memory. Only the values the file
    brings go through the fields' own validation (lengths, choices, e-mail and web address):
    the stored ones passed it when they were saved."""
    problems: dict[str, list[str]] = {}
    for name, value in new.items():
        if name == "commune_id":
            continue  # checked against the referential when read
        try:
            MODEL_FIELDS[name].clean(value, None)
        except ValidationError as exc:
            problems[name] = exc.messages
    for name, validator in (
        ("finess_et", validate_finess),
        ("finess_ej", validate_finess),
        ("siret", validate_siret),
    ):
        if name in new and name not in problems:
            try:
                validator(merged[name])
            except ValidationError as exc:
                problems[name] = exc.messages
    expected = category_of(merged["sub_type"]) if merged["sub_type"] else None
    if expected and merged["category"] != expected:
        problems.setdefault("sub_type", []).append(
            "Ce sous-type ne correspond pas à la catégorie choisie."
        )
    holder = context.by_finess.get(merged["finess_et"])
    if merged["finess_et"] and holder is not None and holder.pk != pk:
        problems["finess_et"] = [DUPLICATE_FINESS]
    if problems:
        errors.extend(_field_messages(ValidationError(problems)))


def check_lines(project, raw_rows: list[dict], first_line: int = 2) -> list[Line]:
    """Every line of the file, checked; nothing is written."""
    context = _Context(project, raw_rows)
    seen: dict[str, int] = {}
    return [
        _check_line(number, values, context, seen)
        for number, values in enumerate(raw_rows, start=first_line)
    ]


def check_line(project, values: dict, *, organisation: Organisation | None = None) -> Line:
    """One line given otherwise than in a file (the API), with the same repairs and checks.
    With `organisation`, the line updates that organisation rather than the one its FINESS,
    SIRET or name designate. Nothing is written."""
    return _check_line(1, values, _Context(project, [values]), {}, organisation)


def _check_line(
    number: int, values: dict, context: _Context, seen: dict, target: Organisation | None = None
) -> Line:
    errors: list[str] = []
    new, _departements, outside = _parse(values, context, errors)
    existing = context.by_pk.get(target.pk) if target is not None else context.existing(new)
    line = Line(line=number, name=new.get("name") or (existing.name if existing else ""))
    if existing is None:
        merged = CREATION_DEFAULTS | new
        if "represents" not in new:  # a GEM, the UNAFAM…: whom it represents, by default
            merged["represents"] = default_represents(merged["category"] or "", merged["sub_type"])
        if not new.get("name"):
            errors.append("Nom manquant : il est nécessaire pour ajouter une organisation.")
        if not new.get("category"):
            errors.append(
                "Catégorie manquante : elle est nécessaire pour ajouter une organisation."
            )
    else:
        if (
            "category" in new
            and "sub_type" not in new
            and existing.sub_type
            and category_of(existing.sub_type) not in (None, new["category"])
        ):
            new["sub_type"] = ""  # the file changes the category: the old sub-type goes
        merged = {name: getattr(existing, name) for name in WRITABLE} | new
    identity = merged["finess_et"] or merged["siret"] or _name_key(merged["name"])
    if identity in seen:
        errors.append(f"Doublon de la ligne {seen[identity]} dans le fichier.")
    seen.setdefault(identity, number)
    _check(merged, new, existing.pk if existing else None, context, errors)
    if errors:
        line.action, line.errors = REFUSED, errors
    elif existing is None:
        line.action, line.outside, line.values = CREATE, outside, merged
    else:
        line.pk, line.version = existing.pk, existing.version
        for name, value in new.items():
            before = getattr(existing, name)
            if name == "phone" and normalise_phone(before) == value:
                continue  # the same number, only written differently
            if name == "name" and _name_key(before) == _name_key(value):
                continue  # « CHU DE BREST » of a national list is the « CHU de Brest »
            if before != value:
                line.values[name], line.old[name] = value, before
        line.action = UPDATE if line.values else UNCHANGED
    return line


def changes(line: dict) -> list[tuple[str, str, str]]:
    """(field label, before, after) for an update, in the order of the form."""
    return [
        (LABELS[name], display(name, line["old"].get(name)), display(name, line["values"][name]))
        for name in WRITABLE
        if name in line["values"]
    ]
