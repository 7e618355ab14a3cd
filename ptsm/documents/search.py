"""The documents' part of the project's search: the kinds of documents the project can produce,
by their title and description (« lettre », « annexe », « synthèse »…), linked to their row on the
Documents page."""

import unicodedata

from django.urls import reverse

from ptsm.search.registry import Hit, SearchKind, register

from .registry import all_kinds


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def find_documents(project, terms, access, limit):
    words = [_folded(term) for term in terms]
    page = reverse("documents:list", kwargs={"slug": project.slug})
    hits = []
    for kind in all_kinds():
        text = _folded(f"{kind.title} {kind.description}")
        if all(word in text for word in words):
            anchor = f"#document-{kind.slug}" if kind.variants is None else ""
            hits.append(Hit(title=kind.title, url=page + anchor, detail=kind.description))
    return hits[:limit]


register(SearchKind("documents", "Documents", find_documents, order=70))
