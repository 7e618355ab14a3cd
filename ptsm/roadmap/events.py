"""The roadmap's method event (registered from `RoadmapConfig.ready()`)."""

from ptsm.projects.events import MethodEvent, register
from ptsm.projects.models import MilestoneKey, Phase

ROADMAP_VALIDATED = register(
    MethodEvent(
        key="feuille-de-route-validee",
        label="Validation de la feuille de route par le COPIL",
        reaches=Phase.COMMITMENT,
        milestone=MilestoneKey.ROADMAP_VALIDATED,
    )
)
