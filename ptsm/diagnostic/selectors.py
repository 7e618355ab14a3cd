"""Reads of the diagnostic app: indicator tables, door pages, charts and the report's content."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch

from ptsm.core.anap import ENTRY_DOOR_PRIORITIES, EntryDoor
from ptsm.core.formatting import french_number
from ptsm.roadmap.models import Action

from .models import (
    CommuneIndicatorValue,
    DiagnosticVersion,
    Finding,
    FindingKind,
    Grid,
    Indicator,
    IndicatorValue,
    Level,
    Priority,
)

MISSING = "Valeur manquante"
MASKED = "< 11"
LEVELS = [Level.TERRITORY, Level.DEPARTEMENT, Level.REGION, Level.FRANCE]


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
    indicator: Indicator
    values: dict[str, IndicatorValue] = field(default_factory=dict)

    def cell(self, level: str) -> str:
        return display(self.values.get(level))

    @property
    def cells(self) -> list[str]:
        return [self.cell(level) for level in LEVELS]

    @property
    def year(self) -> str:
        years = sorted({v.year for v in self.values.values()}, reverse=True)
        return str(years[0]) if years else "—"

    @property
    def source(self) -> str:
        territory = self.values.get(Level.TERRITORY)
        return territory.source if territory and territory.source else self.indicator.source

    @property
    def missing(self) -> bool:
        return Level.TERRITORY not in self.values


def indicator_rows(
    project, *, grid: str | None = None, door: int | None = None
) -> list[IndicatorRow]:
    """Each indicator with its latest value per level, in two queries."""
    indicators = Indicator.objects.all()
    if grid:
        indicators = indicators.filter(grid=grid)
    if door:
        indicators = indicators.filter(entry_door=door)
    rows = {i.pk: IndicatorRow(i) for i in indicators}
    values = IndicatorValue.objects.filter(project=project, indicator_id__in=list(rows)).order_by(
        "year"
    )
    for value in values:
        rows[value.indicator_id].values[value.level] = value  # later years overwrite earlier ones
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
        if not row.missing
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
        + (f" {masked} commune(s) à effectif inférieur à 11, non affichée(s)." if masked else "")
    )
    return CommuneShading(
        {c: v.value for c, v in latest.items() if not v.masked and v.value is not None},
        indicator.unit,
        caption,
    )


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


def catalogue() -> list[Indicator]:
    return list(Indicator.objects.order_by("grid", "order", "code"))


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
