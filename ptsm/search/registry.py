"""What the project's search box finds: each domain app registers the kinds of things it owns.

`search` knows nothing of the domain (as `documents` knows nothing of what it renders): an app
registers `SearchKind(key, label, find, capability)` from its `AppConfig.ready()`, where
`find(project, terms, access, limit)` returns at most `limit` hits in one query (or two).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ptsm.accounts.permissions import Capability


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchKind:
    key: str
    label: str  # the group's heading on the results page, plural (« Organisations »)
    find: Callable[..., Iterable[Hit]]
    capability: str = Capability.VIEW_PROJECT
    order: int = 100


_kinds: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> None:
    _kinds[kind.key] = kind


def kinds() -> list[SearchKind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.label))
