"""The commitments' duration against the project's end (see projects.consistency)."""

from ptsm.core.formatting import french_date, plural
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
