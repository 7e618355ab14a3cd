"""The durations that belong with the project's: each app that commits partners for a time (the
framing letter, the commitment letters) registers its duration here, and the project's form sets
them all in one place, beside the project's own duration and its contract's.

`projects` imports no domain app: a `LinkedDuration` is read and written through the callables its
app gives (`current`, `frozen`, `save`), from its `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass

MIN_MONTHS, MAX_MONTHS = 1, 60


@dataclass(frozen=True)
class LinkedDuration:
    key: str  # the form field's name, e.g. "framing_duration_months"
    label: str
    help_text: str
    # The duration in months, or None when it does not apply to this project (the commitments
    # of a CTSM follow its contract).
    current: Callable[[object], int | None]
    # Why it can no longer change ("" while it can): a signed letter keeps its duration.
    frozen: Callable[[object], str]
    # Writes the new duration through the app's service (called only when it changed).
    save: Callable[..., None]  # save(project=, months=, user=)
    order: int = 100


_DURATIONS: dict[str, LinkedDuration] = {}


def register(duration: LinkedDuration) -> LinkedDuration:
    _DURATIONS[duration.key] = duration
    return duration


def linked_durations() -> list[LinkedDuration]:
    return sorted(_DURATIONS.values(), key=lambda d: (d.order, d.key))
