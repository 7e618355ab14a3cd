"""The diagnostic's « À faire » lines: the entry doors still without findings and the COPIL's
validation (chef de projet), the diagnostic awaiting validation (membre du COPIL)."""

from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.core.anap import EntryDoor
from ptsm.projects.models import Phase
from ptsm.projects.todo import LEAD_ROLES, TodoContext, TodoItem, TodoProvider, register

from .models import DiagnosticVersion, Finding

TO_VALIDATE_SECTION = "a-valider"


def _validated(project) -> bool:
    return DiagnosticVersion.objects.filter(project=project).exists()


def diagnostic_steps(context: TodoContext) -> list[TodoItem]:
    project = context.project
    if project.phase != Phase.DIAGNOSTIC or _validated(project):
        return []
    covered = set(
        Finding.objects.filter(project=project).values_list("entry_door", flat=True).distinct()
    )
    items = [
        TodoItem(
            label=f"Recueillir les constats de la porte d'entrée {door.value} : {door.label}",
            url=reverse("diagnostic:door", kwargs={"slug": project.slug, "number": door.value}),
            detail="Groupe de travail de la porte d'entrée",
        )
        for door in EntryDoor
        if door.value not in covered
    ]
    items.append(
        TodoItem(
            label="Faire valider le diagnostic partagé par le COPIL",
            url=reverse("diagnostic:overview", kwargs={"slug": project.slug}) + "#validation",
            detail="Puis son adoption par le directeur général de l'ARS",
        )
    )
    return items


def diagnostic_to_validate(context: TodoContext) -> list[TodoItem]:
    project = context.project
    if project.phase != Phase.DIAGNOSTIC or _validated(project):
        return []
    return [
        TodoItem(
            label="Diagnostic territorial partagé, à valider en COPIL",
            url=reverse("diagnostic:overview", kwargs={"slug": project.slug}),
            detail="Constats par porte d'entrée, indicateurs et carte d'identité du territoire",
        )
    ]


def register_todo() -> None:
    register(
        TodoProvider(
            key="diagnostic",
            roles=LEAD_ROLES,
            provider=diagnostic_steps,
            order=14,
            section="etapes",
        )
    )
    register(
        TodoProvider(
            key="diagnostic-a-valider",
            roles=frozenset({Role.COPIL_MEMBER}),
            provider=diagnostic_to_validate,
            title="Documents à valider par le COPIL",
            order=20,
            section=TO_VALIDATE_SECTION,
        )
    )
