"""Import of the national FINESS establishments extraction, filtered to a project's communes.

Both published extracts are read (« etalab-cs1100502-stock-*.csv » and the geolocated
« etalab-cs1100507-stock-*.csv »), in UTF-8 (with or without BOM) or Latin-1. The file is read
line by line: only the establishments of the territory are kept in memory, so the national file
(~100,000 establishments) streams in bounded memory.

Two steps: `analyse_finess` reads the file once and keeps the territory's establishments of the
categories a PTSM involves (`PendingFinessImport`, the file itself is not kept); the user chooses
the groups of categories to import (`finess_choices`), and `import_pending_finess` writes them in
one transaction, or nothing.
"""

import csv
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from ptsm.core.concurrency import AlreadyDone
from ptsm.core.formatting import french_number, plural
from ptsm.territories.geometry import lambert93_to_wgs84, utm_to_wgs84
from ptsm.territories.selectors import territory_communes

from .finess_categories import FINESS_CATEGORIES, GROUPS, GROUPS_BY_KEY
from .models import LegalStatus, Organisation, PendingFinessImport, Source
from .validators import FINESS_PATTERN

HEADER = re.compile(r"^finess;etalab;(?P<version>[^;]*);?(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})?")
UTF8_BOM = b"\xef\xbb\xbf"
# 31 fields in the older extracts, 32 since « numuai » was added (lines end with a `;`).
STRUCTURE_FIELDS = 31
GEOLOCATION_FIELDS = 6
MAX_EXAMPLES = 20
# The job page's progress is updated every so many lines (a national file has 200,000).
PROGRESS_EVERY_LINES = 5000
# A line of the official file is a few hundred bytes; a longer one is skipped without being held.
MAX_LINE_BYTES = 16 * 1024
PUBLIC_SPH = {"1"}  # codesph 1: établissement public de santé
OUT_OF_SCOPE = "catégorie hors du périmètre du PTSM (pharmacie, laboratoire…)"
OUTSIDE = "hors du territoire du projet"

# Overseas, the `departement` column holds a FINESS code; the INSEE commune code is the INSEE
# département followed by the last two digits of the FINESS commune (9D + 411 → 97411).
OVERSEAS_DEPARTEMENTS = {
    "9A": "971",  # Guadeloupe (with Saint-Barthélemy and Saint-Martin, see below)
    "9B": "972",  # Martinique
    "9C": "973",  # Guyane
    "9D": "974",  # La Réunion
    "9E": "975",  # Saint-Pierre-et-Miquelon
    "9F": "976",  # Mayotte
    "9J": "986",  # Wallis-et-Futuna
}
# Saint-Barthélemy and Saint-Martin, communes of Guadeloupe until 2007, keep their former codes.
FORMER_COMMUNE_CODES = {"97123": "97701", "97127": "97801"}

# Coordinates: the projection is named in `sourcecoordet` (« …,EPSG:2154 RGF93 / Lambert-93 »,
# « …,EPSG:5490 RGAF09/UTM Zone 20N (Antilles) »); older files name none, and then the
# département's official projection is assumed. A position is kept only when it falls in the
# establishment's own département (or metropolitan France): never a wrong one.
_LAMBERT93 = lambert93_to_wgs84


def _utm(zone: int, south: bool) -> Callable[[float, float], tuple[float, float]]:
    return lambda x, y: utm_to_wgs84(x, y, zone, south)


PROJECTIONS: dict[str, Callable[[float, float], tuple[float, float]]] = {
    "2154": _LAMBERT93,  # RGF93 / Lambert-93
    **dict.fromkeys(("5490", "4559", "32620"), _utm(20, False)),  # Antilles, UTM 20N
    **dict.fromkeys(("2972", "32622"), _utm(22, False)),  # Guyane, UTM 22N
    **dict.fromkeys(("2975", "32740"), _utm(40, True)),  # La Réunion, UTM 40S
    **dict.fromkeys(("4471", "32738"), _utm(38, True)),  # Mayotte, UTM 38S
    **dict.fromkeys(("4467", "32621"), _utm(21, False)),  # Saint-Pierre-et-Miquelon, UTM 21N
}
UTM_EPSG = {(20, False): "32620", (22, False): "32622", (40, True): "32740"}
UTM_EPSG |= {(38, True): "32738", (21, False): "32621"}
DEFAULT_PROJECTION = {
    "971": "5490",
    "972": "5490",
    "977": "5490",
    "978": "5490",
    "973": "2972",
    "974": "2975",
    "975": "4467",
    "976": "4471",
}
# (longitude min, max, latitude min, max) where an establishment of the area may stand.
METROPOLE = (-5.8, 10.0, 41.0, 51.5)
AREAS = {
    "971": (-63.2, -60.9, 15.8, 18.2),
    "977": (-63.2, -60.9, 15.8, 18.2),
    "978": (-63.2, -60.9, 15.8, 18.2),
    "972": (-61.3, -60.7, 14.3, 15.0),
    "973": (-54.7, -51.5, 2.0, 6.0),
    "974": (55.1, 56.0, -21.5, -20.8),
    "975": (-56.6, -56.0, 46.7, 47.2),
    "976": (44.9, 45.4, -13.1, -12.5),
}
EPSG = re.compile(r"EPSG\s*:\s*([0-9]+)", re.IGNORECASE)
LAMBERT93_NAME = re.compile(r"LAMBERT[\s_-]*93", re.IGNORECASE)
UTM_NAME = re.compile(r"UTM[\s_]*(?:ZONE[\s_]*)?([NS]?)[\s_]*([0-9]{1,2})[\s_]*([NS]?)\b", re.I)
NO_POSITION = "coordonnées absentes, illisibles ou hors de la zone de l'établissement"
UNKNOWN_PROJECTION = "système de coordonnées non reconnu"


class FinessFileError(ValueError):
    """The file is not a FINESS extraction; nothing was imported."""


@dataclass
class FinessReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_chosen: int = 0
    lines: int = 0
    extracted_on: str = ""
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
        chosen = (
            [
                "Non importés (catégories non retenues) : "
                + plural(self.not_chosen, "établissement", "établissements")
            ]
            if self.not_chosen
            else []
        )
        skipped = [
            f"Ignorées : {french_number(count)} — {reason}"
            for reason, count in self.skipped_reasons
        ]
        return chosen + skipped + self.examples

    def skip(self, reason: str, line_number: int | None = None, detail: str = "") -> None:
        self.skipped[reason] += 1
        if line_number is not None and len(self.examples) < MAX_EXAMPLES:
            self.examples.append(
                f"Ligne {line_number} : {reason}{' — ' + detail if detail else ''}"
            )

    def as_json(self) -> dict:
        return {
            "lines": self.lines,
            "extracted_on": self.extracted_on,
            "skipped": dict(self.skipped),
            "examples": self.examples,
        }

    @classmethod
    def from_json(cls, data: dict) -> "FinessReport":
        return cls(
            lines=data.get("lines", 0),
            extracted_on=data.get("extracted_on", ""),
            skipped=Counter(data.get("skipped", {})),
            examples=list(data.get("examples", [])),
        )


def _decode(raw: bytes) -> str:
    # The official file has been published in Latin-1 (Windows-1252) and in UTF-8: decide line
    # by line, so that a file mixing both is still read right.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _fields(line: str) -> list[str]:
    # Read as CSV: a quoted field may hold `;` and doubled quotes, so that the published
    # `"LIEU DE VIE ""MAVOUNA"""` reads `LIEU DE VIE "MAVOUNA"`.
    if '"' not in line:
        return line.split(";")
    return next(csv.reader([line], delimiter=";", quotechar='"', doublequote=True))


def _address(fields: list[str]) -> str:
    street = " ".join(p.strip() for p in (fields[7], fields[8], fields[9], fields[10]) if p.strip())
    return ", ".join(p for p in (street, fields[11].strip()) if p)


def _record(fields: list[str], group: str, mapping, commune_code: str) -> dict:
    public = fields[26].strip() in PUBLIC_SPH
    category = (
        mapping.category if public or not mapping.private_category else mapping.private_category
    )
    sub_type = (
        mapping.sub_type if public or not mapping.private_sub_type else mapping.private_sub_type
    )
    postcode = fields[15].strip()[:5]
    return {
        "group": group,
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
        "category": str(category),
        "sub_type": sub_type,
        "legal_status": str(LegalStatus.PUBLIC) if public else "",
    }


def commune_code(departement: str, commune: str) -> str:
    """The INSEE code of a FINESS (département, commune) pair."""
    departement, commune = departement.strip().upper(), commune.strip()
    if departement in OVERSEAS_DEPARTEMENTS:
        code = OVERSEAS_DEPARTEMENTS[departement] + commune[-2:]
    elif len(departement) == 3:  # « 974 » + « 411 » or « 11 »
        code = departement + commune[-2:]
    elif departement in ("97", "98") and len(commune) == 3:  # « 97 » + « 411 »
        code = departement + commune
    else:
        code = departement.zfill(2) + commune.zfill(3)
    return FORMER_COMMUNE_CODES.get(code, code)


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


def _projection(source: str, commune: str) -> str | None:
    """The EPSG code of the coordinates' projection, or None when it is named but unknown."""
    if match := EPSG.search(source):
        return match.group(1) if match.group(1) in PROJECTIONS else None
    if LAMBERT93_NAME.search(source):
        return "2154"
    if match := UTM_NAME.search(source):
        south = (match.group(1) or match.group(3)).upper() == "S"
        return UTM_EPSG.get((int(match.group(2)), south))
    return DEFAULT_PROJECTION.get(commune[:3], "2154")


def position(
    x_text: str, y_text: str, source: str, commune: str
) -> tuple[tuple[float, float] | None, str]:
    """((longitude, latitude), "") of a FINESS geolocation, or (None, the reason) when the
    projection is unknown or the point is not where the establishment's commune is."""
    epsg = _projection(source, commune)
    if epsg is None:
        return None, UNKNOWN_PROJECTION
    try:
        x, y = float(x_text), float(y_text)
    except ValueError:
        return None, NO_POSITION
    if not (math.isfinite(x) and math.isfinite(y)) or abs(x) > 1e8 or abs(y) > 1e8:
        return None, NO_POSITION
    try:
        longitude, latitude = PROJECTIONS[epsg](x, y)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None, NO_POSITION
    area = AREAS.get(commune[:3]) if commune.startswith(("97", "98")) else METROPOLE
    if area is None or not (area[0] <= longitude <= area[1] and area[2] <= latitude <= area[3]):
        return None, NO_POSITION
    return (longitude, latitude), ""


def read_header(stream: BinaryIO) -> re.Match:
    """Read the file's first line (once); refuse a file that is not a FINESS extraction."""
    first = stream.readline(MAX_LINE_BYTES)
    if first.startswith(UTF8_BOM):
        first = first[len(UTF8_BOM) :]
    match = HEADER.match(_decode(first).lstrip("\ufeff"))
    if match is None:
        raise FinessFileError(
            "Ce fichier n'est pas une extraction FINESS : la première ligne doit commencer par "
            "« finess;etalab; ». Téléchargez le fichier « FINESS Extraction du Fichier des "
            "établissements » (etalab-cs1100507-stock-….csv ou etalab-cs1100502-stock-….csv) "
            "sur data.gouv.fr."
        )
    return match


def check_header(stream: BinaryIO) -> None:
    """Refuse, before anything is queued, a file that is not a FINESS extraction."""
    read_header(stream)


def read_finess(
    stream: BinaryIO,
    commune_codes: set[str],
    report: FinessReport,
    progress: Callable[[int, int, str], None] | None = None,
    size: int = 0,
) -> dict[str, dict]:
    """The territory's establishments of the PTSM categories found in a FINESS file, keyed by
    FINESS ET. Line numbers in the report are the file's own (the header is line 1)."""
    header = read_header(stream)
    report.extracted_on = header.group("date") or ""
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
        fields = _fields(line)
        section = fields[0].strip()
        if section == "structureet":
            _read_structure(fields, number, commune_codes, records, report)
        elif section == "geolocalisation":
            _read_geolocation(fields, number, records, report)
        else:
            report.skip("type de ligne inconnu", number, f"« {section[:30]} »")
    return records


def _read_structure(fields, number, commune_codes, records, report) -> None:
    if len(fields) < STRUCTURE_FIELDS:
        report.skip(
            "ligne malformée", number, f"{len(fields)} champs au lieu de {STRUCTURE_FIELDS}"
        )
        return
    finess = fields[1].strip()
    if not FINESS_PATTERN.match(finess):
        report.skip("numéro FINESS invalide", number, f"« {finess[:20]} »")
        return
    commune = commune_code(fields[13], fields[12])
    if commune not in commune_codes:
        report.skip(OUTSIDE)
        return
    found = FINESS_CATEGORIES.get(fields[18].strip())
    if found is None:
        report.skip(OUT_OF_SCOPE)
        return
    group, mapping = found
    records[finess] = _record(fields, group, mapping, commune)


def _read_geolocation(fields, number, records, report) -> None:
    if len(fields) < GEOLOCATION_FIELDS - 1:  # the last field (datemaj) may be missing
        report.skip("ligne de géolocalisation malformée", number)
        return
    record = records.get(fields[1].strip())
    if record is None:
        return  # an establishment outside the territory or the PTSM categories
    found, reason = position(fields[2], fields[3], fields[4], record["commune_id"])
    if found is None:
        report.skip(reason, number, f"« {fields[2][:20]} ; {fields[3][:20]} »")
        return
    record["longitude"], record["latitude"] = found


# Writing --------------------------------------------------------------------------------------

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


def _commune_codes(project) -> set[str]:
    return set(territory_communes(project.territory).values_list("code", flat=True))


def import_finess(
    *, project, stream: BinaryIO, progress=None, size: int = 0, groups=None
) -> FinessReport:
    """Read the file and write at once the establishments of `groups` (every group when None)."""
    report = FinessReport()
    records = read_finess(stream, _commune_codes(project), report, progress, size)
    if progress is not None:
        progress(size, size, "Enregistrement des établissements")
    with transaction.atomic():
        _write(project, _chosen(records.values(), groups, report), report)
    return report


def analyse_finess(
    *, project, user, stream: BinaryIO, file_name: str, progress=None, size: int = 0
) -> PendingFinessImport:
    """Read the file and keep the territory's establishments until the user chooses the groups
    to import. A new analysis replaces the user's previous one for the project."""
    report = FinessReport()
    records = read_finess(stream, _commune_codes(project), report, progress, size)
    with transaction.atomic():
        PendingFinessImport.objects.filter(project=project, user=user).delete()
        pending = PendingFinessImport(
            project=project,
            user=user,
            file_name=file_name[:255],
            records=list(records.values()),
            report=report.as_json(),
        )
        pending.full_clean()
        pending.save()
    return pending


@dataclass(frozen=True)
class CategoryCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class GroupChoice:
    key: str
    label: str
    count: int
    default: bool
    categories: list[CategoryCount]

    @property
    def count_label(self) -> str:
        return plural(self.count, "établissement", "établissements")


@dataclass(frozen=True)
class HeadingChoices:
    label: str
    groups: list[GroupChoice]


def finess_choices(pending: PendingFinessImport) -> list[HeadingChoices]:
    """The groups of categories found in the territory, under their ANAP category, with the
    number of establishments of each FINESS category (groups with none are left out)."""
    counts = Counter(record["finess_category"] for record in pending.records)
    headings: dict[str, list[GroupChoice]] = {}
    for group in GROUPS:
        categories = [
            CategoryCount(code, label, counts[code])
            for code, label in group.codes.items()
            if counts[code]
        ]
        if categories:
            headings.setdefault(group.heading, []).append(
                GroupChoice(
                    key=group.key,
                    label=group.label,
                    count=sum(c.count for c in categories),
                    default=group.default,
                    categories=categories,
                )
            )
    return [HeadingChoices(label, groups) for label, groups in headings.items()]


def import_pending_finess(*, pending: PendingFinessImport, groups: list[str]) -> FinessReport:
    """Write the chosen groups' establishments in one transaction; the pending analysis is
    consumed (a second run finds it gone: `AlreadyDone`)."""
    unknown = set(groups) - set(GROUPS_BY_KEY)
    if unknown:
        raise ValueError(f"Unknown FINESS groups: {sorted(unknown)}")
    with transaction.atomic():
        locked = PendingFinessImport.objects.select_for_update().filter(pk=pending.pk).first()
        if locked is None:
            raise AlreadyDone("Cet import FINESS a déjà été enregistré.")
        report = FinessReport.from_json(locked.report)
        _write(locked.project, _chosen(locked.records, groups, report), report)
        locked.delete()
    return report


def _chosen(records, groups, report: FinessReport) -> dict[str, dict]:
    chosen = {}
    for record in records:
        if groups is None or record["group"] in groups:
            chosen[record["finess_et"]] = record
        else:
            report.not_chosen += 1
    return chosen


def _write(project, records: dict[str, dict], report: FinessReport) -> None:
    existing = {
        o.finess_et: o
        for o in Organisation.objects.filter(project=project, finess_et__in=list(records))
    }
    to_create, to_update = [], []
    for finess, record in records.items():
        values = {name: value for name, value in record.items() if name != "group"}
        organisation = existing.get(finess)
        if organisation is None:
            to_create.append(Organisation(project=project, source=Source.FINESS, **values))
            continue
        fields = UPDATABLE + (FINESS_OWNED if organisation.source == Source.FINESS else [])
        changed = [f for f in fields if f in values and getattr(organisation, f) != values[f]]
        if changed:
            for name in changed:
                setattr(organisation, name, values[name])
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
