"""The framing letter's method event (registered from `FramingConfig.ready()`)."""

from ptsm.projects.events import MethodEvent, register
from ptsm.projects.models import MilestoneKey, Phase

LETTER_SIGNED = register(
    MethodEvent(
        key="lettre-de-cadrage-signee",
        label="Signature de la lettre de cadrage",
        reaches=Phase.DIAGNOSTIC,
        milestone=MilestoneKey.FRAMING_SIGNED,
    )
)
