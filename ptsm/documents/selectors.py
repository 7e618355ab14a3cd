"""Reads of the documents app: what can be generated for a project and the latest files."""

from contextlib import ExitStack
from dataclasses import dataclass

from django.db.models import PROTECT, Exists, OuterRef, Q

from ptsm.accounts.models import Role
from ptsm.accounts.permissions import (
    Capability,
    role_allows,
    sees_every_operator,
    visible_operator,
)

from .models import GeneratedDocument
from .registry import (
    FORMAT_LABELS,
    PUBLIC_BY_DEFAULT,
    PUBLIC_OPTIONAL,
    DocumentKind,
    Freeze,
    Variant,
    all_kinds,
    bulk_scopes,
    get_kind,
)


def latest_documents(project) -> dict[tuple[str, str, str], GeneratedDocument]:
    """The newest version of each (kind, variant, format) of a project, in one query."""
    newer = GeneratedDocument.objects.filter(
        project_id=OuterRef("project_id"),
        kind=OuterRef("kind"),
        variant=OuterRef("variant"),
        format=OuterRef("format"),
        version__gt=OuterRef("version"),
    )
    documents = (
        GeneratedDocument.objects.filter(project=project)
        .filter(~Exists(newer))
        .select_related("generated_by")
    )
    return {(d.kind, d.variant, d.format): d for d in documents}


@dataclass(frozen=True)
class FormatRow:
    format: str
    label: str
    file_name: str
    latest: GeneratedDocument | None  # the frozen file when the variant is frozen
    frozen: Freeze | None = None


@dataclass(frozen=True)
class DocumentRow:
    kind: DocumentKind
    variant: Variant
    formats: list[FormatRow]
    unavailable: str | None = None  # why it cannot be generated yet
    notice: str | None = None  # what the document leaves out (`DocumentKind.notice`)

    @property
    def in_background(self) -> bool:
        """Whether « Générer » starts the kind's job (every format at once) rather than
        composing one file in the request (`DocumentKind.background_job`)."""
        return self.kind.background_job is not None

    @property
    def generable(self) -> list[FormatRow]:
        """The formats that may be generated: none while the kind is not available yet, and not
        a frozen file — unless it was never stored (validated before files were frozen)."""
        if self.unavailable:
            return []
        return [f for f in self.formats if f.frozen is None or f.latest is None]


@dataclass(frozen=True)
class Viewer:
    """Who asks for a document: their role in the project and the organisation they act for."""

    role: Role | None
    organisation_id: int | None = None


def _kind_allowed(kind: DocumentKind, project, viewer: Viewer, drafts: dict) -> bool:
    if kind.gathers_operators and not sees_every_operator(viewer.role):
        return False
    if kind.is_draft is not None and not role_allows(viewer.role, Capability.VIEW_DRAFTS):
        if kind.slug not in drafts:
            drafts[kind.slug] = kind.is_draft(project)
        return not drafts[kind.slug]
    return True


def _variant_allowed(kind: DocumentKind, variant_key: str, viewer: Viewer) -> bool:
    if kind.owner_organisation is None:
        return True
    owner = kind.owner_organisation(variant_key)
    return owner is None or visible_operator(viewer.role, viewer.organisation_id, owner)


def may_download(project, viewer: Viewer, *, kind_slug: str, variant_key: str) -> bool:
    """Whether this viewer may see and download a file of this kind and variant: a signataire
    d'opérateur gets only their organisation's annex and the project-wide documents that are
    not drafts; a lecteur gets every document that is not a draft."""
    try:
        kind = get_kind(kind_slug)
    except KeyError:  # a kind no longer registered: only for the roles that see everything
        return sees_every_operator(viewer.role) and role_allows(viewer.role, Capability.VIEW_DRAFTS)
    return _kind_allowed(kind, project, viewer, {}) and _variant_allowed(kind, variant_key, viewer)


def document_catalogue(project, viewer: Viewer | None = None) -> list[DocumentRow]:
    """Every document the project can have (only those the viewer may download, when given).
    A frozen variant shows its frozen file; a kind that cannot be generated yet says why. The
    apps' bulk scopes are entered: kinds that list their variants from the same data (the
    fiches-actions, the operators' annexes) read it once."""
    with ExitStack() as scopes:
        for scope in bulk_scopes():
            scopes.enter_context(scope())
        return _catalogue(project, viewer)


def _catalogue(project, viewer: Viewer | None) -> list[DocumentRow]:
    from .services import frozen_document, frozen_documents, frozen_states, unavailable_reason

    latest = latest_documents(project)
    drafts: dict[str, bool] = {}
    kinds = [
        kind
        for kind in all_kinds()
        if viewer is None or _kind_allowed(kind, project, viewer, drafts)
    ]
    unavailable_by_kind = {kind.slug: unavailable_reason(project, kind) for kind in kinds}
    notices = {
        kind.slug: kind.notice(project)
        for kind in kinds
        if kind.notice and not unavailable_by_kind[kind.slug]
    }
    memo: dict = {}
    states_by_kind = {
        kind.slug: {} if unavailable_by_kind[kind.slug] else frozen_states(project, kind, memo)
        for kind in kinds
    }
    stored = frozen_documents(project, states_by_kind)
    rows = []
    for kind in kinds:
        unavailable, states = unavailable_by_kind[kind.slug], states_by_kind[kind.slug]
        for variant in kind.variants_for(project):
            if viewer is not None and not _variant_allowed(kind, variant.key, viewer):
                continue
            formats = []
            for fmt in kind.formats:
                freeze = states.get(variant.key)
                document = (
                    frozen_document(project, kind, variant.key, fmt, freeze, stored)
                    if freeze
                    else None
                )
                formats.append(
                    FormatRow(
                        format=fmt,
                        label=FORMAT_LABELS.get(fmt, fmt.upper()),
                        file_name=f"{variant.file_stem}.{fmt}",
                        latest=document or latest.get((kind.slug, variant.key, fmt)),
                        frozen=freeze,
                    )
                )
            rows.append(DocumentRow(kind, variant, formats, unavailable, notices.get(kind.slug)))
    return rows


@dataclass(frozen=True)
class DocumentSection:
    title: str
    rows: list[DocumentRow]


def by_section(rows: list[DocumentRow]) -> list[DocumentSection]:
    """The catalogue's rows under the method's steps, in the order the kinds come."""
    sections: dict[str, list[DocumentRow]] = {}
    for row in rows:
        sections.setdefault(row.kind.section, []).append(row)
    return [DocumentSection(title, section_rows) for title, section_rows in sections.items()]


def downloadable_files(rows: list[DocumentRow]) -> list[FormatRow]:
    """The latest stored file of every document of the catalogue (the frozen one when frozen):
    what « Tout télécharger » puts in its ZIP."""
    return [
        fmt for row in rows if not row.unavailable for fmt in row.formats if fmt.latest is not None
    ]


def document_history(project, kind: str, variant: str, fmt: str):
    return GeneratedDocument.objects.filter(
        project=project, kind=kind, variant=variant, format=fmt
    ).select_related("generated_by")


def archived_condition() -> Q:
    """Documents held by a version record (a letter or annex version that was circulated,
    validated or signed: PROTECT foreign keys to GeneratedDocument) or frozen by a COPIL
    validation (`frozen_key`). They are evidence, kept under
    the legal-archive basis; every other stored generation is a draft that can be regenerated."""
    condition = ~Q(frozen_key="")  # frozen by a validation or a signature
    for relation in GeneratedDocument._meta.get_fields(include_hidden=True):
        if relation.one_to_many and relation.auto_created and relation.on_delete is PROTECT:
            holders = relation.related_model.objects.filter(**{relation.field.name: OuterRef("pk")})
            condition |= Q(Exists(holders))
    return condition


def archived_among(pks: list[int]) -> set[int]:
    """Which of these stored documents are evidence (see `archived_condition`), in one query."""
    return set(
        GeneratedDocument.objects.filter(archived_condition(), pk__in=pks).values_list(
            "pk", flat=True
        )
    )


def is_archived(document: GeneratedDocument) -> bool:
    return GeneratedDocument.objects.filter(archived_condition(), pk=document.pk).exists()


# The project's public page (pilotage): the frozen PDF of the kinds its chef de projet publishes.


def publishable_kinds() -> list[DocumentKind]:
    """The kinds whose frozen PDF may be offered on a project's public page (see
    `DocumentKind.publication`): never a draft, never a file listing contacts."""
    return [
        kind
        for kind in all_kinds()
        if kind.publication in (PUBLIC_OPTIONAL, PUBLIC_BY_DEFAULT) and "pdf" in kind.formats
    ]


def default_public_kinds() -> list[str]:
    return [kind.slug for kind in publishable_kinds() if kind.publication == PUBLIC_BY_DEFAULT]


@dataclass(frozen=True)
class PublicFile:
    kind: DocumentKind
    variant: Variant
    frozen_on: object  # date of the validation or signature that froze it
    document: GeneratedDocument | None  # None: frozen but its PDF never generated yet

    @property
    def title(self) -> str:
        return self.variant.title if self.variant.key else self.kind.title


def public_files(project, kind_slugs) -> list[PublicFile]:
    """The frozen PDF files of these kinds (publishable ones only), in the kinds' order: what a
    validation or a signature fixed, served as stored. A kind not frozen yet (a draft, a letter
    being written) gives nothing. A few queries per kind, whatever the number of files."""
    with ExitStack() as scopes:
        for scope in bulk_scopes():
            scopes.enter_context(scope())
        return _public_files(project, set(kind_slugs))


def _public_files(project, chosen: set[str]) -> list[PublicFile]:
    from .services import frozen_document, frozen_documents, frozen_states, unavailable_reason

    kinds = [
        kind
        for kind in publishable_kinds()
        if kind.slug in chosen and not (kind.is_draft is not None and kind.is_draft(project))
    ]
    memo: dict = {}
    states = {
        kind.slug: {} if unavailable_reason(project, kind) else frozen_states(project, kind, memo)
        for kind in kinds
    }
    stored = frozen_documents(project, states)
    files = []
    for kind in kinds:
        if not states[kind.slug]:
            continue
        for variant in kind.variants_for(project):
            freeze = states[kind.slug].get(variant.key)
            if freeze is None:
                continue
            document = frozen_document(project, kind, variant.key, "pdf", freeze, stored)
            files.append(PublicFile(kind, variant, freeze.on, document))
    return files
