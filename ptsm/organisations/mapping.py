"""Column mapping of an uploaded table, and normalisation of values whose meaning is certain.

A table may come from anywhere (a national hospital list, a partner's spreadsheet, an export of
ptsm itself): its headers are matched to ptsm's fields regardless of accents, case, punctuation
and common synonyms; the user then adjusts the proposal. Values damaged by spreadsheets (leading
zeros lost, numbers written as floats, spaced phone numbers) are repaired only when a single
reading is possible; anything else is left to the line's checks.
"""

import functools
import re
import unicodedata

from .finess_categories import FINESS_CATEGORIES, GROUPS
from .models import ImportKind
from .validators import LA_POSTE_SIREN, luhn_valid

IGNORE = ""

# For each field, the headers that mean it, strongest first: when two columns claim the same
# field, the one with the stronger header keeps it (a code column beats a label column).
SYNONYMS: dict[str, dict[str, list[str]]] = {
    ImportKind.ORGANISATIONS: {
        "name": [
            "nom",
            "name",
            "raison sociale",
            "raison sociale longue",
            "rslongue",
            "rs",
            "rslongueet",
            "rset",
            "raison sociale etablissement",
            "nom de l'etablissement",
            "nom etablissement",
            "nom de la structure",
            "structure",
            "etablissement",
            "denomination",
            "organisation",
            "libelle",
        ],
        "category": [
            "categorie",
            "category",
            "categorie anap",
            "categetab",
            "code categorie",
            "code categorie etablissement",
            "categorie d'etablissement",
            "categorie etablissement",
            "categorie finess",
            "libcategetab",
            "libelle categorie",
            "libelle categorie etablissement",
            "type",
            "type d'etablissement",
            "type de structure",
        ],
        "sub_type": ["sous-type", "sous type", "sub_type"],
        "legal_status": ["statut juridique", "statut", "legal_status"],
        "finess_et": [
            "finess et",
            "finess",
            "nofinesset",
            "n° finess",
            "n finess",
            "no finess",
            "numero finess",
            "num finess",
            "finess etablissement",
            "finess geographique",
            "finess_et",
            "nofiness",
        ],
        "finess_ej": [
            "finess ej",
            "nofinessej",
            "finess juridique",
            "finess entite juridique",
            "finess_ej",
        ],
        "siret": ["siret", "n° siret", "numero siret", "siret etablissement", "siret_et"],
        "address": [
            "adresse",
            "address",
            "adresse postale",
            "adresse complete",
            "adresse de l'etablissement",
            "voie",
        ],
        "postcode": ["code postal", "cp", "codepostal", "postcode", "code_postal", "zip"],
        "commune": [
            "code commune (insee)",
            "code insee",
            "code_insee",
            "insee",
            "code commune",
            "codecommune",
            "depcom",
            "commune",
            "ville",
            "nom commune",
            "libelle commune",
            "libcommune",
        ],
        "website": ["site internet", "site web", "site", "url", "website"],
        "phone": [
            "telephone",
            "tel",
            "tél",
            "phone",
            "numero de telephone",
            "telephone standard",
        ],
        "email": [
            "courriel",
            "email",
            "e-mail",
            "mail",
            "adresse electronique",
            "adresse mail",
        ],
        "mental_health": ["sante mentale", "psychiatrie", "mental_health"],
        "represents": [
            "represente",
            "personnes representees",
            "representation des usagers",
            "represents",
        ],
    },
    ImportKind.CONTACTS: {
        "organisation": ["organisation", "structure", "etablissement", "employeur"],
        "organisation_finess": [
            "finess et de l'organisation",
            "finess",
            "finess et",
            "nofinesset",
            "n° finess",
        ],
        "civility": ["civilite", "civility", "titre"],
        "first_name": ["prenom", "first name", "first_name", "firstname"],
        "last_name": ["nom", "nom de famille", "last name", "last_name", "lastname"],
        "function": ["fonction", "poste", "function", "role"],
        "email": ["courriel", "email", "e-mail", "mail", "adresse electronique"],
        "phone": ["telephone", "tel", "tél", "phone", "portable"],
        "legal_basis": ["base legale", "base légale", "legal_basis"],
        "notice_date": ["date d'information rgpd", "date d'information", "notice_date"],
    },
}


@functools.lru_cache(maxsize=65_536)
def header_key(text: str) -> str:
    """« N° FINESS », « n_finess » and « N FINESS » give the same key: accents, case,
    punctuation and spaces are ignored (« ° » and « º » included)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain.replace("°", "").replace("º", ""))


def _synonym_ranks(kind: str, columns: list[tuple[str, str]]) -> dict[str, tuple[str, int]]:
    """{header key: (field, rank)}: ptsm's own labels first, then the synonyms, then the
    fields' own names (« commune » may be a name: a « code INSEE » column beats it)."""
    ranks: dict[str, tuple[str, int]] = {}
    for name, label in columns:
        ranks.setdefault(header_key(label), (name, 0))
    for name, synonyms in SYNONYMS[kind].items():
        for rank, synonym in enumerate(synonyms, start=1):
            ranks.setdefault(header_key(synonym), (name, rank))
    for name, _label in columns:
        ranks.setdefault(header_key(name), (name, 100))
    return ranks


def propose_mapping(
    kind: str,
    columns: list[tuple[str, str]],
    headers: list[str],
    saved: dict[str, str] | None = None,
) -> list[str]:
    """The field proposed for each column ("" to ignore it). A saved mapping ({header key:
    field}) decides for the headers it knows; each field goes to one column at most."""
    known = {name for name, _label in columns}
    ranks = _synonym_ranks(kind, columns)
    candidates: dict[str, tuple[int, int]] = {}  # field: (rank, column)
    for index, header in enumerate(headers):
        key = header_key(header)
        if saved is not None and key in saved:
            field = saved[key]
            rank = -1  # the user's own choice beats any synonym
        elif key in ranks:
            field, rank = ranks[key]
        else:
            continue
        if field not in known:
            continue
        if field not in candidates or rank < candidates[field][0]:
            candidates[field] = (rank, index)
    proposal = [IGNORE] * len(headers)
    for field, (_rank, index) in candidates.items():
        proposal[index] = field
    return proposal


# Values -------------------------------------------------------------------------------------

_FLOAT = re.compile(r"^([0-9]+)[.,]0+$")


def integer_text(value: str) -> str:
    """« 290000017.0 » (a number stored as a float by a spreadsheet) → « 290000017 »."""
    value = (value or "").strip()
    match = _FLOAT.match(value)
    return match.group(1) if match else value


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", integer_text(value)).upper()


def departement_of_postcode(postcode: str) -> set[str]:
    """The départements a postcode may belong to (20xxx is Corse-du-Sud or Haute-Corse)."""
    if not re.fullmatch(r"[0-9]{5}", postcode or ""):
        return set()
    if postcode.startswith("97") or postcode.startswith("98"):
        return {postcode[:3]}
    if postcode.startswith("20"):
        return {"2A", "2B"}
    return {postcode[:2]}


def departement_of_commune(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def normalise_postcode(value: str) -> tuple[str, str | None]:
    """(postcode, error): « 1000 » lost its leading zero (all French postcodes have 5 digits)."""
    value = _compact(value)
    if not value:
        return "", None
    if re.fullmatch(r"[1-9][0-9]{3}", value):
        value = "0" + value
    if not re.fullmatch(r"[0-9]{5}", value):
        return value, f"Code postal invalide : « {value} » (5 chiffres attendus)."
    return value, None


def normalise_finess(value: str, departements: set[str]) -> tuple[str, str | None]:
    """(FINESS, error). A FINESS begins with its département's code: an 8-digit number is one
    whose leading zero a spreadsheet dropped (département 01 to 09), restored when the line's
    postcode or commune agrees (or says nothing)."""
    value = _compact(value)
    if re.fullmatch(r"[1-9][0-9]{7}", value):
        padded = "0" + value
        if departements and padded[:2] not in departements:
            return value, (
                f"Numéro FINESS « {value} » : 8 chiffres. Il commencerait par le département "
                f"{padded[:2]}, qui n'est pas celui de son adresse : corrigez le numéro."
            )
        return padded, None
    return value, None


def normalise_siret(value: str) -> str:
    """A 13-digit SIRET lost its leading zero when its 14-digit form passes the Luhn check."""
    value = _compact(value)
    if re.fullmatch(r"[0-9]{13}", value):
        padded = "0" + value
        if luhn_valid(padded) or padded.startswith(LA_POSTE_SIREN):
            return padded
    return value


def normalise_phone(value: str) -> str:
    """French numbers as « 02 98 00 00 00 »: separators and a lost leading zero repaired;
    anything else (international form, extensions, foreign numbers) is kept as typed."""
    original = (value or "").strip()
    digits = re.sub(r"[\s.\-/]", "", integer_text(original))
    if re.fullmatch(r"[1-9][0-9]{8}", digits):
        digits = "0" + digits
    if re.fullmatch(r"0[1-9][0-9]{8}", digits):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return original


def finess_category(value: str):
    """The FINESS category (code « 292 » or its official label) as a FinessCategory, with its
    code; (None, code) for a code outside a PTSM's categories, (None, "") for anything else."""
    code = integer_text(value)
    if re.fullmatch(r"[0-9]{3}", code):
        found = FINESS_CATEGORIES.get(code)
        return (found[1] if found else None), code
    key = header_key(value)
    for group in GROUPS:
        for code, label in group.codes.items():
            if code in group.mapping and header_key(label) == key:
                return group.mapping[code], code
    return None, ""
