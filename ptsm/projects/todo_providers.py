"""The projects app's own « À faire » lines: the phase's next steps heading, late milestones,
the project's state for a lecteur and the région's projects for an administrateur ARS."""

from django.db.models import Count, Min
from django.urls import reverse

from ptsm.accounts.models import ArsAdministration, Role
from ptsm.core.formatting import plural

from . import selectors
from .models import Milestone, Phase, Project
from .todo import (
    LEAD_ROLES,
    TodoContext,
    TodoItem,
    TodoProvider,
    TodoSection,
    register,
)

STEPS_SECTION = "etapes"
REGION_PROJECTS_LIMIT = 20


def _url(name: str, project: Project, **kwargs) -> str:
    return reverse(name, kwargs={"slug": project.slug, **kwargs})


def phase_steps_heading(context: TodoContext) -> TodoSection:
    """Opens the chef de projet's « Prochaines étapes »: the apps add the steps of the phase."""
    phase = Phase(context.project.phase).label
    return TodoSection(
        key=STEPS_SECTION,
        title=f"Prochaines étapes de la phase « {phase} »",
        items=[],
    )


def late_milestones(context: TodoContext) -> list[TodoItem]:
    late = selectors.late_milestones(context.project, context.today)
    return [
        TodoItem(
            label=f"Jalon en retard : {milestone.title}",
            url=_url("projects:milestone_edit", context.project, pk=milestone.pk),
            due=milestone.due_date,
            late=True,
        )
        for milestone in late
    ]


def project_state(context: TodoContext) -> list[TodoItem]:
    """What a lecteur wants to know first: where the project stands and what comes next."""
    project = context.project
    items = [
        TodoItem(
            label=f"Le projet est en phase « {Phase(project.phase).label} »",
            url=_url("projects:milestones", project),
            detail=f"Démarche du {project.start_date:%d/%m/%Y} au {project.planned_end_date:%d/%m/%Y}",
        )
    ]
    upcoming = (
        Milestone.objects.filter(project=project, done_on__isnull=True)
        .order_by("due_date", "pk")
        .first()
    )
    if upcoming is not None:
        items.append(
            TodoItem(
                label=f"Prochain jalon : {upcoming.title}",
                url=_url("projects:milestones", project),
                due=upcoming.due_date,
                late=upcoming.due_date < context.today,
            )
        )
    return items


def region_projects(context: TodoContext) -> TodoSection | None:
    """The projects of the régions the administrateur ARS administers, with their late
    milestones (two queries, whatever the number of projects)."""
    regions = ArsAdministration.objects.filter(user=context.user).values("region_id")
    projects = list(Project.objects.filter(region_id__in=regions).order_by("name"))
    late = {
        row["project_id"]: row
        for row in Milestone.objects.filter(
            project__region_id__in=regions, done_on__isnull=True, due_date__lt=context.today
        )
        .values("project_id")
        .annotate(count=Count("pk"), since=Min("due_date"))
        .order_by()
    }
    projects.sort(key=lambda p: (-late.get(p.pk, {}).get("count", 0), p.name))
    items = []
    for project in projects[:REGION_PROJECTS_LIMIT]:
        row = late.get(project.pk)
        items.append(
            TodoItem(
                label=project.name,
                url=reverse("projects:dashboard", kwargs={"slug": project.slug}),
                detail=f"Phase « {Phase(project.phase).label} » — "
                + (
                    plural(row["count"], "jalon en retard", "jalons en retard")
                    + f" (depuis le {row['since']:%d/%m/%Y})"
                    if row
                    else "aucun jalon en retard"
                ),
                late=bool(row),
            )
        )
    if not items:
        return None
    return TodoSection(key="projets-region", title="Les projets de la région", items=items)


def register_providers() -> None:
    register(
        TodoProvider(
            key="etapes-phase",
            roles=LEAD_ROLES,
            provider=phase_steps_heading,
            order=10,
            section=STEPS_SECTION,
        )
    )
    register(
        TodoProvider(
            key="jalons-en-retard",
            roles=LEAD_ROLES,
            provider=late_milestones,
            title="Jalons en retard",
            order=20,
        )
    )
    register(
        TodoProvider(
            key="etat-du-projet",
            roles=frozenset({Role.READER}),
            provider=project_state,
            title="Où en est le projet",
            order=10,
        )
    )
    register(
        TodoProvider(
            key="projets-region",
            roles=frozenset({Role.ARS_ADMIN}),
            provider=region_projects,
            order=5,
        )
    )
