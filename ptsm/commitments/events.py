"""The commitments' method event (registered from `CommitmentsConfig.ready()`)."""

from ptsm.projects.events import MethodEvent, register
from ptsm.projects.models import MilestoneKey, Phase

COMMITMENTS_SIGNED = register(
    MethodEvent(
        key="engagements-signes",
        label="Signature des lettres d'engagement par tous les opérateurs",
        reaches=Phase.IMPLEMENTATION,
        milestone=MilestoneKey.COMMITMENTS_SIGNED,
    )
)
