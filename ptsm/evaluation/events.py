"""The reviews' method events (registered from `EvaluationConfig.ready()`).

For a PTSM alone, the 6-month review opens the evaluation phase and the final review closes
the démarche. A contract (CTSM) stays in implementation through its 6-month and annual reviews;
its last annual review opens the evaluation phase (its last year), the final review closes it.
"""

from ptsm.projects.events import MethodEvent, register
from ptsm.projects.models import MAX_ANNUAL_REVIEWS, MilestoneKey, Phase

from .models import ReviewKind

REVIEW_VALIDATED = {
    ReviewKind.SIX_MONTHS: register(
        MethodEvent(
            key="bilan-6-mois-valide",
            label="Validation du bilan à 6 mois par le COPIL",
            reaches=Phase.EVALUATION,
            milestone=MilestoneKey.SIX_MONTH_REVIEW,
        )
    ),
    ReviewKind.FINAL: register(
        MethodEvent(
            key="bilan-final-valide",
            label="Validation du bilan final par le COPIL",
            reaches=Phase.CLOSED,
            milestone=MilestoneKey.FINAL_REVIEW,
        )
    ),
}
# During a contract: the 6-month review and the annual reviews but the last keep the project
# in implementation.
CONTRACT_SIX_MONTH_VALIDATED = register(
    MethodEvent(
        key="bilan-6-mois-valide-contrat",
        label="Validation du bilan à 6 mois du contrat par le COPIL",
        reaches=Phase.IMPLEMENTATION,
        milestone=MilestoneKey.SIX_MONTH_REVIEW,
    )
)
ANNUAL_REVIEW_VALIDATED = {
    (number, last): register(
        MethodEvent(
            key=f"bilan-annuel-{number}-valide" + ("-dernier" if last else ""),
            label=f"Validation du bilan annuel n°\u00a0{number} par le COPIL"
            + (" (dernière année du contrat)" if last else ""),
            reaches=Phase.EVALUATION if last else Phase.IMPLEMENTATION,
            milestone=MilestoneKey.annual_review(number),
        )
    )
    for number in range(1, MAX_ANNUAL_REVIEWS + 1)
    for last in (False, True)
}


def validated_event(project, kind: str, number: int = 0) -> MethodEvent:
    """The event a review's COPIL validation reports, for this project."""
    annual = project.annual_reviews
    if kind == ReviewKind.ANNUAL:
        return ANNUAL_REVIEW_VALIDATED[(number, number == annual)]
    if kind == ReviewKind.SIX_MONTHS and project.is_contract:
        return REVIEW_VALIDATED[kind] if not annual else CONTRACT_SIX_MONTH_VALIDATED
    return REVIEW_VALIDATED[kind]
