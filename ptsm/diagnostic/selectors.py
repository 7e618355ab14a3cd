"""Reads of the diagnostic app: indicator tables, door pages, charts and the report's content."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, Sum
from django.utils import timezone

from ptsm.core.anap import ENTRY_DOOR_PRIORITIES, EntryDoor
from ptsm.core.formatting import french_number, plural
from ptsm.organisations.categories import Category
from ptsm.organisations.models import Organisation
from ptsm.roadmap.models import Action
from ptsm.territories.models import Commune
from ptsm.territories.selectors import territory_communes

from .models import (
    DIRECTORY_COMPUTATIONS,
    CommuneIndicatorValue,
    DiagnosticVersion,
    Finding,
    FindingKind,
    Grid,
    Indicator,
    IndicatorValue,
    Level,
    Priority,
    masked_value,
)

MISSING = "Valeur manquante"
MASKED = "< 11"
LEVELS = [Level.TERRITORY, Level.DEPARTEMENT, Level.REGION, Level.FRANCE]
REFERENTIAL_SOURCE = "INSEE, IGN (référentiel territorial de ptsm)"
DIRECTORY_SOURCE = "Annuaire du projet (ptsm) : estimation, pas une statistique officielle"


def display(value: IndicatorValue | None) -> str:
    """How a value is shown everywhere (pages, exports, documents): small counts never appear."""
    if value is None or (value.value is None and not value.masked):
        return MISSING
    if value.masked:
        return MASKED
    decimals = 0 if float(value.value).is_integer() else 1
    return french_number(value.value, decimals)


@dataclass
class IndicatorRow:
    """An indicator with its latest value per level (`values`) and every year stored
    (`history`, oldest first). Each value keeps its own year and source."""

    indicator: Indicator
    values: dict[str, IndicatorValue] = field(default_factory=dict)
    history: dict[str, list[IndicatorValue]] = field(default_factory=dict)

    def add(self, value: IndicatorValue) -> None:
        """Values must come oldest first: a later year replaces the latest one."""
        series = self.history.setdefault(value.level, [])
        if series and series[-1].year == value.year:
            series[-1] = value
        else:
            series.append(value)
        self.values[value.level] = value

    @property
    def years(self) -> list[int]:
        """Every year with a value at some level, oldest first."""
        return sorted({v.year for series in self.history.values() for v in series})

    @property
    def single_year(self) -> bool:
        return len({v.year for v in self.values.values()}) <= 1

    def cell(self, level: str) -> str:
        """The latest value of the level; with its year when the levels' years differ, so that
        a value is never read under another year than its own."""
        value = self.values.get(level)
        text = display(value)
        if value is not None and text != MISSING and not self.single_year:
            text = f"{text} ({value.year})"
        return text

    @property
    def cells(self) -> list[str]:
        return [self.cell(level) for level in LEVELS]

    @property
    def year(self) -> str:
        years = sorted({v.year for v in self.values.values()})
        return ", ".join(map(str, years)) if years else "—"

    @property
    def source(self) -> str:
        sources = []
        for level in LEVELS:
            value = self.values.get(level)
            source = (value.source if value else "") or (self.indicator.source if value else "")
            if source and source not in sources:
                sources.append(source)
        return " ; ".join(sources) or self.indicator.source

    @property
    def missing(self) -> bool:
        return Level.TERRITORY not in self.values

    @property
    def latest(self) -> list[dict]:
        """Each level's latest value with its own year and source."""
        result = []
        for level in LEVELS:
            value = self.values.get(level)
            result.append(
                {
                    "label": Level(level).label,
                    "text": display(value),
                    "year": value.year if value else None,
                    "source": (value.source or self.indicator.source) if value else "",
                }
            )
        return result

    @property
    def series(self) -> list[tuple[int, list[str]]]:
        """(year, the value of each level that year) for every year stored, latest first."""
        by_year = {(v.level, v.year): v for series in self.history.values() for v in series}
        return [
            (
                year,
                [
                    display(by_year[(level, year)]) if (level, year) in by_year else "—"
                    for level in LEVELS
                ],
            )
            for year in reversed(self.years)
        ]


def _reference_departement(communes) -> str | None:
    row = communes.values("departement_id").annotate(n=Sum("population")).order_by("-n").first()
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


def computed_values(
    project, *, year: int | None = None, indicators: list[Indicator] | None = None
) -> list[IndicatorValue]:
    """The computed indicators as they are now (unsaved values of `year`, this year by default):
    from the territorial referential for the territory and its comparison levels, from the
    project's directory for the territory. Read on every page, so that they follow the
    territory and the directory without anyone pressing a button; a fixed number of queries
    whatever the size of the territory (none when no computed indicator is asked for)."""
    if indicators is None:
        indicators = list(Indicator.objects.exclude(computed=""))
    by_key = {i.computed: i for i in indicators if i.computed}
    if not by_key:
        return []
    year = year or timezone.localdate().year
    communes = territory_communes(project.territory)
    levels = {Level.TERRITORY: _figures(communes)}
    departement = _reference_departement(communes)
    if departement:
        levels[Level.DEPARTEMENT] = _figures(Commune.objects.filter(departement_id=departement))
    levels[Level.REGION] = _figures(
        Commune.objects.filter(departement__region_id=project.region_id)
    )
    levels[Level.FRANCE] = _figures(Commune.objects.all())
    if by_key.keys() & DIRECTORY_COMPUTATIONS:
        organisations = Organisation.objects.filter(project=project).aggregate(
            total=Count("pk"),
            mental_health=Count("pk", filter=Q(mental_health=True)),
            medico_social=Count("pk", filter=Q(category=Category.MEDICO_SOCIAL)),
        )
        population = levels[Level.TERRITORY]["population"] or 1
        levels[Level.TERRITORY] |= {
            "organisations": organisations["total"],
            "mental_health_per_100k": round(
                organisations["mental_health"] * 100_000 / population, 1
            ),
            "medico_social_per_100k": round(
                organisations["medico_social"] * 100_000 / population, 1
            ),
        }
    values = []
    for level, figures in levels.items():
        for key, figure in figures.items():
            indicator = by_key.get(key)
            if indicator is None:
                continue
            stored, masked = masked_value(indicator, figure)
            values.append(
                IndicatorValue(
                    project=project,
                    indicator=indicator,
                    level=level,
                    year=year,
                    value=stored,
                    masked=masked,
                    source=DIRECTORY_SOURCE if indicator.from_directory else REFERENTIAL_SOURCE,
                    computed=True,
                )
            )
    return values


def indicator_rows(
    project, *, grid: str | None = None, door: int | None = None, code: str | None = None
) -> list[IndicatorRow]:
    """The project's catalogue (ANAP and its own indicators), each with every value stored and
    the computed ones as they are now, in a fixed number of queries whatever the years."""
    indicators = Indicator.objects.for_project(project)
    if grid:
        indicators = indicators.filter(grid=grid)
    if door:
        indicators = indicators.filter(entry_door=door)
    if code:
        indicators = indicators.filter(code=code)
    rows = {i.pk: IndicatorRow(i) for i in indicators}
    values = IndicatorValue.objects.filter(project=project, indicator_id__in=list(rows)).order_by(
        "year", "pk"
    )
    live = computed_values(project, indicators=[r.indicator for r in rows.values()])
    live_keys = {(v.indicator_id, v.level, v.year) for v in live}
    merged = [v for v in values if (v.indicator_id, v.level, v.year) not in live_keys] + live
    for value in sorted(merged, key=lambda v: v.year):  # stable: same-year order kept
        rows[value.indicator_id].add(value)
    return list(rows.values())


def grids(project) -> list[tuple[str, list[IndicatorRow]]]:
    rows = indicator_rows(project)
    return [
        (label, [r for r in rows if r.indicator.grid == value]) for value, label in Grid.choices
    ]


def findings(project, door: int | None = None):
    result = (
        Finding.objects.filter(project=project)
        .select_related("working_group")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("order")),
            Prefetch(
                "actions", queryset=Action.objects.select_related("objective__theme__orientation")
            ),
        )
    )
    return result.filter(entry_door=door) if door else result


@dataclass
class DoorView:
    door: EntryDoor
    findings_by_kind: list[tuple[str, list[Finding]]]
    priorities: list[Finding]
    indicators: list[IndicatorRow]
    decree_priorities: list[str]


def door_view(project, door: int) -> DoorView:
    door_findings = list(findings(project, door))
    return DoorView(
        door=EntryDoor(door),
        findings_by_kind=[
            (label, [f for f in door_findings if f.kind == value])
            for value, label in FindingKind.choices
        ],
        priorities=sorted(
            (f for f in door_findings if f.priority_rank), key=lambda f: f.priority_rank
        ),
        indicators=indicator_rows(project, door=door),
        decree_priorities=ENTRY_DOOR_PRIORITIES[door],
    )


def identity_card_rows(project) -> list[list[str]]:
    """The territory's identity card as (indicator, value) rows — the values the diagnostic holds,
    shown the same way in the diagnostic, the framing letter and the commitment letters."""
    return [
        [f"{row.indicator.label} ({row.indicator.unit})", row.cell(Level.TERRITORY)]
        for row in indicator_rows(project, grid=Grid.TERRITORY)
        # Counts of the project's own directory are no official figure of the territory.
        if not row.missing and not row.indicator.from_directory
    ]


def priority_labels(codes: list[str]) -> list[str]:
    labels = dict(Priority.choices)
    return [labels.get(code, code) for code in codes]


def report_content(project) -> dict:
    """The diagnostic as plain data: for the report, the validation snapshot and other letters."""
    rows = indicator_rows(project)
    all_findings = list(findings(project))
    return {
        "grids": [
            {
                "title": label,
                "rows": [
                    {
                        "code": r.indicator.code,
                        "label": r.indicator.label,
                        "unit": r.indicator.unit,
                        "cells": r.cells,
                        "year": r.year,
                        "source": r.source,
                        "definition_version": r.indicator.definition_version,
                    }
                    for r in rows
                    if r.indicator.grid == value
                ],
            }
            for value, label in Grid.choices
        ],
        "doors": [
            {
                "number": door.value,
                "title": f"Porte d'entrée {door.value} : {door.label}",
                "findings": [
                    {
                        "kind": f.get_kind_display(),
                        "text": f.text,
                        "group": f.working_group.name if f.working_group else "",
                        "indicators": [i.code for i in f.indicators.all()],
                        "priorities": f.priorities,
                    }
                    for f in all_findings
                    if f.entry_door == door.value
                ],
                "priorities": [
                    f"{f.priority_rank}. {f.text}"
                    for f in sorted(
                        (f for f in all_findings if f.entry_door == door.value and f.priority_rank),
                        key=lambda f: f.priority_rank,
                    )
                ],
            }
            for door in EntryDoor
        ],
        "levels": [label for value, label in Level.choices],
    }


def mapped_indicators(project) -> list[Indicator]:
    """Indicators with values by commune in this project: the map can be shaded by them."""
    return list(
        Indicator.objects.filter(commune_values__project=project).distinct().order_by("order")
    )


@dataclass(frozen=True)
class CommuneShading:
    values: dict[str, float]  # INSEE code → value; masked or missing communes are absent
    unit: str
    caption: str


def commune_shading(project, code: str) -> CommuneShading:
    """The latest value of an indicator for each commune (small counts stay masked: absent)."""
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        return CommuneShading({}, "", "")
    latest: dict[str, CommuneIndicatorValue] = {}
    for value in CommuneIndicatorValue.objects.filter(
        project=project, indicator=indicator
    ).order_by("year"):
        latest[value.commune_id] = value  # later years overwrite earlier ones
    years = sorted({v.year for v in latest.values()})
    sources = sorted({v.source for v in latest.values() if v.source})
    masked = sum(v.masked for v in latest.values())
    caption = (
        f"Communes teintées selon « {indicator.label} » ({indicator.unit}), "
        f"{'année ' + str(years[-1]) if len(years) == 1 else 'années ' + ', '.join(map(str, years))}"
        f" ; source : {', '.join(sources) or indicator.source}."
        + (
            f" {plural(masked, 'commune', 'communes')} à effectif inférieur à 11, "
            f"{'non affichée' if masked == 1 else 'non affichées'}."
            if masked
            else ""
        )
    )
    return CommuneShading(
        {c: v.value for c, v in latest.items() if not v.masked and v.value is not None},
        indicator.unit,
        caption,
    )


LEVEL_LABELS = [Level(level).label for level in LEVELS]


@dataclass
class CatalogueSection:
    title: str
    indicators: list[Indicator]
    own: bool


def catalogue(project) -> list[CatalogueSection]:
    """The ANAP catalogue, then the project's own indicators (one query)."""
    indicators = list(Indicator.objects.for_project(project).order_by("grid", "order", "code"))
    return [
        CatalogueSection(
            "Indicateurs propres au projet", [i for i in indicators if i.project_id], True
        ),
        CatalogueSection(
            "Catalogue ANAP (fiches outils 2, 3 et 4)",
            [i for i in indicators if not i.project_id],
            False,
        ),
    ]


# Cross-project reads (regional cockpit): one query each, whatever the number of projects.


def diagnostic_validation_dates(project_ids) -> dict[int, dt.date]:
    """Each project's latest COPIL validation of the diagnostic."""
    rows = (
        DiagnosticVersion.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(last=Max("validated_on"))
        .values_list("project_id", "last")
    )
    return dict(rows)


def shared_catalogue() -> list[Indicator]:
    """The indicators every project shares (the ANAP catalogue): the only ones that compare
    across projects (a project's own indicators mean what that project decided)."""
    return list(Indicator.objects.filter(project__isnull=True).order_by("grid", "order", "code"))


def territory_values(project_ids, indicator: Indicator) -> dict[int, IndicatorValue]:
    """Each project's latest value of one indicator for its own territory (masked small counts
    stay masked: the figure is not even stored)."""
    latest: dict[int, IndicatorValue] = {}
    values = IndicatorValue.objects.filter(
        project_id__in=project_ids, indicator=indicator, level=Level.TERRITORY
    ).order_by("project_id", "-year")
    for value in values:
        latest.setdefault(value.project_id, value)
    return latest


def diagnostic_versions(project):
    """The COPIL's validations of the diagnostic, latest first."""
    return DiagnosticVersion.objects.filter(project=project).order_by("-number")
