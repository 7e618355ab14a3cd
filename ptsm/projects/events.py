"""Registry of the method events: what happens in a project (a letter signed, a document
validated by the COPIL…) and the phase and milestone it moves.

Domain apps declare their events from their `AppConfig.ready()` (as they register their document
kinds) and their services report them with `ptsm.projects.services.record_method_event` when
they happen: `projects` never imports a domain app.
"""

from dataclasses import dataclass

from .models import MilestoneKey, Phase


@dataclass(frozen=True)
class MethodEvent:
    key: str
    label: str  # French, shown in the phase history: « Signature de la lettre de cadrage »
    reaches: Phase | None = None  # the phase the project is in once it happened
    milestone: MilestoneKey | None = None  # the default milestone it closes


_EVENTS: dict[str, MethodEvent] = {}


def register(event: MethodEvent) -> MethodEvent:
    existing = _EVENTS.get(event.key)
    if existing is not None and existing != event:
        raise ValueError(f"Method event {event.key!r} is already registered differently.")
    _EVENTS[event.key] = event
    return event


def get_event(key: str) -> MethodEvent:
    try:
        return _EVENTS[key]
    except KeyError:
        raise LookupError(f"Unknown method event {key!r}: register it from ready().") from None


def registered_events() -> list[MethodEvent]:
    return list(_EVENTS.values())


def closing_event(milestone_key: str) -> MethodEvent | None:
    """The event that closes a method's milestone (None for a milestone added by hand)."""
    if not milestone_key:
        return None
    return next((e for e in _EVENTS.values() if e.milestone == milestone_key), None)


def event_label(key: str) -> str:
    event = _EVENTS.get(key)
    return event.label if event else key
