"""The framing letter's duration against the project's phases (see projects.consistency)."""

from ptsm.core.formatting import french_date, plural
from ptsm.projects.models import MilestoneKey, add_months


def framing_warnings(project) -> list[str]:
    from .models import FramingLetter

    letter = FramingLetter.objects.filter(project=project).only("duration_months").first()
    if letter is None:
        return []
    ends = add_months(project.start_date, letter.duration_months)
    months = plural(letter.duration_months, "mois", "mois")
    warnings = []
    planned = dict(
        project.milestones.filter(
            key__in=[MilestoneKey.DIAGNOSTIC_VALIDATED, MilestoneKey.COMMITMENTS_SIGNED]
        ).values_list("key", "due_date")
    )
    diagnostic = planned.get(MilestoneKey.DIAGNOSTIC_VALIDATED)
    signature = planned.get(MilestoneKey.COMMITMENTS_SIGNED)
    if diagnostic and ends < diagnostic:
        warnings.append(
            f"La lettre de cadrage engage pour {months} (jusqu'au {french_date(ends)}) : moins "
            f"que la phase de diagnostic, dont la validation est prévue le "
            f"{french_date(diagnostic)}."
        )
    elif signature and ends < signature:
        warnings.append(
            f"La lettre de cadrage engage pour {months} (jusqu'au {french_date(ends)}) : elle "
            f"prend fin avant la signature prévue des engagements ({french_date(signature)})."
        )
    return warnings
