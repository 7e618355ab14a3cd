"""The commitments' duration against the project's end (see projects.consistency)."""

from ptsm.core.formatting import french_date, plural
from ptsm.projects.durations import LinkedDuration
from ptsm.projects.models import MilestoneKey, add_months


def commitment_warnings(project) -> list[str]:
    """For a PTSM alone, commitments running past the project's planned end (a contract's
    commitments run for the contract, which sets the end)."""
    from .models import DEFAULT_DURATION_MONTHS, CommitmentLetter

    if project.contract_months:
        return []
    months = (
        CommitmentLetter.objects.filter(project=project)
        .values_list("duration_months", flat=True)
        .first()
        or DEFAULT_DURATION_MONTHS
    )
    milestone = (
        project.milestones.filter(key=MilestoneKey.COMMITMENTS_SIGNED)
        .values_list("done_on", "due_date")
        .first()
    )
    if milestone is None:
        return []
    start = milestone[0] or milestone[1]
    end = add_months(start, months)
    if end <= project.planned_end_date:
        return []
    return [
        f"Les engagements ({plural(months, 'mois', 'mois')} à compter du {french_date(start)}) "
        f"courent jusqu'au {french_date(end)}, après la fin prévue du projet "
        f"({french_date(project.planned_end_date)}) : allongez le projet, raccourcissez les "
        "engagements, ou suivez-les dans un CTSM."
    ]


def _current_duration(project) -> int | None:
    from .models import DEFAULT_DURATION_MONTHS, CommitmentLetter

    if project.contract_months:
        return None  # a contract's commitments run for the contract
    months = (
        CommitmentLetter.objects.filter(project=project)
        .values_list("duration_months", flat=True)
        .first()
    )
    return months or DEFAULT_DURATION_MONTHS


def _frozen(project) -> str:
    from .models import Signatory, SignatoryStatus

    signed = Signatory.objects.filter(
        letter__project=project, status=SignatoryStatus.SIGNED
    ).count()
    if not signed:
        return ""
    return (
        f"{plural(signed, 'annexe signée', 'annexes signées')} : la durée des engagements ne "
        "change que par un avenant."
    )


def _save_duration(*, project, months: int, user) -> None:
    from .services import ensure_letter, update_settings

    letter = ensure_letter(project=project)
    update_settings(
        letter=letter,
        signature_mode=letter.signature_mode,
        duration_months=months,
        session=letter.session,
    )


COMMITMENTS_DURATION = LinkedDuration(
    key="commitments_duration_months",
    label="Durée des engagements des opérateurs (mois)",
    help_text="Les lettres d'engagement d'un PTSM seul engagent les opérateurs pour cette durée, "
    "à compter de la dernière signature (celles d'un CTSM suivent la durée du contrat).",
    current=_current_duration,
    frozen=_frozen,
    save=_save_duration,
    order=20,
)
