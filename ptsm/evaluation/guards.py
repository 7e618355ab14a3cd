"""What the evaluation keeps from deletion: the reviews validated by the COPIL."""

from ptsm.core.guards import counted, register_deletion_guard

from .models import ReviewValidation


def _project(project) -> list[str]:
    return counted(
        ReviewValidation.objects.filter(project=project).count(),
        "bilan validé par le COPIL",
        "bilans validés par le COPIL",
    )


def register() -> None:
    register_deletion_guard("projects.Project", _project)
