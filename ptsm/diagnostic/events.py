"""The diagnostic's method event (registered from `DiagnosticConfig.ready()`)."""

from ptsm.projects.events import MethodEvent, register
from ptsm.projects.models import MilestoneKey, Phase

DIAGNOSTIC_VALIDATED = register(
    MethodEvent(
        key="diagnostic-valide",
        label="Validation du diagnostic partagé par le COPIL",
        reaches=Phase.ROADMAP,
        milestone=MilestoneKey.DIAGNOSTIC_VALIDATED,
    )
)
