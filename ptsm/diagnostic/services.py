"""Writes of the diagnostic app: values (computed, typed, imported), findings, validation."""

import hashlib
import json
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ptsm.governance.validation import record_validation
from ptsm.projects.services import record_method_event

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
    masked_value,
)
from .selectors import computed_values

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


@transaction.atomic
def compute_values(*, project, year: int | None = None) -> int:
    """Store the computed indicators (referential and directory) for `year`, for the territory
    and the comparison levels, in a bounded number of queries whatever the size of the
    territory. Pages do not need it (they compute the current values on read, see
    `selectors.computed_values`): it keeps a year's figures as part of the series."""
    year = year or timezone.localdate().year
    now = timezone.now()
    rows = []
    for value in computed_values(project, year=year):
        value.updated_at = now
        rows.append(value)
    # One upsert for all computed values (the unique key is project, indicator, level, year).
    IndicatorValue.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["project", "indicator", "level", "year"],
        update_fields=["value", "masked", "source", "computed", "updated_at"],
    )
    return len(rows)


# Catalogue --------------------------------------------------------------------------------------


def _own(indicator: Indicator, project) -> None:
    if indicator.project_id != project.pk:
        raise ValidationError(
            "Les indicateurs du catalogue ANAP ne peuvent être ni modifiés ni supprimés : "
            "ajoutez plutôt un indicateur propre au projet."
        )


@transaction.atomic
def create_indicator(*, project, indicator: Indicator) -> Indicator:
    """Add an indicator to the project's own catalogue, with a code of its own (P<project>-<n>)."""
    indicator.project = project
    taken = Indicator.objects.filter(code__startswith=f"P{project.pk}-").values_list(
        "code", flat=True
    )
    numbers = [int(c.rsplit("-", 1)[1]) for c in taken if c.rsplit("-", 1)[1].isdigit()]
    indicator.code = Indicator.project_code(project.pk, max(numbers, default=0) + 1)
    indicator.computed = ""
    indicator.order = 1000 + max(numbers, default=0) + 1  # after the ANAP ones of its grid
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def update_indicator(*, project, indicator: Indicator) -> Indicator:
    stored = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _own(stored, project)
    indicator.project, indicator.code, indicator.computed = project, stored.code, ""
    indicator.full_clean()
    indicator.save()
    if indicator.is_count and not stored.is_count:
        # Becoming a count: the small figures already stored are masked now.
        for model in (IndicatorValue, CommuneIndicatorValue):
            model.objects.filter(indicator=indicator, value__lt=SMALL_COUNT_THRESHOLD).update(
                value=None, masked=True
            )
    return indicator


@transaction.atomic
def delete_indicator(*, project, indicator: Indicator) -> None:
    """Delete one of the project's own indicators with its values."""
    _own(indicator, project)
    indicator.delete()


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


def purge_expired_indicator_imports(*, now=None, dry_run: bool = False) -> int:
    """The retention purge (cron, `purge_personal_data`): indicator tables uploaded and never
    committed, past PTSM_PENDING_IMPORT_RETENTION_DAYS. Returns how many (would) go."""
    from .imports import expired_pending, purge_expired_pending

    return expired_pending(now=now).count() if dry_run else purge_expired_pending(now=now)
