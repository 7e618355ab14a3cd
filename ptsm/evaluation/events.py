"""The reviews' method events (registered from `EvaluationConfig.ready()`): the 6-month review
opens the evaluation phase, the final review closes the démarche."""

from ptsm.projects.events import MethodEvent, register
from ptsm.projects.models import MilestoneKey, Phase

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
