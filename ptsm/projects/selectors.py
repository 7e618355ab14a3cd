"""Reads of the projects app: visible projects and the dashboard."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ptsm.accounts.models import ArsAdministration, Membership
from ptsm.territories.selectors import TerritoryCard, territory_card

from .models import Milestone, Phase, PhaseChange, Project

UPCOMING_LIMIT = 5
HISTORY_LIMIT = 5


def visible_projects(user) -> QuerySet[Project]:
    """Projects the user may open: their memberships and the projects of régions they administer."""
    projects = Project.objects.select_related("region", "territory")
    if user.is_superuser:
        return projects
    return projects.filter(
        Q(pk__in=Membership.objects.filter(user=user).values("project_id"))
        | Q(region_id__in=ArsAdministration.objects.filter(user=user).values("region_id"))
    )


@dataclass(frozen=True)
class PhaseStep:
    value: str
    label: str
    state: str  # "done", "current" or "todo"


def phase_steps(project: Project) -> list[PhaseStep]:
    values = list(Phase.values)
    current = values.index(project.phase)
    return [
        PhaseStep(
            value=value,
            label=label,
            state="done" if i < current else "current" if i == current else "todo",
        )
        for i, (value, label) in enumerate(Phase.choices)
    ]


@dataclass(frozen=True)
class Dashboard:
    project: Project
    steps: list[PhaseStep]
    late_milestones: list[Milestone]
    upcoming_milestones: list[Milestone]
    card: TerritoryCard
    phase_history: list[PhaseChange]  # latest first
    out_of_order: list[PhaseChange]  # steps taken out of the method's order, latest first

    @property
    def current_step_number(self) -> int:
        return next(i for i, step in enumerate(self.steps, 1) if step.state == "current")

    @property
    def next_step(self) -> PhaseStep | None:
        return next((s for s in self.steps if s.state == "todo"), None)


def project_dashboard(project: Project, *, today: dt.date) -> Dashboard:
    open_milestones = project.milestones.filter(done_on__isnull=True)
    history = phase_history(project)
    return Dashboard(
        project=project,
        steps=phase_steps(project),
        late_milestones=late_milestones(project, today),
        upcoming_milestones=list(open_milestones.filter(due_date__gte=today)[:UPCOMING_LIMIT]),
        card=territory_card(project.territory),
        phase_history=history[:HISTORY_LIMIT],
        out_of_order=[change for change in history if change.out_of_order],
    )


def late_milestones(project: Project, today: dt.date) -> list[Milestone]:
    from .todo import once

    return once(
        ("late-milestones", project.pk, today),
        lambda: list(
            project.milestones.filter(done_on__isnull=True, due_date__lt=today).order_by(
                "due_date", "pk"
            )
        ),
    )


def phase_history(project: Project) -> list[PhaseChange]:
    """Every phase change of the project, latest first (a few per project: one per method
    step, plus the chef de projet's own changes)."""
    return list(project.phase_changes.select_related("user"))


def project_members(project: Project) -> QuerySet[Membership]:
    return project.memberships.select_related("user", "organisation").order_by(
        "role", "user__last_name", "user__first_name"
    )


def projects_with_progress(projects: QuerySet[Project], *, today: dt.date) -> QuerySet[Project]:
    """Projects annotated for the regional cockpit, in one query: the date the current phase
    started (`phase_since`, the project's start before any change) and the number of late
    milestones (`late_milestones`)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    since = (
        PhaseChange.objects.filter(project=OuterRef("pk"), to_phase=OuterRef("phase"))
        .order_by("-changed_on", "-pk")
        .values("changed_on")[:1]
    )
    late = (
        Milestone.objects.filter(project=OuterRef("pk"), done_on__isnull=True, due_date__lt=today)
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return projects.select_related("region", "territory").annotate(
        phase_since=Coalesce(Subquery(since), "start_date"),
        late_milestones=Coalesce(Subquery(late, output_field=IntegerField()), 0),
    )
