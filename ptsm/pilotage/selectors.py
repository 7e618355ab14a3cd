"""Reads of the cockpit: one line per project of the régions a user follows, maps coloured by
phase, indicator and action-plan comparisons, one organisation across projects.

Everything is read through the other apps' selectors, each of which aggregates over all the
projects at once: the cockpit costs the same number of queries for 5 projects and for 100."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from ptsm.accounts.permissions import CockpitScope
from ptsm.commitments.selectors import engagement_periods
from ptsm.core.anap import EntryDoor
from ptsm.core.formatting import french_number
from ptsm.diagnostic.selectors import (
    diagnostic_validation_dates,
    display,
    territory_values,
)
from ptsm.evaluation.selectors import next_reviews
from ptsm.framing.selectors import framing_summaries
from ptsm.projects.models import Phase, Project
from ptsm.projects.participation import (
    ParticipationFigure,
    participation_figures_for_projects,
)
from ptsm.projects.selectors import projects_with_progress
from ptsm.roadmap.models import ActionStatus, Funder, FundingStatus
from ptsm.roadmap.selectors import (
    action_status_counts,
    door_figures,
    funding_totals,
    roadmap_validation_dates,
)
from ptsm.territories.models import Region
from ptsm.territories.selectors import (
    Fill,
    departements_by_territory,
    france_outlines_map_svg,
    region_outlines_map_svg,
)

# One colour per phase, light to dark in the method's order (viridis: distinct for colour-blind
# readers and in greyscale); the table next to the map says the same in words.
PHASE_COLOURS = dict(
    zip(
        Phase.values,
        ["#fde725", "#8fd744", "#35b779", "#21918c", "#31688e", "#443983", "#440154"],
        strict=True,
    )
)
PHASE_ORDER = {value: i for i, value in enumerate(Phase.values)}
SORTS = {
    "nom": lambda line: line.project.name.lower(),
    "territoire": lambda line: line.project.territory.name.lower(),
    "region": lambda line: line.project.region.name,
    "phase": lambda line: (PHASE_ORDER[line.project.phase], line.phase_since),
    "depuis": lambda line: line.phase_since,
    "fiches": lambda line: line.actions_total,
    "acquis": lambda line: line.granted,
    "retards": lambda line: line.late_milestones,
    "bilan": lambda line: line.next_review[1] if line.next_review else dt.date.max,
}
DEFAULT_SORT = "nom"


@dataclass(frozen=True)
class CockpitFilters:
    region: str = ""
    phase: str = ""
    query: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False


@dataclass
class CockpitLine:
    project: Project
    phase_since: dt.date
    late_milestones: int
    framing_label: str = "Pas encore rédigée"
    framing_signed_on: dt.date | None = None
    diagnostic_validated_on: dt.date | None = None
    roadmap_validated_on: dt.date | None = None
    actions: dict[str, int] = field(default_factory=dict)
    funding: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    signed: int = 0
    expected: int = 0
    next_review: tuple[str, dt.date] | None = None
    # Participation of people with lived experience and their families (every registered
    # source's figures: governance's members and attendance, consultations…).
    participation: list[ParticipationFigure] = field(default_factory=list)
    # Figure → the page it comes from (see `drill_down`); a figure without one is not linked.
    links: dict[str, str] = field(default_factory=dict)

    @property
    def actions_total(self) -> int:
        return sum(self.actions.values())

    @property
    def requested(self) -> Decimal:
        return sum(
            (v for (_, s), v in self.funding.items() if s == FundingStatus.REQUESTED), Decimal(0)
        )

    @property
    def granted(self) -> Decimal:
        return sum(
            (v for (_, s), v in self.funding.items() if s == FundingStatus.GRANTED), Decimal(0)
        )

    @cached_property
    def action_counts(self) -> list[tuple[str, int]]:
        """(status label, count) for the statuses present, in the workflow's order."""
        return [(s.label, self.actions[s]) for s in ActionStatus if self.actions.get(s)]

    @cached_property
    def funders(self) -> list[tuple[str, Decimal, Decimal]]:
        """(funder, requested, granted) for the funders present."""
        return [
            (
                funder.label,
                self.funding.get((funder, FundingStatus.REQUESTED), Decimal(0)),
                self.funding.get((funder, FundingStatus.GRANTED), Decimal(0)),
            )
            for funder in Funder
            if (funder, FundingStatus.REQUESTED) in self.funding
            or (funder, FundingStatus.GRANTED) in self.funding
        ]

    @property
    def signatures(self) -> str:
        return f"{self.signed}/{self.expected}" if self.expected else "—"

    @property
    def phase_colour(self) -> str:
        return PHASE_COLOURS[self.project.phase]


def scoped_projects(scope: CockpitScope) -> QuerySet[Project]:
    projects = Project.objects.all()
    return projects if scope.national else projects.filter(region_id__in=scope.region_ids)


def scope_regions(scope: CockpitScope) -> list[Region]:
    regions = Region.objects.order_by("name")
    if scope.national:
        return list(
            regions.filter(Q(projects__isnull=False) | Q(code__in=scope.region_ids)).distinct()
        )
    return list(regions.filter(code__in=scope.region_ids))


def filtered_projects(scope: CockpitScope, filters: CockpitFilters) -> QuerySet[Project]:
    projects = scoped_projects(scope)
    if filters.region:
        projects = projects.filter(region_id=filters.region)
    if filters.phase:
        projects = projects.filter(phase=filters.phase)
    if filters.query:
        projects = projects.filter(
            Q(name__icontains=filters.query) | Q(territory__name__icontains=filters.query)
        )
    return projects


def cockpit_lines(
    projects: QuerySet[Project], filters: CockpitFilters, *, today: dt.date
) -> list[CockpitLine]:
    """One line per project, sorted as asked: the same queries whatever the number of projects
    (nine, plus those of each participation source)."""
    rows = list(projects_with_progress(projects, today=today))
    ids = [p.pk for p in rows]
    framing = framing_summaries(ids)
    diagnostic = diagnostic_validation_dates(ids)
    roadmap = roadmap_validation_dates(ids)
    actions = action_status_counts(ids)
    funding = funding_totals(ids)
    periods = engagement_periods(ids)
    reviews = next_reviews(ids, periods)
    participation = participation_figures_for_projects(rows)
    lines = []
    for project in rows:
        line = CockpitLine(
            project=project,
            phase_since=project.phase_since,
            late_milestones=project.late_milestones,
            diagnostic_validated_on=diagnostic.get(project.pk),
            roadmap_validated_on=roadmap.get(project.pk),
            actions=actions.get(project.pk, {}),
            funding=funding.get(project.pk, {}),
            next_review=reviews.get(project.pk),
            participation=participation.get(project.pk, []),
        )
        if summary := framing.get(project.pk):
            line.framing_label = summary.label
            line.framing_signed_on = summary.signed_on
        if period := periods.get(project.pk):
            line.signed, line.expected = period.signed, period.expected
        lines.append(line)
    key = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    lines.sort(key=key, reverse=filters.descending)
    return lines


# Drill-down: each figure links to the page it comes from --------------------------------------

# For the ARS (the project's pages, with the administrateur ARS's rights in each).
PROJECT_PAGES = {
    "project": "projects:dashboard",
    "framing": "framing:letter",
    "diagnostic": "diagnostic:overview",
    "roadmap": "roadmap:tree",
    "actions": "roadmap:actions",
    "funding": "roadmap:synthesis",
    "signatures": "commitments:letter",
    "milestones": "projects:milestones",
}
# For the observateur national, who has no role in the projects: the public page's section
# showing the figure, when the project publishes one; otherwise no link (never a 403).
PUBLIC_SECTIONS = {
    "project": "",
    "framing": "#documents",
    "diagnostic": "#documents",
    "roadmap": "#feuille-de-route",
    "actions": "#feuille-de-route",
    "funding": "#donnees-ouvertes",
    "signatures": "#feuille-de-route",
    "milestones": "#calendrier",
}


def drill_down(lines: list[CockpitLine], *, national: bool) -> None:
    """Fill each line's links. One query (the published public pages) for the national view;
    the URLs are reversed once, not once per project."""
    from django.urls import reverse

    from ptsm.pilotage.models import PublicPage

    marker = "projet-0"
    if not national:
        patterns = {
            key: reverse(name, kwargs={"slug": marker}) for key, name in PROJECT_PAGES.items()
        }
        for line in lines:
            line.links = {
                key: pattern.replace(marker, line.project.slug) for key, pattern in patterns.items()
            }
        return
    published = set(
        PublicPage.objects.filter(
            project_id__in=[line.project.pk for line in lines], published=True
        ).values_list("project_id", flat=True)
    )
    page = reverse("pilotage:public", kwargs={"projet": marker})
    for line in lines:
        if line.project.pk in published:
            url = page.replace(marker, line.project.slug)
            line.links = {key: url + anchor for key, anchor in PUBLIC_SECTIONS.items()}


# Maps ------------------------------------------------------------------------------------------


def phase_legend(lines: list[CockpitLine]) -> list[tuple[str, str]]:
    present = {line.project.phase for line in lines}
    return [(label, PHASE_COLOURS[value]) for value, label in Phase.choices if value in present]


def phase_groups(lines: list[CockpitLine]) -> list[tuple[str, str, list[str]]]:
    """The map's text equivalent: each phase present, its colour and its projects."""
    return [
        (
            label,
            colour,
            [
                f"{line.project.name} ({line.project.territory.name})"
                for line in lines
                if PHASE_COLOURS[line.project.phase] == colour
            ],
        )
        for label, colour in phase_legend(lines)
    ]


def _phase_fill(line: CockpitLine) -> Fill:
    return Fill(
        PHASE_COLOURS[line.project.phase],
        f"{line.project.name} ({line.project.territory.name}) : {line.project.get_phase_display()}",
    )


def _least_advanced_on_top(lines: list[CockpitLine]) -> list[CockpitLine]:
    """Where two projects' territories overlap, the least advanced is drawn last (on top)."""
    return sorted(lines, key=lambda line: -PHASE_ORDER[line.project.phase])


@dataclass(frozen=True)
class PhaseMap:
    svg: str
    # Shown under the map in HTML, readable at any width (the SVG shrinks on a phone).
    legend: list[tuple[str, str]]


def region_phase_map(region: Region, lines: list[CockpitLine]) -> PhaseMap:
    """The région's départements, each project's territory (its outline) coloured by its phase."""
    mine = [line for line in lines if line.project.region_id == region.code]
    svg = region_outlines_map_svg(
        region.code,
        [(line.project.territory_id, _phase_fill(line)) for line in _least_advanced_on_top(mine)],
        title=(
            f"Carte de la région {region.name} : territoire de chaque projet coloré selon sa phase"
        ),
        legend=[],
    )
    return PhaseMap(svg, phase_legend(mine) + [("Sans projet suivi", "#d5d5d5")])


def france_phase_map(lines: list[CockpitLine]) -> PhaseMap:
    """France by département, each coloured by the phase of the project that covers it (the
    least advanced when several do)."""
    by_territory = departements_by_territory([line.project.territory_id for line in lines])
    fills: dict[str, Fill] = {}
    for line in _least_advanced_on_top(lines):
        for code in by_territory[line.project.territory_id]:
            fills[code] = _phase_fill(line)
    svg = france_outlines_map_svg(
        fills,
        title="Carte de France par département : phase du projet territorial de chacun",
        legend=[],
    )
    return PhaseMap(svg, phase_legend(lines) + [("Sans projet suivi", "#d5d5d5")])


# Indicator comparison ---------------------------------------------------------------------------

SHADES = ["#e3e3fd", "#cacafb", "#8585f6", "#4b4bd6", "#000091"]


@dataclass(frozen=True)
class ComparedValue:
    project: Project
    shown: str  # as every page shows it: small counts masked, missing values said
    value: float | None
    year: int | None
    source: str


def compare_indicator(projects: list[Project], indicator) -> list[ComparedValue]:
    values = territory_values([p.pk for p in projects], indicator)
    compared = []
    for project in projects:
        value = values.get(project.pk)
        compared.append(
            ComparedValue(
                project=project,
                shown=display(value),
                value=None if value is None or value.masked else value.value,
                year=value.year if value else None,
                source=(value.source or indicator.source) if value else "",
            )
        )
    return compared


def shade_classes(values: list[float]) -> list[float]:
    """Limits of five classes with about as many projects in each."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, len(ordered) * k // 5)] for k in range(1, 5)]


def indicator_map(region: Region | None, compared: list[ComparedValue], indicator) -> str:
    """The région (or France by département) shaded by the indicator's value of each project."""
    known = [c.value for c in compared if c.value is not None]
    # Distinct class limits: equal values make one class, never the same interval twice.
    bounds = sorted({*shade_classes(known), *([min(known), max(known)] if known else [])})
    decimals = 0 if all(float(v).is_integer() for v in known) else 1

    def colour(value: float) -> str:
        if len(bounds) < 2:
            return SHADES[-1]
        return SHADES[min(len(SHADES) - 1, sum(1 for limit in bounds[1:-1] if value >= limit))]

    def number(value: float) -> str:
        return french_number(value, decimals)

    if len(bounds) == 1:
        legend = [(f"{number(bounds[0])} {indicator.unit}", SHADES[-1])]
    else:
        legend = [
            (f"{number(low)} à {number(high)} {indicator.unit}", SHADES[min(len(SHADES) - 1, i)])
            for i, (low, high) in enumerate(zip(bounds, bounds[1:], strict=False))
        ]
    legend.append(("Valeur manquante ou masquée (< 11)", "#d5d5d5"))
    title = f"{indicator.label} par territoire de projet"
    with_values = [c for c in compared if c.value is not None]
    if region is not None:
        return region_outlines_map_svg(
            region.code,
            [
                (c.project.territory_id, Fill(colour(c.value), f"{c.project.name} : {c.shown}"))
                for c in with_values
            ],
            title=title,
            legend=legend,
        )
    by_territory = departements_by_territory([c.project.territory_id for c in with_values])
    fills = {
        code: Fill(colour(c.value), f"{c.project.name} : {c.shown}")
        for c in with_values
        for code in by_territory[c.project.territory_id]
    }
    return france_outlines_map_svg(fills, title=title, legend=legend)


# Action plan per entry door ---------------------------------------------------------------------


@dataclass(frozen=True)
class DoorLine:
    project: Project
    cells: list  # one DoorFigures per entry door, in the Rosace's order


def action_plan_by_door(projects: list[Project]) -> list[DoorLine]:
    from ptsm.roadmap.selectors import DoorFigures

    figures = door_figures([p.pk for p in projects])
    return [
        DoorLine(
            project=p,
            cells=[figures.get(p.pk, {}).get(door, DoorFigures()) for door in EntryDoor.values],
        )
        for p in projects
    ]


# One organisation across projects -------------------------------------------------------------


@dataclass
class OrganisationAcross:
    """An organisation known by its FINESS or SIRET in several projects of the scope."""

    identifier: str
    names: list[str]
    projects: list[Project]
    actions: list = field(default_factory=list)  # this page's (action, roles, requested, granted)
    commitments: list = field(default_factory=list)  # (project, status label, signed_on)
    page: object = None  # the page of fiches-actions shown (50 at most)
    requested: Decimal = Decimal(0)  # over all its fiches-actions, not only this page's
    granted: Decimal = Decimal(0)


ACTIONS_PER_PAGE = 50


def organisation_across(
    projects: QuerySet[Project], identifier: str, page: str | int | None = 1
) -> OrganisationAcross | None:
    """Everything one organisation (FINESS ET, FINESS EJ or SIRET) does in the projects of the
    scope: fiches-actions it pilots, operates or is partner of, its commitments and funding."""
    from ptsm.commitments.selectors import organisation_commitments
    from ptsm.organisations.selectors import organisations_by_identifier
    from ptsm.roadmap.selectors import organisation_funding, organisation_involvement

    identifier = identifier.strip().replace(" ", "")
    if not identifier:
        return None
    organisations = organisations_by_identifier(projects, identifier)
    if not organisations:
        return None
    ids = {o.pk for o in organisations}
    result = OrganisationAcross(
        identifier=identifier,
        names=sorted({o.name for o in organisations}),
        projects=sorted({o.project for o in organisations}, key=lambda p: p.name),
    )
    result.page = Paginator(organisation_involvement(ids), ACTIONS_PER_PAGE).get_page(page)
    result.requested, result.granted = organisation_funding(ids)
    for action in result.page:
        roles = []
        if action.pilot_organisation_id in ids:
            roles.append("pilote")
        if any(o.pk in ids for o in action.operators.all()):
            roles.append("opérateur")
        if any(o.pk in ids for o in action.partners.all()):
            roles.append("partenaire")
        requested = sum(
            (
                f.amount
                for f in action.funding_lines.all()
                if f.status == FundingStatus.REQUESTED and f.operator_id in ids
            ),
            Decimal(0),
        )
        granted = sum(
            (
                f.amount
                for f in action.funding_lines.all()
                if f.status == FundingStatus.GRANTED and f.operator_id in ids
            ),
            Decimal(0),
        )
        result.actions.append((action, ", ".join(roles), requested, granted))
    result.commitments = organisation_commitments(ids)
    return result
