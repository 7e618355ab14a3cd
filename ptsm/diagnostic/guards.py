"""What the diagnostic keeps from deletion: its COPIL validations."""

from ptsm.core.guards import counted, register_deletion_guard

from .models import DiagnosticVersion


def _project(project) -> list[str]:
    return counted(
        DiagnosticVersion.objects.filter(project=project).count(),
        "version du diagnostic validée par le COPIL",
        "versions du diagnostic validées par le COPIL",
    )


def register() -> None:
    register_deletion_guard("projects.Project", _project)
