"""The roadmap's « À faire » lines: the fiches-actions without a pilot and the COPIL's
validation (chef de projet), the roadmap awaiting validation (membre du COPIL)."""

from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.core.formatting import plural
from ptsm.projects.models import Phase
from ptsm.projects.todo import LEAD_ROLES, TodoContext, TodoItem, TodoProvider, register

from .models import Action, RoadmapVersion


def _awaiting_validation(project) -> bool:
    return (
        project.phase == Phase.ROADMAP
        and not RoadmapVersion.objects.filter(project=project).exists()
    )


def roadmap_steps(context: TodoContext) -> list[TodoItem]:
    project = context.project
    if not _awaiting_validation(project):
        return []
    url = reverse("roadmap:tree", kwargs={"slug": project.slug})
    items = []
    without_pilot = Action.objects.filter(
        objective__theme__orientation__project=project,
        archived=False,
        pilot_organisation__isnull=True,
        pilot_user__isnull=True,
    ).count()
    if without_pilot:
        items.append(
            TodoItem(
                label="Désigner les pilotes des fiches-actions",
                url=reverse("roadmap:actions", kwargs={"slug": project.slug}),
                detail=plural(
                    without_pilot, "fiche-action sans pilote", "fiches-actions sans pilote"
                ),
            )
        )
    items.append(
        TodoItem(
            label="Faire valider la feuille de route par le COPIL",
            url=url + "#validation",
            detail="Orientations, objectifs et fiches-actions",
        )
    )
    return items


def roadmap_to_validate(context: TodoContext) -> list[TodoItem]:
    project = context.project
    if not _awaiting_validation(project):
        return []
    return [
        TodoItem(
            label="Feuille de route, à valider en COPIL",
            url=reverse("roadmap:tree", kwargs={"slug": project.slug}),
            detail="Orientations, objectifs et fiches-actions proposés par les groupes de travail",
        )
    ]


def register_todo() -> None:
    register(
        TodoProvider(
            key="feuille-de-route",
            roles=LEAD_ROLES,
            provider=roadmap_steps,
            order=15,
            section="etapes",
        )
    )
    register(
        TodoProvider(
            key="feuille-de-route-a-valider",
            roles=frozenset({Role.COPIL_MEMBER}),
            provider=roadmap_to_validate,
            title="Documents à valider par le COPIL",
            order=21,
            section="a-valider",
        )
    )
