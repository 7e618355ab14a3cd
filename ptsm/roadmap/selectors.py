"""Reads of the roadmap app: the tree, the filtered table of actions, the synthesis tables,
the timeline and an operator's page — each in a bounded number of queries."""

import datetime as dt
import json
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

from ptsm.core.anap import EntryDoor
from ptsm.core.formatting import french_date, french_euros, plural

from .models import (
    COMMITTED_STATUSES,
    Action,
    ActionMilestone,
    FundingLine,
    FundingStatus,
    Objective,
    Orientation,
    RoadmapVersion,
    Theme,
)

ACTION_RELATED = (
    "objective__theme__orientation",
    "pilot_organisation",
    "pilot_contact",
    "pilot_user",
)


def may_edit_action(role, user, action: Action) -> bool:
    """Leads edit (and measure) every fiche-action; a pilot only those they pilot."""
    from ptsm.accounts.models import Role
    from ptsm.accounts.permissions import Capability, role_allows

    if role_allows(role, Capability.EDIT_ROADMAP):
        return True
    return role == Role.ACTION_PILOT and action.pilot_user_id == user.pk


# The roadmap's order, and the fiches-actions still in it (neither they nor a level above archived).
ROADMAP_ORDER = (
    "objective__theme__orientation__position",
    "objective__theme__position",
    "objective__position",
    "position",
    "pk",
)
NOT_ARCHIVED = {
    "archived": False,
    "objective__archived": False,
    "objective__theme__archived": False,
    "objective__theme__orientation__archived": False,
}


def annexed_actions(project, organisation) -> QuerySet[Action]:
    """The committed fiches-actions one operator carries, with only what its annex reads (its
    operators, milestones and funding lines): three prefetches, not six."""
    return (
        Action.objects.filter(
            objective__theme__orientation__project=project,
            status__in=COMMITTED_STATUSES,
            operators=organisation,
            **NOT_ARCHIVED,
        )
        .select_related(*ACTION_RELATED)
        .prefetch_related(
            "operators",
            "milestones",
            Prefetch("funding_lines", queryset=FundingLine.objects.select_related("operator")),
        )
        .order_by(*ROADMAP_ORDER)
    )


def project_actions(project, *, include_archived: bool = False) -> QuerySet[Action]:
    actions = (
        Action.objects.filter(objective__theme__orientation__project=project)
        .select_related(*ACTION_RELATED)
        .prefetch_related(
            "operators",
            "partners",
            "indicators",
            "milestones",
            "findings",
            Prefetch("funding_lines", queryset=FundingLine.objects.select_related("operator")),
        )
        .order_by(*ROADMAP_ORDER)
    )
    if not include_archived:
        actions = actions.filter(**NOT_ARCHIVED)
    cache = _read_once.get()
    if cache is None:
        return actions
    key = (project.pk, include_archived)
    if key not in cache:
        cache[key] = list(actions)
    cached = actions.all()  # iterating gives the actions read once; chaining queries again
    cached._result_cache = cache[key]
    cached._prefetch_done = True
    return cached


_read_once: ContextVar[dict | None] = ContextVar("roadmap_read_once", default=None)


@contextmanager
def roadmap_read_once():
    """Within this block the project's actions are read from the database once, for building many
    documents of an unchanged roadmap in a row ("Tout générer")."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def roadmap_tree(project) -> list[Orientation]:
    """Orientations with their themes, objectives and actions, archived ones included, in 4 queries."""
    actions = Action.objects.select_related(*ACTION_RELATED).order_by("archived", "position", "pk")
    objectives = (
        Objective.objects.select_related("theme__orientation")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("archived", "position", "pk")
    )
    themes = (
        Theme.objects.select_related("orientation")
        .prefetch_related(Prefetch("objectives", queryset=objectives))
        .order_by("archived", "position", "pk")
    )
    return list(
        Orientation.objects.filter(project=project)
        .prefetch_related(Prefetch("themes", queryset=themes))
        .order_by("archived", "position", "pk")
    )


@dataclass(frozen=True)
class ActionFilters:
    entry_door: int | None = None
    pilot: int | None = None
    operator: int | None = None
    status: str = ""


def filtered_actions(project, filters: ActionFilters) -> QuerySet[Action]:
    actions = project_actions(project)
    if filters.pilot:
        actions = actions.filter(pilot_organisation_id=filters.pilot)
    if filters.operator:
        actions = actions.filter(operators__id=filters.operator).distinct()
    if filters.status:
        actions = actions.filter(status=filters.status)
    return actions


def door_filter(actions, door: int | None) -> list[Action]:
    # JSON list membership differs between SQLite and PostgreSQL: filter the prefetched rows.
    return [a for a in actions if door in a.entry_doors] if door else list(actions)


def doors_label(action: Action) -> str:
    return ", ".join(str(d) for d in sorted(action.entry_doors)) or "—"


def period(action: Action) -> str:
    if action.start_date and action.end_date:
        return f"{french_date(action.start_date)} – {french_date(action.end_date)}"
    if action.start_date:
        return f"à partir du {french_date(action.start_date)}"
    if action.end_date:
        return f"jusqu'au {french_date(action.end_date)}"
    return "dates non fixées"


# Synthesis tables -------------------------------------------------------------------------------

ACTION_PLAN_COLUMNS = [
    "N°",
    "Orientation stratégique",
    "Objectif stratégique",
    "Fiche-action",
    "Portes d'entrée",
    "Pilote",
    "Opérateurs",
    "Partenaires",
    "Début",
    "Fin",
    "Indicateurs",
    "Statut",
    "Engagement",
]


def commitment_label(action, statuses: dict[int, str]) -> str:
    """« 2 engagements signés sur 3 » for an action whose operators' commitments are known,
    else « — »."""
    operators = list(action.operators.all())
    known = [statuses[o.pk] for o in operators if o.pk in statuses]
    if not known:
        return "—"
    signed = sum(1 for s in known if s == "signe")
    return f"{plural(signed, 'engagement signé', 'engagements signés')} sur {len(operators)}"


def action_plan_rows(
    actions, commitment_statuses: dict[int, str] | None = None, *, typed: bool = False
) -> list[list]:
    """ANAP's synthesis of the action plan. `commitment_statuses` maps an operator to the status
    of its commitment letter (given by the commitments app, which depends on this one). `typed`
    rows (for a spreadsheet) carry dates as dates and end with the credits requested and acquired
    (`ACTION_PLAN_AMOUNT_COLUMNS`)."""
    statuses = commitment_statuses or {}

    def day(value):
        return value if typed else (french_date(value) or "—")

    rows = []
    for a in actions:
        pilot = a.pilot_organisation.name if a.pilot_organisation else ""
        if a.pilot_contact:
            pilot += f" ({a.pilot_contact.full_name})"
        rows.append(
            [
                a.code,
                a.objective.theme.orientation.title,
                a.objective.title,
                a.title,
                doors_label(a),
                pilot or "—",
                ", ".join(o.name for o in a.operators.all()) or "—",
                ", ".join(o.name for o in a.partners.all()) or "—",
                day(a.start_date),
                day(a.end_date),
                "; ".join(f"{i.name} (cible : {i.target or '—'})" for i in a.indicators.all())
                or "—",
                a.get_status_display(),
                commitment_label(a, statuses),
            ]
        )
        if typed:
            requested, acquired = funding_split(a.funding_lines.all())
            rows[-1] += [requested, acquired]
    return rows


ACTION_PLAN_AMOUNT_COLUMNS = ["Crédits sollicités (€)", "Crédits acquis (€)"]


def funding_split(lines) -> tuple[Decimal, Decimal]:
    """(requested, acquired) amounts of funding lines, kept apart everywhere they are shown."""
    requested = acquired = Decimal(0)
    for line in lines:
        if line.status == FundingStatus.GRANTED:
            acquired += line.amount
        else:
            requested += line.amount
    return requested, acquired


CREDITS_COLUMNS = [
    "N°",
    "Fiche-action",
    "Opérateur",
    "Financeur",
    "Nature",
    "Reconductible",
    "Année",
    "Montant sollicité (€)",
    "Montant acquis (€)",
]
CREDITS_AMOUNT_COLUMNS = (7, 8)


@dataclass
class CreditsTable:
    rows: list[list] = field(default_factory=list)
    by_funder: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    # Of each funder's amount, what is acquired (the rest is only requested).
    acquired_by_funder: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_year: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_operator: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    by_nature: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    total: Decimal = Decimal(0)
    requested: Decimal = Decimal(0)
    acquired: Decimal = Decimal(0)

    def totals(self) -> list[tuple[str, list[tuple[str, Decimal]]]]:
        return [
            ("Par financeur", sorted(self.by_funder.items())),
            ("Par année", [(str(y), v) for y, v in sorted(self.by_year.items())]),
            ("Par opérateur", sorted(self.by_operator.items())),
            ("Par nature", sorted(self.by_nature.items())),
        ]


def credits_table(actions) -> CreditsTable:
    table = CreditsTable()
    for action in actions:
        for line in action.funding_lines.all():
            operator = line.operator.name if line.operator else "Non affecté"
            funder = line.get_funder_display() + (
                f" ({line.funder_details})" if line.funder_details else ""
            )
            table.rows.append(
                [
                    action.code,
                    action.title,
                    operator,
                    funder,
                    line.get_nature_display(),
                    "oui" if line.recurring else "non",
                    line.year,
                    None if line.status == FundingStatus.GRANTED else line.amount,
                    line.amount if line.status == FundingStatus.GRANTED else None,
                ]
            )
            table.by_funder[line.get_funder_display()] += line.amount
            table.by_year[line.year] += line.amount
            table.by_operator[operator] += line.amount
            table.by_nature[line.get_nature_display()] += line.amount
            table.total += line.amount
            if line.status == FundingStatus.GRANTED:
                table.acquired += line.amount
                table.acquired_by_funder[line.get_funder_display()] += line.amount
            else:
                table.requested += line.amount
    return table


def euros(amount) -> str:
    return french_euros(amount)


# Timeline ---------------------------------------------------------------------------------------


@dataclass
class TimelineRow:
    action: Action
    start: dt.date | None
    end: dt.date | None
    milestones: list[ActionMilestone]


def timeline(actions) -> tuple[list[TimelineRow], dt.date | None, dt.date | None]:
    rows = [TimelineRow(a, a.start_date, a.end_date, list(a.milestones.all())) for a in actions]
    dates = [d for r in rows for d in (r.start, r.end, *(m.due_date for m in r.milestones)) if d]
    return rows, (min(dates) if dates else None), (max(dates) if dates else None)


# Operator page ----------------------------------------------------------------------------------


def operator_actions(project, organisation) -> list[Action]:
    return list(
        project_actions(project)
        .filter(
            Q(operators=organisation)
            | Q(pilot_organisation=organisation)
            | Q(partners=organisation)
        )
        .distinct()
    )


# Versions ---------------------------------------------------------------------------------------


def roadmap_lines(project) -> list[str]:
    """The roadmap as lines of text, frozen at validation and compared between versions."""
    lines = []
    for orientation in roadmap_tree(project):
        if orientation.archived:
            continue
        lines.append(f"{orientation.code}. {orientation.title}")
        for theme in orientation.themes.all():
            if theme.archived:
                continue
            lines.append(f"  {theme.code} {theme.title}")
            for objective in theme.objectives.all():
                if objective.archived:
                    continue
                lines.append(f"    {objective.code} {objective.title}")
                for action in objective.actions.all():
                    if not action.archived:
                        pilot = (
                            action.pilot_organisation.name
                            if action.pilot_organisation
                            else "pilote à désigner"
                        )
                        lines.append(
                            f"      {action.code} {action.title} — {pilot} — {action.get_status_display()}"
                        )
    return lines


def roadmap_versions(project) -> QuerySet[RoadmapVersion]:
    return RoadmapVersion.objects.filter(project=project).select_related("meeting", "validated_by")


DOORS = [(door.value, door.label) for door in EntryDoor]


# Cross-project reads (regional cockpit): one query each, whatever the number of projects.

PROJECT_OF_ACTION = "objective__theme__orientation__project_id"


def live_actions(project_ids) -> QuerySet[Action]:
    """The fiches-actions of several projects, archived ones (or under an archived level) left
    out, as in each project's own tables."""
    return Action.objects.filter(
        objective__theme__orientation__project_id__in=project_ids,
        archived=False,
        objective__archived=False,
        objective__theme__archived=False,
        objective__theme__orientation__archived=False,
    )


def roadmap_validation_dates(project_ids) -> dict[int, dt.date]:
    """Each project's latest COPIL validation of the roadmap."""
    rows = (
        RoadmapVersion.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(last=Max("validated_on"))
        .values_list("project_id", "last")
    )
    return dict(rows)


def action_status_counts(project_ids) -> dict[int, dict[str, int]]:
    """Project → fiche-action status → number of fiches-actions."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        live_actions(project_ids)
        .values(PROJECT_OF_ACTION, "status")
        .annotate(n=Count("pk"))
        .values_list(PROJECT_OF_ACTION, "status", "n")
        .order_by()
    )
    for project_id, status, n in rows:
        counts[project_id][status] = n
    return counts


def funding_totals(project_ids) -> dict[int, dict[tuple[str, str], Decimal]]:
    """Project → (funder, funding status) → amount."""
    totals: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    # One join chain (no subquery on the actions): the archived flags filtered on the way.
    rows = (
        FundingLine.objects.filter(
            action__objective__theme__orientation__project_id__in=project_ids,
            action__archived=False,
            action__objective__archived=False,
            action__objective__theme__archived=False,
            action__objective__theme__orientation__archived=False,
        )
        .values(f"action__{PROJECT_OF_ACTION}", "funder", "status")
        .annotate(total=Sum("amount"))
        .values_list(f"action__{PROJECT_OF_ACTION}", "funder", "status", "total")
        .order_by()
    )
    for project_id, funder, status, total in rows:
        totals[project_id][(funder, status)] = total
    return totals


@dataclass
class DoorFigures:
    actions: int = 0
    requested: Decimal = Decimal(0)
    granted: Decimal = Decimal(0)


def door_figures(project_ids) -> dict[int, dict[int, DoorFigures]]:
    """Project → entry door of the Rosace → fiches-actions and funding (an action on two doors
    counts for each). Two queries grouped by the actions' list of doors (a JSON list): a few rows
    per project, whatever the number of actions."""
    figures: dict[int, dict[int, DoorFigures]] = defaultdict(lambda: defaultdict(DoorFigures))

    def doors_of(value) -> list[int]:
        if isinstance(value, str):  # some backends return the JSON text when grouping
            value = json.loads(value)
        return [d for d in (value or []) if d in EntryDoor.values]

    actions = (
        live_actions(project_ids)
        .values(PROJECT_OF_ACTION, "entry_doors")
        .annotate(n=Count("pk"))
        .values_list(PROJECT_OF_ACTION, "entry_doors", "n")
        .order_by()
    )
    for project_id, doors, n in actions:
        for door in doors_of(doors):
            figures[project_id][door].actions += n
    funding = (
        FundingLine.objects.filter(
            action__objective__theme__orientation__project_id__in=project_ids,
            action__archived=False,
            action__objective__archived=False,
            action__objective__theme__archived=False,
            action__objective__theme__orientation__archived=False,
        )
        .values(f"action__{PROJECT_OF_ACTION}", "action__entry_doors", "status")
        .annotate(total=Sum("amount"))
        .values_list(f"action__{PROJECT_OF_ACTION}", "action__entry_doors", "status", "total")
        .order_by()
    )
    for project_id, doors, status, total in funding:
        for door in doors_of(doors):
            cell = figures[project_id][door]
            if status == FundingStatus.GRANTED:
                cell.granted += total
            else:
                cell.requested += total
    return figures


LIVE_ACTION = dict(
    archived=False,
    objective__archived=False,
    objective__theme__archived=False,
    objective__theme__orientation__archived=False,
)


def organisation_involvement(organisation_ids) -> QuerySet[Action]:
    """The live fiches-actions an organisation (one row per project's directory) pilots, operates
    or is partner of, with their project and its funding lines: four queries for a page of them
    (a funder of a whole région may appear in thousands: the caller paginates)."""
    ids = list(organisation_ids)
    involved = Action.objects.filter(
        Q(pilot_organisation_id__in=ids) | Q(operators__in=ids) | Q(partners__in=ids),
        **LIVE_ACTION,
    ).values("pk")
    return (
        Action.objects.filter(pk__in=involved)
        .select_related("objective__theme__orientation__project")
        .prefetch_related(
            "operators",
            "partners",
            Prefetch("funding_lines", queryset=FundingLine.objects.filter(operator_id__in=ids)),
        )
        .order_by("objective__theme__orientation__project__name", "number", "pk")
    )


def organisation_funding(organisation_ids) -> tuple[Decimal, Decimal]:
    """(requested, granted) on the live fiches-actions where the organisation is the funding
    line's operator: one query."""
    totals = FundingLine.objects.filter(
        operator_id__in=list(organisation_ids),
        **{f"action__{key}": value for key, value in LIVE_ACTION.items()},
    ).aggregate(
        requested=Sum("amount", filter=Q(status=FundingStatus.REQUESTED)),
        granted=Sum("amount", filter=Q(status=FundingStatus.GRANTED)),
    )
    return totals["requested"] or Decimal(0), totals["granted"] or Decimal(0)
