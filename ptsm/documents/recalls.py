"""Recalls: what another app has to say in the documents of a step of the method, without the
document's app knowing that app (the roadmap does not import consultations).

A document's context builder (or a page) asks `recalls_for(project, step, ref)` and prints the
sections it gets, each a heading and items of a title and paragraphs. Apps register a
`RecallSource` from their `AppConfig.ready()`; a source answers for the steps it knows, with
plain French text (the documents' typography is applied with the rest of the context).

Steps: "diagnostic" (the report; `ref` is empty), "feuille-de-route" (the roadmap document),
"bilan" (a review: `ref` is its document stem, e.g. "bilan-6-mois"), "seance" (a meeting's
page: `ref` is the meeting's id).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RecallItem:
    title: str
    paragraphs: tuple[str, ...]
    url: str = ""  # a page showing it in full (pages link to it; documents leave it out)


@dataclass(frozen=True)
class RecallSection:
    heading: str
    items: tuple[RecallItem, ...]

    def as_context(self) -> dict:
        return {
            "heading": self.heading,
            "entries": [{"title": i.title, "paragraphs": list(i.paragraphs)} for i in self.items],
        }


@dataclass(frozen=True)
class RecallSource:
    key: str
    # (project, step, ref) -> a section, or None when the source has nothing for that step.
    recall: Callable[[object, str, str], RecallSection | None]
    order: int = 100


_SOURCES: dict[str, RecallSource] = {}


def register(source: RecallSource) -> RecallSource:
    existing = _SOURCES.get(source.key)
    if existing is not None and existing != source:
        raise ValueError(f"Recall source {source.key!r} is already registered.")
    _SOURCES[source.key] = source
    return source


def recalls_for(project, step: str, ref: str = "") -> list[RecallSection]:
    sections = []
    for source in sorted(_SOURCES.values(), key=lambda s: (s.order, s.key)):
        section = source.recall(project, step, ref)
        if section is not None and section.items:
            sections.append(section)
    return sections


def recalls_context(project, step: str, ref: str = "") -> list[dict]:
    """The recalls as plain data for a document's context."""
    return [section.as_context() for section in recalls_for(project, step, ref)]
