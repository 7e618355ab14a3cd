"""The kinds of background work apps declare (from their AppConfig.ready()).

A handler receives the job and a `Progress` and does the work in steps that can be repeated:
when a worker dies mid-way the job is run again from the start by another worker, so each step
must leave things as one run would (store_document keeps one version of identical bytes, an
import re-checks every line, an e-mail records that it was sent before the next is sent).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobResult:
    url: str = ""  # where the user finds the result (a download, a report page)
    label: str = ""  # the link's text, e.g. "Télécharger la liasse"
    message: str = ""  # a sentence shown on the job page, e.g. "152 établissements importés."
    details: tuple[str, ...] = ()  # lines shown under it (an import's skipped lines)


@dataclass(frozen=True)
class JobKind:
    slug: str
    title: str
    handler: Callable  # (job, progress) -> JobResult
    capability: str  # the capability a user needs in the project to start it and to see it


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    if kind.slug in _KINDS and _KINDS[kind.slug] is not kind:
        raise ValueError(f"Job kind {kind.slug!r} is already registered")
    _KINDS[kind.slug] = kind
    return kind


def get_kind(slug: str) -> JobKind:
    return _KINDS[slug]
