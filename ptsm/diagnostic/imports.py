"""Indicator files as public producers publish them, in the long format: one row per territory ×
year × breakdown (Santé publique France Odissé/Géodes, INSEE, DREES…). The user maps the columns
(indicator, territory column and level, year, value) and fixes the other breakdowns (« Tous âges »,
« Hommes et femmes »); the rows of the project's territory and comparison levels are kept, the
others are counted and ignored. `preview` writes nothing; `commit` re-reads the same table with
the same mapping and writes all values or none."""

import datetime as dt
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ptsm.core.formatting import plural
from ptsm.territories.models import Departement, Region
from ptsm.territories.selectors import territory_communes

from .models import (
    CommuneIndicatorValue,
    Indicator,
    IndicatorValue,
    Level,
    PendingIndicatorImport,
    masked_value,
)

MAX_SOURCE_CHARS = 200
MAX_ERRORS_SHOWN = 30
MAX_BREAKDOWN_VALUES = 60  # a column with more distinct values is a measure or a label


class TerritoryLevel:
    DEPARTEMENT = "departement"
    COMMUNE = "commune"
    REGION = "region"
    CHOICES = [
        (DEPARTEMENT, "Département (code ou nom)"),
        (COMMUNE, "Commune (code INSEE)"),
        (REGION, "Région (code ou nom)"),
    ]


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by one space: « Année » == « annee » == « ANNEE »."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[^a-z0-9+]+", plain)).strip()


YEAR_HEADERS = {"annee", "an", "annees", "year", "millesime", "periode", "date"}
TERRITORY_HEADERS = {
    TerritoryLevel.DEPARTEMENT: {
        "num departement",
        "num dep",
        "dep",
        "code dep",
        "code departement",
        "departement",
        "dept",
        "code dept",
        "cod dep",
        "geo dep",
    },
    TerritoryLevel.COMMUNE: {
        "com",
        "codgeo",
        "code commune",
        "depcom",
        "code insee",
        "insee com",
        "code com",
        "cod com",
    },
    TerritoryLevel.REGION: {"reg", "code reg", "num region", "code region", "region", "num reg"},
}
# Headers of columns that hold a figure (another measure), never a breakdown to fix.
MEASURE_WORDS = (
    "taux",
    "nombre",
    "nb",
    "effectif",
    "valeur",
    "part",
    "pourcentage",
    "indice",
    "ic",
    "borne",
    "population",
    "pop",
    "densite",
    "ratio",
    "moyenne",
    "rapport",
)
# Labels (« libgeo », « lib_reg »…) follow the territory: never a breakdown.
LABEL_PREFIXES = ("lib", "nom", "intitule", "libelle")
# The breakdown value meaning « everyone », proposed by default.
TOTAL_VALUES = (
    "tous ages",
    "tout age",
    "tous sexes",
    "hommes et femmes",
    "les deux sexes",
    "deux sexes",
    "ensemble",
    "total",
    "tous",
    "toutes",
    "h+f",
    "hf",
)
FRANCE_VALUES = {"fr", "fra", "france", "france entiere", "fe", "fxx", "ensemble france"}
MASKED_VALUES = {"s", "secret", "<11", "< 11", "c", "confidentiel"}
MISSING_VALUES = {"", "na", "nd", "n d", "n.d.", "-", "–", "—", "nan", "null", ".", "..."}


def _column(headers: list[str], names: set[str]) -> int | None:
    for index, header in enumerate(headers):
        if normalise(header) in names:
            return index
    return None


def _is_measure(header: str) -> bool:
    words = normalise(header).split()
    return any(w in MEASURE_WORDS or w.startswith(MEASURE_WORDS[:4]) for w in words)


def _is_label(header: str) -> bool:
    return normalise(header).replace(" ", "").startswith(LABEL_PREFIXES)


def parse_number(text: str) -> float:
    """A French or international number: « 1 234,5 », « 2,5 », « 9.0 », « 1.234,5 ». Raises
    ValueError."""
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text)
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):  # 1.234,5
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:  # 1,234.5
            cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
PERIOD = re.compile(r"^(\d{4})\s*(?:-|–|/|à|a)\s*(\d{4})$")


def parse_year(text: str) -> tuple[int, str]:
    """(year, period note): « 2022 » → (2022, ""); « 2015-2017 » → (2017, "période 2015-2017").
    Raises ValueError."""
    text = text.strip()
    if match := YEAR.match(text):
        year, note = int(match[1]), ""
    elif match := PERIOD.match(text):
        year, note = int(match[2]), f"période {match[1]}-{match[2]}"
        if int(match[1]) > year:
            raise ValueError(text)
    else:
        raise ValueError(text)
    if not 1990 <= year <= 2100:
        raise ValueError(text)
    return year, note


@dataclass
class Mapping:
    indicator: Indicator
    territory_column: int
    territory_level: str
    year_column: int
    value_column: int
    filters: dict[int, str] = field(default_factory=dict)  # column → the value kept
    source: str = ""


@dataclass
class Guess:
    territory_column: int | None
    territory_level: str
    year_column: int | None
    value_column: int | None


def guess_mapping(headers: list[str], rows: list[list[str]]) -> Guess:
    """The columns the headers name (accents, case and punctuation ignored)."""
    territory_column, territory_level = None, TerritoryLevel.DEPARTEMENT
    for level, names in TERRITORY_HEADERS.items():
        index = _column(headers, names)
        if index is not None:
            territory_column, territory_level = index, level
            break
    year_column = _column(headers, YEAR_HEADERS)
    if year_column is None:
        year_column = next(
            (i for i, h in enumerate(headers) if normalise(h).startswith("annee")), None
        )
    value_column = None
    taken = {territory_column, year_column}
    numeric = [
        i
        for i in range(len(headers))
        if i not in taken and _mostly_numbers(rows, i) and not _is_label(headers[i])
    ]
    measures = [i for i in numeric if _is_measure(headers[i])]
    if measures or numeric:
        value_column = (measures or numeric)[0]
    return Guess(territory_column, territory_level, year_column, value_column)


def _mostly_numbers(rows: list[list[str]], index: int) -> bool:
    sample = [r[index] for r in rows[:200] if index < len(r) and r[index].strip()]
    if not sample:
        return False
    numbers = 0
    for cell in sample:
        try:
            parse_number(cell)
            numbers += 1
        except ValueError:
            pass
    return numbers >= 0.8 * len(sample)


def breakdown_columns(
    headers: list[str], rows: list[list[str]], *, territory: int, year: int, value: int
) -> dict[int, list[str]]:
    """Columns that split a territory's year into several rows (age class, sex…), with their
    values in the file's order: the user keeps one value of each."""
    result = {}
    for index, header in enumerate(headers):
        if index in (territory, year, value) or _is_label(header) or _is_measure(header):
            continue
        values: dict[str, None] = {}
        groups: dict[tuple[str, str], set[str]] = defaultdict(set)
        varies = False
        for row in rows:
            cell = row[index].strip() if index < len(row) else ""
            values.setdefault(cell)
            if len(values) > MAX_BREAKDOWN_VALUES:
                break
            group = groups[(row[territory], row[year])]
            group.add(cell)
            varies = varies or len(group) > 1
        if varies and len(values) <= MAX_BREAKDOWN_VALUES:
            result[index] = list(values)
    return result


def total_value(values: list[str]) -> str:
    """The value that means « everyone » (« Tous âges », « Hommes et femmes »…), or ""."""
    for wanted in TOTAL_VALUES:
        for value in values:
            if normalise(value) == wanted or normalise(value).startswith(wanted + " "):
                return value
    return ""


# Where the rows go ------------------------------------------------------------------------------


@dataclass
class Target:
    level: str  # a Level, or "commune"
    commune: str = ""


def _code(text: str) -> str:
    """« 29 », « 29 - Finistère », « 2A » → the code part, upper case."""
    return re.split(r"\s+[-–]\s+", text.strip(), maxsplit=1)[0].strip().upper()


def targets(project, territory_level: str) -> dict[str, list[Target]]:
    """Normalised territory code or name → where its rows are stored for this project."""
    result: dict[str, list[Target]] = {value: [Target(Level.FRANCE)] for value in FRANCE_VALUES}
    communes = territory_communes(project.territory)
    if territory_level == TerritoryLevel.COMMUNE:
        for code in communes.values_list("code", flat=True):
            result[code.lower()] = [Target("commune", code)]
        return result
    if territory_level == TerritoryLevel.REGION:
        region = Region.objects.filter(code=project.region_id).first()
        if region:
            result[region.code.lower()] = result[normalise(region.name)] = [Target(Level.REGION)]
        return result
    by_departement = Counter(communes.values_list("departement_id", flat=True))
    if not by_departement:
        return result
    reference = max(by_departement, key=by_departement.get)
    departement = Departement.objects.get(code=reference)
    kept = [Target(Level.DEPARTEMENT)]
    # A territory made of that whole département: its figure is the territory's.
    if len(by_departement) == 1 and departement.communes.count() == by_departement[reference]:
        kept.append(Target(Level.TERRITORY))
    result[departement.code.lower()] = result[normalise(departement.name)] = kept
    return result


def _territory_key(text: str, territory_level: str) -> list[str]:
    code = _code(text)
    keys = [code.lower(), normalise(text)]
    if code.isdigit() and territory_level == TerritoryLevel.DEPARTEMENT and len(code) == 1:
        keys.append(code.zfill(2))  # « 1 » for « 01 », a leading zero lost in a spreadsheet
    if code.isdigit() and territory_level == TerritoryLevel.COMMUNE and len(code) == 4:
        keys.append(code.zfill(5).lower())
    return keys


# Preview ----------------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    target: Target
    year: int
    value: float | None
    masked: bool
    source: str


@dataclass
class Preview:
    mapping: Mapping
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    other_territories: int = 0
    other_breakdowns: int = 0
    replaced: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def masked(self) -> int:
        return sum(r.masked for r in self.rows)

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})

    @property
    def table(self) -> list[tuple[str, list[str]]]:
        """(level label, value shown for each year) — what the diagnostic will show."""
        from .selectors import display

        labels = dict(Level.choices) | {"commune": "Communes du territoire"}
        by_level: dict[str, dict[int, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for row in self.rows:
            by_level[row.target.level][row.year].append(row)
        lines = []
        for level in [*Level.values, "commune"]:
            if level not in by_level:
                continue
            cells = []
            for year in self.years:
                found = by_level[level].get(year, [])
                if level == "commune":
                    cells.append(plural(len(found), "commune", "communes") if found else "—")
                elif found:
                    r = found[0]
                    cells.append(display(IndicatorValue(value=r.value, masked=r.masked)))
                else:
                    cells.append("—")
            lines.append((labels[level], cells))
        return lines

    @property
    def summary(self) -> list[str]:
        parts = [
            plural(len(self.rows), "valeur à enregistrer", "valeurs à enregistrer"),
            plural(
                self.other_territories,
                "ligne d'un autre territoire ignorée",
                "lignes d'autres territoires ignorées",
            ),
        ]
        if self.other_breakdowns:
            parts.append(
                plural(
                    self.other_breakdowns,
                    "ligne d'une autre ventilation ignorée",
                    "lignes d'autres ventilations ignorées",
                )
            )
        if self.masked:
            parts.append(
                plural(
                    self.masked,
                    "effectif inférieur à 11 masqué",
                    "effectifs inférieurs à 11 masqués",
                )
            )
        if self.replaced:
            parts.append(
                plural(
                    self.replaced,
                    "valeur déjà enregistrée remplacée",
                    "valeurs déjà enregistrées remplacées",
                )
            )
        return parts


def _source(mapping: Mapping, headers: list[str], note: str) -> str:
    details = [f"{headers[c]} : {v}" for c, v in mapping.filters.items() if v]
    if note:
        details.append(note)
    source = (mapping.source or mapping.indicator.source).strip()
    if details:
        source = f"{source} ({' ; '.join(details)})"
    return source[:MAX_SOURCE_CHARS]


def preview(*, project, headers: list[str], rows: list[list[str]], mapping: Mapping) -> Preview:
    """Check every row with the mapping; nothing is written."""
    result = Preview(mapping)
    indicator = mapping.indicator
    if indicator.computed:
        result.errors.append(
            f"« {indicator.label} » est calculé par ptsm à partir du référentiel ou de "
            "l'annuaire : il ne s'importe pas."
        )
        return result
    if (
        mapping.territory_level == TerritoryLevel.COMMUNE
        and normalise(indicator.geographic_level) != "commune"
    ):
        result.errors.append(
            f"« {indicator.label} » n'est pas disponible à la commune (niveau le plus fin : "
            f"{indicator.geographic_level}) : choisissez un autre indicateur ou un autre niveau."
        )
        return result
    columns = {mapping.territory_column, mapping.year_column, mapping.value_column}
    if len(columns) < 3:
        result.errors.append(
            "Le territoire, l'année et la valeur doivent être trois colonnes différentes."
        )
        return result
    where = targets(project, mapping.territory_level)
    seen: dict[tuple[str, str, int], int] = {}
    unfixed: list[str] | None = None  # breakdowns left open, found when a duplicate shows them
    for line, row in enumerate(rows, start=2):
        if any(row[c].strip() != v for c, v in mapping.filters.items() if v):
            result.other_breakdowns += 1
            continue
        kept = next(
            (
                where[k]
                for k in _territory_key(row[mapping.territory_column], mapping.territory_level)
                if k in where
            ),
            None,
        )
        if kept is None:
            result.other_territories += 1
            continue
        errors = []
        year_text = row[mapping.year_column]
        try:
            year, note = parse_year(year_text)
        except ValueError:
            errors.append(f"année invalide « {year_text[:20]} »")
            year, note = 0, ""
        value_text = row[mapping.value_column].strip()
        value, masked = None, False
        if normalise(value_text) in MASKED_VALUES or value_text in MASKED_VALUES:
            masked = True
        elif value_text.lower() not in MISSING_VALUES:
            try:
                value = parse_number(value_text)
            except ValueError:
                errors.append(f"valeur non numérique « {value_text[:30]} »")
            else:
                if value < 0:
                    errors.append("valeur négative")
                elif indicator.unit == "%" and value > 100:
                    errors.append("pourcentage supérieur à 100")
        for target in kept:
            key = (target.level, target.commune, year)
            if key in seen and not errors:
                if unfixed is None:
                    found = breakdown_columns(
                        headers,
                        rows,
                        territory=mapping.territory_column,
                        year=mapping.year_column,
                        value=mapping.value_column,
                    )
                    unfixed = [headers[c] for c in found if not mapping.filters.get(c)]
                hint = (
                    f" : choisissez une valeur pour « {'», « '.join(unfixed)} »"
                    if unfixed
                    else " : le fichier contient deux valeurs pour ce territoire et cette année"
                )
                errors.append(f"même territoire et même année que la ligne {seen[key]}{hint}")
                break
            seen.setdefault(key, line)
        if errors:
            if len(result.errors) < MAX_ERRORS_SHOWN:
                result.errors.append(f"Ligne {line} : " + ", ".join(errors) + ".")
            elif len(result.errors) == MAX_ERRORS_SHOWN:
                result.errors.append("… et d'autres lignes en erreur.")
            continue
        if not masked:
            value, masked = masked_value(indicator, value)
        for target in kept:
            result.rows.append(
                Row(line, target, year, value, masked, _source(mapping, headers, note))
            )
    if not result.rows and not result.errors:
        result.errors.append(
            "Aucune ligne ne concerne le territoire du projet, son département, sa région ou la "
            "France : vérifiez la colonne du territoire et son niveau."
        )
    result.replaced = _existing(project, indicator, result.rows)
    return result


def _existing(project, indicator, rows: list[Row]) -> int:
    years = {r.year for r in rows}
    levels = {r.target.level for r in rows if r.target.level != "commune"}
    count = 0
    if levels:
        stored = set(
            IndicatorValue.objects.filter(
                project=project, indicator=indicator, level__in=levels, year__in=years
            ).values_list("level", "year")
        )
        count += sum((r.target.level, r.year) in stored for r in rows)
    if any(r.target.level == "commune" for r in rows):
        stored = set(
            CommuneIndicatorValue.objects.filter(
                project=project, indicator=indicator, year__in=years
            ).values_list("commune_id", "year")
        )
        count += sum((r.target.commune, r.year) in stored for r in rows)
    return count


# Commit -----------------------------------------------------------------------------------------


@transaction.atomic
def commit(*, project, pending: PendingIndicatorImport, mapping: Mapping) -> Preview:
    """Check the whole table again with the mapping, then write every value or none."""
    result = preview(project=project, headers=pending.headers, rows=pending.rows, mapping=mapping)
    if not result.is_valid:
        raise ValidationError(result.errors or ["Aucune valeur à importer."])
    indicator = mapping.indicator
    for row in result.rows:
        defaults = {"value": row.value, "masked": row.masked, "source": row.source}
        if row.target.level == "commune":
            CommuneIndicatorValue.objects.update_or_create(
                project=project,
                indicator=indicator,
                commune_id=row.target.commune,
                year=row.year,
                defaults=defaults,
            )
        else:
            IndicatorValue.objects.update_or_create(
                project=project,
                indicator=indicator,
                level=row.target.level,
                year=row.year,
                defaults=defaults | {"computed": False},
            )
    pending.delete()
    return result


@transaction.atomic
def save_pending(*, project, user, file_name: str, headers, rows) -> PendingIndicatorImport:
    """Keep an uploaded table for its mapping; the user's previous pending table goes."""
    PendingIndicatorImport.objects.filter(project=project, user=user).delete()
    return PendingIndicatorImport.objects.create(
        project=project, user=user, file_name=file_name[:255], headers=headers, rows=rows
    )


def expired_pending(*, now: dt.datetime | None = None):
    """Indicator tables uploaded and never committed, past the pending imports' retention
    (PTSM_PENDING_IMPORT_RETENTION_DAYS, as the directory's)."""
    limit = (now or timezone.now()) - dt.timedelta(days=settings.PTSM_PENDING_IMPORT_RETENTION_DAYS)
    return PendingIndicatorImport.objects.filter(created_at__lt=limit)


def purge_expired_pending(*, now: dt.datetime | None = None) -> int:
    deleted, _ = expired_pending(now=now).delete()
    return deleted
