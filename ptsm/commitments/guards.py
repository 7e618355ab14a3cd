"""What the commitments keep from deletion: signatories, the contacts a sent or signed
commitment names, and every project with a signature."""

from ptsm.core.guards import counted, register_deletion_guard

from .models import Signatory, SignatoryStatus, SignatureRecord


def _organisation(organisation) -> list[str]:
    signatories = Signatory.objects.filter(organisation=organisation)
    signed = signatories.filter(status=SignatoryStatus.SIGNED).count()
    if signed:
        return ["un engagement signé (lettre d'engagement et son annexe)"]
    return counted(
        signatories.count(),
        "place de signataire dans la lettre d'engagement",
        "places de signataire dans la lettre d'engagement",
    )


def _contact(contact) -> list[str]:
    named = Signatory.objects.filter(
        contact=contact, status__in=[SignatoryStatus.SENT, SignatoryStatus.SIGNED]
    ).count()
    return counted(
        named,
        "engagement envoyé ou signé qui le désigne comme signataire",
        "engagements envoyés ou signés qui le désignent comme signataire",
    )


def _project(project) -> list[str]:
    return counted(
        SignatureRecord.objects.filter(signatory__letter__project=project).count(),
        "signature d'un engagement",
        "signatures d'engagements",
    )


def register() -> None:
    register_deletion_guard("organisations.Organisation", _organisation)
    register_deletion_guard("organisations.Contact", _contact)
    register_deletion_guard("projects.Project", _project)
