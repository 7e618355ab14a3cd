"""The document kinds apps register, and how each format is rendered.

A kind builds one context (plain data) per variant — e.g. one annex per operator — and every
format of the kind renders that same context, so the DOCX and the PDF carry the same content.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

Renderer = Callable[[dict], bytes]

FORMAT_LABELS = {
    "docx": "Word (DOCX)",
    "pdf": "PDF/A",
    "pptx": "PowerPoint (PPTX)",
    "xlsx": "Excel (XLSX)",
}
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# `DocumentKind.publication`: may its frozen PDF be offered on the project's public page?
NOT_PUBLIC, PUBLIC_OPTIONAL, PUBLIC_BY_DEFAULT = "", "optional", "default"


@dataclass(frozen=True)
class Variant:
    key: str  # stored with the document ("" for single-file kinds)
    file_stem: str  # stable French kebab-case name, e.g. "annexe-chu-brest"
    title: str


def unique_stems(variants: list[Variant]) -> list[Variant]:
    """The variants with distinct file names: a stem already used gets "-2", "-3"… so that two
    variants never write one file (in an export folder, a download, an e-mail)."""
    taken: set[str] = set()
    unique = []
    for variant in variants:
        stem, number = variant.file_stem, 2
        while stem in taken:
            stem, number = f"{variant.file_stem}-{number}", number + 1
        taken.add(stem)
        unique.append(variant if stem == variant.file_stem else replace(variant, file_stem=stem))
    return unique


@dataclass(frozen=True)
class Freeze:
    """A variant whose documents were fixed by a workflow step (a letter validated or signed, a
    COPIL validation): they are served as stored, never generated again, until the workflow
    makes a new version (a new `key`)."""

    key: str  # the step that froze it, e.g. "feuille-de-route-v2": a new step, a new version
    on: dt.date  # shown as "version figée le …"
    # Files the workflow already holds (a letter version's PDF and DOCX): format -> document pk.
    documents: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentKind:
    slug: str
    title: str
    description: str
    build_context: Callable[..., dict]  # (project, variant_key) -> context
    renderers: dict[str, Renderer]
    variants: Callable[..., list[Variant]] | None = None  # (project) -> variants
    # Optional: every variant's context at once, {variant key: context}, when reading them one by
    # one would repeat the same queries (e.g. one fiche-action per variant).
    build_all_contexts: Callable[..., dict[str, dict]] | None = None
    order: int = 100
    # The heading the Documents page shows it under: the method's step it belongs to
    # (« Cadrage », « Feuille de route »…); sections follow their first kind's order.
    section: str = "Autres documents"
    extra: dict = field(default_factory=dict)
    # Who may download the files (see `selectors.may_download`). `owner_organisation`: the
    # organisation a variant belongs to (an operator's annex: only that operator's signataire sees
    # it); `gathers_operators`: the file holds every operator's part (not for a signataire);
    # `is_draft`: (project) -> whether the project's current state makes the files drafts
    # (not for a lecteur or a signataire).
    owner_organisation: Callable[[str], int | None] | None = None
    gathers_operators: bool = False
    is_draft: Callable[..., bool] | None = None
    # (project) -> {variant key: Freeze} for the variants frozen now (see `Freeze`).
    frozen: Callable[..., dict[str, Freeze]] | None = None
    # (project) -> why nothing can be generated yet (in French), or None when it can.
    unavailable_reason: Callable[..., str | None] | None = None
    # (project) -> a remark the Documents page shows under the kind (in French: what the
    # document leaves out, e.g. the fiches-actions without a plain-language summary), or None.
    notice: Callable[..., str | None] | None = None
    # Whether the chef de projet may offer its frozen PDF on the project's public page:
    # NOT_PUBLIC (the default: drafts, files listing contacts), PUBLIC_OPTIONAL, or
    # PUBLIC_BY_DEFAULT (ticked until the chef de projet says otherwise).
    publication: str = ""
    # What the chef de projet should know before publishing it (who it names, and how).
    publication_note: str = ""
    # Optional: (project=, variant_key=, user=) -> the job that generates the variant's files
    # in the background. Set by the app that registers the kind (it owns the job), so that the
    # Documents page starts that same job instead of composing a long file in the request,
    # without this app importing the domain app (the reviews: one job per review, all formats).
    background_job: Callable[..., object] | None = None

    def variants_for(self, project) -> list[Variant]:
        if self.variants is None:
            return [Variant(key="", file_stem=self.slug, title=self.title)]
        return unique_stems(self.variants(project))

    @property
    def formats(self) -> list[str]:
        return list(self.renderers)


_KINDS: dict[str, DocumentKind] = {}
# Context managers entered while many documents are built in a row: an app can read its data
# once for all of them (see generate_all).
_BULK_SCOPES: list[Callable] = []


def register_bulk_scope(scope: Callable) -> None:
    if scope not in _BULK_SCOPES:
        _BULK_SCOPES.append(scope)


def bulk_scopes() -> list[Callable]:
    return list(_BULK_SCOPES)


def register(kind: DocumentKind) -> DocumentKind:
    if kind.slug in _KINDS and _KINDS[kind.slug] is not kind:
        raise ValueError(f"Document kind {kind.slug!r} is already registered")
    _KINDS[kind.slug] = kind
    return kind


def get_kind(slug: str) -> DocumentKind:
    return _KINDS[slug]


def all_kinds() -> list[DocumentKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.slug))


def template_path(app_module_file: str, *parts: str) -> Path:
    return Path(app_module_file).resolve().parent.joinpath(*parts)
