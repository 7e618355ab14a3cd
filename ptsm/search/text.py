"""Matching a query against text fields: PostgreSQL's French full-text search (unaccented,
stemmed, word prefixes) when the database is PostgreSQL, a plain « contains every word » on SQLite."""

import re

from django.db import connections
from django.db.models import Q, QuerySet

# Created by this app's migration on PostgreSQL: the French configuration with `unaccent`
# before the stemmer, so that « hopital » finds « Hôpital » and « psychiatriques » finds
# « psychiatrie ».
CONFIG = "french_unaccent"
MAX_TERMS = 8
MAX_TERM_LENGTH = 40


def terms_of(query: str) -> list[str]:
    """The words of what the user typed (punctuation and tsquery operators dropped), bounded."""
    return [word[:MAX_TERM_LENGTH] for word in re.findall(r"\w+", query)][:MAX_TERMS]


def matching(queryset: QuerySet, fields: list[str], terms: list[str]) -> QuerySet:
    """`queryset` restricted to rows whose `fields` contain every term, best matches first."""
    if not terms:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*fields, config=CONFIG)
        query = SearchQuery(
            " & ".join(f"{term}:*" for term in terms), config=CONFIG, search_type="raw"
        )
        return (
            queryset.annotate(search_vector=vector, search_rank=SearchRank(vector, query))
            .filter(search_vector=query)
            .order_by("-search_rank")
        )
    condition = Q()
    for term in terms:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        condition &= any_field
    return queryset.filter(condition)
