"""Accent- and case-insensitive matching in the database: « hopital » finds « Hôpital ».

`Folded(expression)` lowers and strips the accents of a text column: PostgreSQL's `unaccent`
(the extension the `search` app's migration creates), on SQLite a Python function registered on
each connection (`register_sqlite_fold`, from `CoreConfig.ready`). Compare it with `fold(text)`.
"""

import unicodedata

from django.db.models import CharField, Func
from django.db.models.functions import Lower

SQLITE_FUNCTION = "ptsm_fold"


def fold(text: str | None) -> str:
    """`text` in lower case, without its accents (« Élan » → « elan »)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Folded(Func):
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(expression), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="UNACCENT", **extra_context)

    def as_sql(self, compiler, connection, **extra_context):
        # Other databases: case only.
        return compiler.compile(self.source_expressions[0])


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)
