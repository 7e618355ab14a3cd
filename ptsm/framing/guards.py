"""What the framing letter keeps from deletion: its signed versions and their signatories."""

from django.db.models import Q

from ptsm.core.guards import counted, register_deletion_guard

from .models import FramingLetter, LetterVersion


def _contact(contact) -> list[str]:
    signed = (
        FramingLetter.objects.filter(Q(ars_signatory=contact) | Q(cd_signatory=contact))
        .filter(versions__signed=True)
        .exists()
    )
    return ["signataire de la lettre de cadrage signée"] if signed else []


def _project(project) -> list[str]:
    return counted(
        LetterVersion.objects.filter(letter__project=project, signed=True).count(),
        "version signée de la lettre de cadrage",
        "versions signées de la lettre de cadrage",
    )


def register() -> None:
    register_deletion_guard("organisations.Contact", _contact)
    register_deletion_guard("projects.Project", _project)
