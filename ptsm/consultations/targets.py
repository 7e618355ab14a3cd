"""The steps of the method a consultation can be about, read through the other apps'
selectors: a consultation stores the step's kind and reference (`target_kind`, `target_ref`)
and its name at the time, so that nothing here reaches into diagnostic, roadmap or evaluation
internals and the documents of that step can find it back (`recalls.py`)."""

from dataclasses import dataclass

from ptsm.core.anap import EntryDoor

from .models import TargetKind


@dataclass(frozen=True)
class Target:
    kind: str
    ref: str
    label: str

    @property
    def value(self) -> str:
        """The form's value: « kind:ref »."""
        return f"{self.kind}:{self.ref}"


def _door_targets(project) -> list[Target]:
    return [
        Target(
            TargetKind.DIAGNOSTIC,
            str(door.value),
            f"Constats de la porte d'entrée {door.value} : {door.label}",
        )
        for door in EntryDoor
    ]


def _action_targets(project) -> list[Target]:
    from ptsm.roadmap.selectors import live_actions

    actions = live_actions([project.pk]).select_related("objective__theme__orientation")
    rows = sorted(actions, key=lambda a: [int(p) if p.isdigit() else 0 for p in a.code.split(".")])
    return [
        Target(TargetKind.ACTION, str(a.pk), f"Fiche-action {a.code} : {a.title}") for a in rows
    ]


def _review_targets(project) -> list[Target]:
    from ptsm.evaluation.selectors import review_slots

    return [Target(TargetKind.REVIEW, slot.stem, slot.label) for slot in review_slots(project)]


def targets(project) -> list[Target]:
    """Every step a consultation of this project can be about, in the method's order."""
    return [
        *_door_targets(project),
        Target(TargetKind.ROADMAP, "", "Projet de feuille de route"),
        *_action_targets(project),
        *_review_targets(project),
    ]


def find_target(project, value: str) -> Target | None:
    return next((t for t in targets(project) if t.value == value), None)
