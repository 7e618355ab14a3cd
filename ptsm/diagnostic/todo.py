"""The diagnostic's « À faire » lines: the entry doors still without findings and the COPIL's
validation (chef de projet), the diagnostic awaiting validation (membre du COPIL)."""

from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.core.anap import EntryDoor
from ptsm.core.formatting import plural
from ptsm.projects.models import Phase
from ptsm.projects.todo import LEAD_ROLES, TodoContext, TodoItem, TodoProvider, register

from .models import DiagnosticVersion, Finding, Grid, Indicator, IndicatorValue, Level

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
    items = _grids_to_complete(project)
    items += [
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


GRID_STEPS = {
    Grid.TERRITORY: ("Compléter la carte d'identité du territoire", "fiche outil 2"),
    Grid.PATHWAY: ("Renseigner les indicateurs du parcours", "fiche outil 3"),
}


def _grids_to_complete(project) -> list[TodoItem]:
    """The ANAP grids whose indicators still lack a value for the territory (computed ones are
    read live from the referential and the directory: never missing). Two queries."""
    valued = set(
        IndicatorValue.objects.filter(project=project, level=Level.TERRITORY).values_list(
            "indicator_id", flat=True
        )
    )
    missing: dict[str, int] = {}
    for pk, grid in (
        Indicator.objects.for_project(project)
        .filter(grid__in=GRID_STEPS, computed="")
        .values_list("pk", "grid")
    ):
        if pk not in valued:
            missing[grid] = missing.get(grid, 0) + 1
    catalogue = reverse("diagnostic:catalogue", kwargs={"slug": project.slug})
    return [
        TodoItem(
            label=label,
            url=catalogue,
            detail=f"ANAP, {fiche} : "
            + plural(missing[grid], "indicateur sans valeur", "indicateurs sans valeur")
            + " pour le territoire",
        )
        for grid, (label, fiche) in GRID_STEPS.items()
        if missing.get(grid)
    ]


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
