"""Import of the national FINESS establishments extraction, filtered to a project's communes.

The file (« etalab-cs1100507-stock-*.csv ») is read line by line: only the establishments of the
territory are kept in memory, so the national file (~100,000 establishments) streams in bounded
memory. Everything is written in one transaction, or nothing.
"""

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from ptsm.core.formatting import french_number, plural
from ptsm.territories.geometry import lambert93_to_wgs84
from ptsm.territories.selectors import territory_communes

from .categories import Category
from .models import LegalStatus, Organisation, Source
from .validators import FINESS_PATTERN

HEADER = re.compile(r"^finess;etalab;")
STRUCTURE_FIELDS = 31
GEOLOCATION_FIELDS = 6
MAX_EXAMPLES = 20
# The job page's progress is updated every so many lines (a national file has 100,000).
PROGRESS_EVERY_LINES = 5000
# A line of the official file is a few hundred bytes; a longer one is skipped without being held.
MAX_LINE_BYTES = 16 * 1024
# Lambert 93 extent of metropolitan France (with a margin): anything else, including the
# (0, 0) placeholder and the projection's origin, is not a position.
LAMBERT93_X = (-400_000.0, 1_400_000.0)
LAMBERT93_Y = (6_000_000.0, 7_200_000.0)
PUBLIC_SPH = {"1"}  # codesph 1: établissement public de santé


@dataclass(frozen=True)
class FinessCategory:
    category: str
    sub_type: str
    mental_health: bool = False
    private_category: str | None = None  # used when the establishment is not public
    private_sub_type: str | None = None


# FINESS establishment categories (categetab, ANS nomenclature TRE_R66) kept in a PTSM directory,
# mapped to ANAP categories. Other categories (pharmacies, laboratories…) are skipped.
FINESS_CATEGORIES: dict[str, FinessCategory] = {
    "292": FinessCategory(
        Category.HOSPITAL_PUBLIC,
        "etab_psy_public",
        True,
        Category.HOSPITAL_PRIVATE,
        "etab_psy_espic",
    ),
    "161": FinessCategory(Category.HOSPITAL_PRIVATE, "clinique_psy", True),
    **{
        code: FinessCategory(
            Category.HOSPITAL_PUBLIC,
            "structure_psy_publique",
            True,
            Category.HOSPITAL_PRIVATE,
            "structure_psy_privee",
        )
        for code in ("156", "366", "412", "415", "425", "430", "444")
    },
    "189": FinessCategory(Category.MEDICO_SOCIAL, "cmpp", True),
    "101": FinessCategory(Category.HOSPITAL_PUBLIC, "ch_mco"),
    "106": FinessCategory(Category.HOSPITAL_PUBLIC, "ch_mco"),
    "355": FinessCategory(Category.HOSPITAL_PUBLIC, "ch_mco"),
    "365": FinessCategory(Category.HOSPITAL_PRIVATE, "clinique_mco"),
    "128": FinessCategory(Category.HOSPITAL_PRIVATE, "clinique_mco"),
    "124": FinessCategory(Category.PRIMARY_CARE, "msp"),
    "603": FinessCategory(Category.PRIMARY_CARE, "msp"),
    "255": FinessCategory(Category.MEDICO_SOCIAL, "fam_mas"),
    "437": FinessCategory(Category.MEDICO_SOCIAL, "fam_mas"),
    "445": FinessCategory(Category.MEDICO_SOCIAL, "savs_samsah"),
    "446": FinessCategory(Category.MEDICO_SOCIAL, "savs_samsah"),
    "246": FinessCategory(Category.MEDICO_SOCIAL, "esat"),
    "252": FinessCategory(Category.MEDICO_SOCIAL, "foyer"),
    "382": FinessCategory(Category.MEDICO_SOCIAL, "foyer"),
    "197": FinessCategory(Category.MEDICO_SOCIAL, "addictologie"),
    "178": FinessCategory(Category.MEDICO_SOCIAL, "addictologie"),
    "214": FinessCategory(Category.SOCIAL, "chrs"),
}


class FinessFileError(ValueError):
    """The file is not a FINESS extraction; nothing was imported."""


@dataclass
class FinessReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: int = 0
    skipped: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    @property
    def skipped_reasons(self) -> list[tuple[str, int]]:
        return sorted(self.skipped.items(), key=lambda item: -item[1])

    def summary(self) -> str:
        return (
            f"{plural(self.created, 'établissement créé', 'établissements créés')}, "
            f"{plural(self.updated, 'mis à jour', 'mis à jour')}, "
            f"{plural(self.unchanged, 'inchangé', 'inchangés')} — "
            f"{plural(self.lines, 'ligne lue', 'lignes lues')}."
        )

    def detail_lines(self) -> list[str]:
        skipped = [
            f"Ignorées : {french_number(count)} — {reason}"
            for reason, count in self.skipped_reasons
        ]
        return skipped + self.examples

    def skip(self, reason: str, line_number: int | None = None, detail: str = "") -> None:
        self.skipped[reason] += 1
        if line_number is not None and len(self.examples) < MAX_EXAMPLES:
            self.examples.append(
                f"Ligne {line_number} : {reason}{' — ' + detail if detail else ''}"
            )


def _decode(raw: bytes) -> str:
    # The official file has been published in Latin-1 and in UTF-8: decide line by line.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _address(fields: list[str]) -> str:
    street = " ".join(p for p in (fields[7], fields[8], fields[9], fields[10]) if p.strip())
    return ", ".join(p for p in (street.strip(), fields[11].strip()) if p)


def _record(fields: list[str], mapping: FinessCategory, commune_code: str) -> dict:
    public = fields[26].strip() in PUBLIC_SPH
    category = (
        mapping.category if public or not mapping.private_category else mapping.private_category
    )
    sub_type = (
        mapping.sub_type if public or not mapping.private_sub_type else mapping.private_sub_type
    )
    postcode = fields[15].strip()[:5]
    return {
        "finess_et": fields[1].strip(),
        "finess_ej": fields[2].strip() if FINESS_PATTERN.match(fields[2].strip()) else "",
        "name": (fields[4].strip() or fields[3].strip())[:255],
        "address": _address(fields)[:255],
        "postcode": postcode if postcode.isdigit() else "",
        "commune_id": commune_code,
        "phone": fields[16].strip()[:30],
        "siret": fields[22].strip() if re.fullmatch(r"[0-9]{14}", fields[22].strip()) else "",
        "finess_category": fields[18].strip(),
        "finess_category_label": fields[19].strip()[:120],
        "mental_health": mapping.mental_health,
        "category": category,
        "sub_type": sub_type,
        "legal_status": LegalStatus.PUBLIC if public else "",
    }


def _commune_code(departement: str, commune: str) -> str:
    departement, commune = departement.strip(), commune.strip()
    return (departement + commune) if len(departement) == 2 else departement[:2] + commune


def _bounded_lines(stream: BinaryIO):
    """(line, too_long) pairs: a line longer than MAX_LINE_BYTES is consumed in chunks and
    returned empty, so a file without line breaks never sits in memory whole."""
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE_BYTES)
            yield b"", True
        else:
            yield raw, False


def _position(x_text: str, y_text: str) -> tuple[float, float] | None:
    """(longitude, latitude) of Lambert 93 coordinates in metropolitan France, or None."""
    try:
        x, y = float(x_text), float(y_text)
    except ValueError:
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    if not (LAMBERT93_X[0] <= x <= LAMBERT93_X[1] and LAMBERT93_Y[0] <= y <= LAMBERT93_Y[1]):
        return None
    return lambert93_to_wgs84(x, y)


def check_header(stream: BinaryIO) -> None:
    """Refuse, before anything is queued, a file that is not a FINESS extraction."""
    first = stream.readline(MAX_LINE_BYTES)
    if not HEADER.match(_decode(first).lstrip("\ufeff")):
        raise FinessFileError(
            "Ce fichier n'est pas une extraction FINESS : la première ligne doit commencer par "
            "« finess;etalab; ». Téléchargez le fichier « extraction du fichier des établissements » "
            "sur data.gouv.fr."
        )


def read_finess(
    stream: BinaryIO,
    commune_codes: set[str],
    report: FinessReport,
    progress: Callable[[int, int, str], None] | None = None,
    size: int = 0,
) -> dict[str, dict]:
    """The territory's establishments found in a FINESS file, keyed by FINESS ET."""
    check_header(stream)
    records: dict[str, dict] = {}
    for number, (raw, too_long) in enumerate(_bounded_lines(stream), start=2):
        report.lines += 1
        if progress is not None and number % PROGRESS_EVERY_LINES == 0:
            progress(stream.tell(), size, "Lecture du fichier FINESS")
        if too_long:
            report.skip("ligne trop longue", number, f"plus de {MAX_LINE_BYTES // 1024} Ko")
            continue
        line = _decode(raw).rstrip("\r\n")
        if not line.strip():
            continue
        fields = line.split(";")
        section = fields[0]
        if section == "structureet":
            if len(fields) < STRUCTURE_FIELDS:
                report.skip(
                    "ligne malformée", number, f"{len(fields)} champs au lieu de {STRUCTURE_FIELDS}"
                )
                continue
            finess = fields[1].strip()
            if not FINESS_PATTERN.match(finess):
                report.skip("numéro FINESS invalide", number, f"« {finess} »")
                continue
            commune = _commune_code(fields[13], fields[12])
            if commune not in commune_codes:
                report.skip("hors du territoire du projet")
                continue
            mapping = FINESS_CATEGORIES.get(fields[18].strip())
            if mapping is None:
                report.skip("catégorie hors du périmètre du PTSM (pharmacie, laboratoire…)")
                continue
            records[finess] = _record(fields, mapping, commune)
        elif section == "geolocalisation":
            if len(fields) < GEOLOCATION_FIELDS:
                report.skip("ligne de géolocalisation malformée", number)
                continue
            record = records.get(fields[1].strip())
            if record is None or record["commune_id"].startswith("97"):
                continue  # overseas coordinates use other projections
            position = _position(fields[2], fields[3])
            if position is None:
                report.skip(
                    "coordonnées absentes, illisibles ou hors de France métropolitaine",
                    number,
                    f"« {fields[2][:20]} ; {fields[3][:20]} »",
                )
                continue
            record["longitude"], record["latitude"] = position
        else:
            report.skip("type de ligne inconnu", number, f"« {section[:30]} »")
    return records


UPDATABLE = [
    "finess_ej",
    "name",
    "address",
    "postcode",
    "commune_id",
    "phone",
    "siret",
    "finess_category",
    "finess_category_label",
    "mental_health",
    "longitude",
    "latitude",
]
# Categories chosen by hand are kept on re-import; FINESS decides only for its own entries.
FINESS_OWNED = ["category", "sub_type", "legal_status"]


def import_finess(*, project, stream: BinaryIO, progress=None, size: int = 0) -> FinessReport:
    """Read the file (reporting progress), then write every change in one transaction."""
    report = FinessReport()
    commune_codes = set(territory_communes(project.territory).values_list("code", flat=True))
    records = read_finess(stream, commune_codes, report, progress, size)
    if progress is not None:
        progress(size, size, "Enregistrement des établissements")
    with transaction.atomic():
        _write(project, records, report)
    return report


def _write(project, records: dict[str, dict], report: FinessReport) -> None:
    existing = {
        o.finess_et: o
        for o in Organisation.objects.filter(project=project, finess_et__in=list(records))
    }
    to_create, to_update = [], []
    for finess, record in records.items():
        organisation = existing.get(finess)
        if organisation is None:
            to_create.append(Organisation(project=project, source=Source.FINESS, **record))
            continue
        fields = UPDATABLE + (FINESS_OWNED if organisation.source == Source.FINESS else [])
        changed = [f for f in fields if f in record and getattr(organisation, f) != record[f]]
        if changed:
            for name in changed:
                setattr(organisation, name, record[name])
            to_update.append(organisation)
        else:
            report.unchanged += 1
    Organisation.objects.bulk_create(to_create, batch_size=500)
    for organisation in to_update:
        organisation.updated_at = timezone.now()
    if to_update:
        Organisation.objects.bulk_update(
            to_update, UPDATABLE + FINESS_OWNED + ["updated_at"], batch_size=500
        )
    report.created, report.updated = len(to_create), len(to_update)
