"""The project's search: every registered kind the user's role may see, one query each."""

from dataclasses import dataclass

from ptsm.accounts.permissions import role_allows

from .registry import Hit, kinds
from .text import terms_of

HITS_PER_KIND = 10
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class ResultGroup:
    key: str
    label: str
    hits: list[Hit]
    more: bool  # more hits than shown: the user should refine the query


def search_project(project, role, query: str, *, access=None) -> list[ResultGroup]:
    terms = terms_of(query)
    if not terms:
        return []
    groups = []
    for kind in kinds():
        if not role_allows(role, kind.capability):
            continue
        hits = list(kind.find(project, terms, access, HITS_PER_KIND + 1))
        if hits:
            groups.append(
                ResultGroup(kind.key, kind.label, hits[:HITS_PER_KIND], len(hits) > HITS_PER_KIND)
            )
    return groups
