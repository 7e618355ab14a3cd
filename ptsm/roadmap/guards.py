"""What the roadmap keeps from deletion: organisations that carry validated fiches-actions."""

from django.db.models import Q

from ptsm.core.guards import counted, register_deletion_guard

from .models import COMMITTED_STATUSES, Action, RoadmapVersion


def _organisation(organisation) -> list[str]:
    actions = (
        Action.objects.filter(status__in=COMMITTED_STATUSES)
        .filter(Q(pilot_organisation=organisation) | Q(operators=organisation))
        .distinct()
        .count()
    )
    return counted(
        actions,
        "fiche-action validée qu'elle pilote ou porte",
        "fiches-actions validées qu'elle pilote ou porte",
    )


def _project(project) -> list[str]:
    return counted(
        RoadmapVersion.objects.filter(project=project).count(),
        "version de la feuille de route validée par le COPIL",
        "versions de la feuille de route validées par le COPIL",
    )


def register() -> None:
    register_deletion_guard("organisations.Organisation", _organisation)
    register_deletion_guard("projects.Project", _project)
