"""Writes of the documents app: render a kind for a project and store the result."""

import datetime as dt
import hashlib
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ptsm.core.files import atomic_with_files, store_file
from ptsm.core.formatting import french_date

from .models import GeneratedDocument
from .registry import DocumentKind, Freeze, Variant, all_kinds, bulk_scopes, get_kind
from .rendering import ConcurrentRenderer, is_concurrent


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_meta(project, today: dt.date) -> dict:
    """Data every template shows: which project, which territory, when."""
    return {
        "project_name": project.name,
        "territory_name": project.territory.name,
        "document_date": {"year": today.year, "month": today.month, "day": today.day},
        "generated_on_label": french_date(today),
    }


def build_context(project, kind: DocumentKind, variant_key: str, today: dt.date) -> dict:
    context = kind.build_context(project, variant_key)
    context["meta"] = document_meta(project, today)
    return context


def render(project, kind: DocumentKind, variant_key: str, fmt: str, today: dt.date) -> bytes:
    return kind.renderers[fmt](build_context(project, kind, variant_key, today))


def _find_variant(project, kind: DocumentKind, variant_key: str) -> Variant:
    for variant in kind.variants_for(project):
        if variant.key == variant_key:
            return variant
    raise KeyError(f"Variante inconnue : {variant_key!r}")


class DocumentUnavailable(ValueError):
    """Nothing to generate yet (e.g. a review without content): the message says what is missing."""


@atomic_with_files
def store_document(
    *,
    project,
    kind: DocumentKind,
    variant: Variant,
    fmt: str,
    data: bytes,
    user=None,
    frozen_key: str = "",
) -> GeneratedDocument:
    """Keep a generated file as a new version, unless it is identical to the latest one.
    `frozen_key`: the workflow step that freezes this file (see `registry.Freeze`)."""
    digest = sha256_hex(data)
    # Lock the project's row: two requests storing the same document at once (a double click
    # on "Générer") get one version, never two, nor a clash on the version number.
    project_model = GeneratedDocument._meta.get_field("project").related_model
    list(project_model.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
    versions = GeneratedDocument.objects.filter(
        project=project, kind=kind.slug, variant=variant.key, format=fmt
    )
    latest = versions.order_by("-version").first()
    if latest is not None and latest.sha256 == digest:
        if frozen_key and latest.frozen_key != frozen_key:
            latest.frozen_key = frozen_key
            latest.save(update_fields=["frozen_key"])
        return latest
    document = GeneratedDocument(
        project=project,
        kind=kind.slug,
        variant=variant.key,
        format=fmt,
        file_name=f"{variant.file_stem}.{fmt}",
        sha256=digest,
        size=len(data),
        version=(versions.aggregate(v=Max("version"))["v"] or 0) + 1,
        generated_by=user if user is not None and user.is_authenticated else None,
        frozen_key=frozen_key,
    )
    store_file(document.content, document.file_name, data, content_addressed=True)
    document.save()
    return document


def frozen_states(project, kind: DocumentKind, memo: dict | None = None) -> dict[str, Freeze]:
    """Variant key -> how it is frozen, for the variants of this kind frozen now. `memo`: a dict
    kept while reading several kinds, so that kinds sharing one hook ask it once."""
    if kind.frozen is None:
        return {}
    if memo is None:
        return kind.frozen(project)
    if kind.frozen not in memo:
        memo[kind.frozen] = kind.frozen(project)
    return memo[kind.frozen]


def unavailable_reason(project, kind: DocumentKind) -> str | None:
    return kind.unavailable_reason(project) if kind.unavailable_reason is not None else None


class FrozenFiles:
    """The project's frozen files, read in two queries: those marked with a freeze key, and
    those a workflow holds (letter and annex versions)."""

    def __init__(self, project, pks=()):
        self.by_key: dict[tuple[str, str, str, str], GeneratedDocument] = {}
        for document in GeneratedDocument.objects.filter(project=project).exclude(frozen_key=""):
            key = (document.kind, document.variant, document.format, document.frozen_key)
            if key not in self.by_key or self.by_key[key].version < document.version:
                self.by_key[key] = document
        self.by_pk = GeneratedDocument.objects.in_bulk(list(pks)) if pks else {}


def frozen_documents(project, states: dict[str, dict[str, Freeze]] | None = None) -> FrozenFiles:
    """`states`: kind slug -> its frozen variants, whose held files are read at once."""
    pks = [
        pk
        for variants in (states or {}).values()
        for freeze in variants.values()
        for pk in freeze.documents.values()
    ]
    return FrozenFiles(project, pks)


def frozen_document(
    project, kind: DocumentKind, variant_key: str, fmt: str, freeze: Freeze, stored=None
) -> GeneratedDocument | None:
    """The file a freeze holds (`stored`: `frozen_documents(project)` when already read), or
    None when it was not generated yet (it will be, once, and kept)."""
    if fmt in freeze.documents:
        pk = freeze.documents[fmt]
        if stored is not None and pk in stored.by_pk:
            return stored.by_pk[pk]
        return GeneratedDocument.objects.get(pk=pk)
    if stored is not None:
        return stored.by_key.get((kind.slug, variant_key, fmt, freeze.key))
    return (
        GeneratedDocument.objects.filter(
            project=project, kind=kind.slug, variant=variant_key, format=fmt, frozen_key=freeze.key
        )
        .order_by("-version")
        .first()
    )


def _read(document: GeneratedDocument) -> bytes:
    with document.content.open("rb") as handle:
        return handle.read()


def generate_document(
    *, project, kind_slug: str, fmt: str, variant_key: str = "", user=None, today=None
) -> GeneratedDocument:
    """Generate and store one file. A frozen variant is not composed again: its frozen file is
    returned (composed once, the first time after the freeze)."""
    kind = get_kind(kind_slug)
    if fmt not in kind.renderers:
        raise KeyError(f"Format {fmt!r} indisponible pour {kind_slug}")
    variant = _find_variant(project, kind, variant_key)
    if reason := unavailable_reason(project, kind):
        raise DocumentUnavailable(reason)
    freeze = frozen_states(project, kind).get(variant_key)
    if freeze is not None:
        document = frozen_document(project, kind, variant_key, fmt, freeze)
        if document is not None:
            return document
    data = render(project, kind, variant_key, fmt, today or timezone.localdate())
    return store_document(
        project=project,
        kind=kind,
        variant=variant,
        fmt=fmt,
        data=data,
        user=user,
        frozen_key=freeze.key if freeze else "",
    )


def start_generation_job(*, project, kind_slug: str, fmt: str, variant_key: str = "", user=None):
    """The background job generating this file when its kind has one (`DocumentKind.
    background_job`), None when the file is composed in the request. Checked first, as
    `generate_document` would: an unknown format or variant (KeyError), nothing to say yet
    (DocumentUnavailable). A frozen variant's job reuses its frozen files."""
    kind = get_kind(kind_slug)
    if kind.background_job is None:
        return None
    if fmt not in kind.renderers:
        raise KeyError(f"Format {fmt!r} indisponible pour {kind_slug}")
    _find_variant(project, kind, variant_key)
    if reason := unavailable_reason(project, kind):
        raise DocumentUnavailable(reason)
    return kind.background_job(project=project, variant_key=variant_key, user=user)


def freeze_documents(
    *, project, kind_slugs: list[str], freeze: Freeze, user=None, today=None
) -> int:
    """Compose and store, marked with `freeze.key`, every file of these kinds not stored yet
    for this freeze. Called by the service that validates, inside its transaction, so that the
    frozen files show the data as validated. Returns how many files were composed."""
    today = today or timezone.localdate()
    pending = []
    with ExitStack() as scopes, ConcurrentRenderer() as pool:
        for scope in bulk_scopes():
            scopes.enter_context(scope())
        for slug in kind_slugs:
            kind, bulk = get_kind(slug), None
            for variant in kind.variants_for(project):
                todo = [
                    fmt
                    for fmt in kind.formats
                    if frozen_document(project, kind, variant.key, fmt, freeze) is None
                ]
                if not todo:
                    continue
                if kind.build_all_contexts is None:
                    context = build_context(project, kind, variant.key, today)
                else:
                    bulk = bulk if bulk is not None else kind.build_all_contexts(project)
                    context = {**bulk[variant.key], "meta": document_meta(project, today)}
                for fmt in todo:
                    renderer = kind.renderers[fmt]
                    data = (
                        pool.submit(renderer, context)
                        if is_concurrent(renderer)
                        else renderer(context)
                    )
                    pending.append((kind, variant, fmt, data))
    for kind, variant, fmt, data in pending:
        store_document(
            project=project,
            kind=kind,
            variant=variant,
            fmt=fmt,
            data=data if isinstance(data, bytes) else data.result(),
            user=user,
            frozen_key=freeze.key,
        )
    return len(pending)


def generate_all(
    *, project, user=None, today=None, progress=None
) -> list[tuple[GeneratedDocument, bytes]]:
    """Generate every format of every variant of every registered kind for a project. Frozen
    files are reused as stored (same bytes, same SHA-256); kinds that cannot be generated yet
    (see `DocumentKind.unavailable_reason`) are skipped. `progress(done, total, label)` is told
    of each file stored."""
    today = today or timezone.localdate()
    kinds = [k for k in all_kinds() if not unavailable_reason(project, k)]
    memo: dict = {}
    states_by_kind = {k.slug: frozen_states(project, k, memo) for k in kinds}
    stored = frozen_documents(project, states_by_kind)
    # (kind, variant, format, bytes or future of bytes or a frozen document, freeze key)
    rendered = []
    with ExitStack() as scopes, ConcurrentRenderer() as pool:
        for scope in bulk_scopes():
            scopes.enter_context(scope())
        for kind in kinds:
            states = states_by_kind[kind.slug]
            variants, bulk = kind.variants_for(project), None
            for variant in variants:
                freeze = states.get(variant.key)
                todo = []
                for fmt in kind.renderers:
                    document = (
                        frozen_document(project, kind, variant.key, fmt, freeze, stored)
                        if freeze
                        else None
                    )
                    if document is not None:
                        rendered.append((kind, variant, fmt, document, freeze.key))
                    else:
                        todo.append(fmt)
                if not todo:
                    continue
                if kind.build_all_contexts is None:
                    context = build_context(project, kind, variant.key, today)
                else:
                    bulk = bulk if bulk is not None else kind.build_all_contexts(project)
                    context = {**bulk[variant.key], "meta": document_meta(project, today)}
                key = freeze.key if freeze else ""
                for fmt in todo:
                    renderer = kind.renderers[fmt]
                    if is_concurrent(renderer):  # Typst PDFs compose while Python goes on
                        rendered.append((kind, variant, fmt, pool.submit(renderer, context), key))
                    else:
                        rendered.append((kind, variant, fmt, renderer(context), key))
    generated = []
    for kind, variant, fmt, data, key in rendered:
        if progress is not None:
            progress(len(generated), len(rendered), f"{variant.file_stem}.{fmt}")
        if isinstance(data, GeneratedDocument):
            generated.append((data, _read(data)))
            continue
        data = data if isinstance(data, bytes) else data.result()
        document = store_document(
            project=project,
            kind=kind,
            variant=variant,
            fmt=fmt,
            data=data,
            user=user,
            frozen_key=key,
        )
        generated.append((document, data))
    return generated


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    sha256: str
    size: int


def export_documents(*, project, directory: Path, user=None, today=None) -> list[ExportedFile]:
    """Generate every document of a project and write each under its stable file name."""
    directory.mkdir(parents=True, exist_ok=True)
    exported = []
    for document, data in generate_all(project=project, user=user, today=today):
        path = directory / document.file_name
        path.write_bytes(data)
        exported.append(ExportedFile(path=path, sha256=document.sha256, size=len(data)))
    return exported


def delete_drafts(*, project) -> int:
    """Delete the project's stored generations that no version record holds (drafts: they are
    regenerated from live data on demand), with their files once the deletion is committed.
    Documents held by a letter or annex version are evidence and stay (see `archived_condition`).
    """
    from .selectors import archived_condition

    drafts = GeneratedDocument.objects.filter(project=project).exclude(archived_condition())
    names = set(drafts.values_list("content", flat=True))
    with transaction.atomic():
        deleted, _ = drafts.delete()
    # Files are content-addressed by SHA-256: remove a file only when no remaining row uses it.
    kept = set(
        GeneratedDocument.objects.filter(content__in=names).values_list("content", flat=True)
    )
    storage = GeneratedDocument._meta.get_field("content").storage

    def remove_files():
        for name in names - kept:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return deleted


def write_zip(files, destination) -> int:
    """Write the latest stored file of each catalogue entry (`selectors.downloadable_files`) into
    the ZIP `destination` (a binary file object), each under its stable file name; files are
    copied in chunks, never held whole. Returns how many files the ZIP holds."""
    import shutil
    import zipfile

    count = 0
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in files:
            try:
                source = entry.latest.content.open("rb")
            except FileNotFoundError:
                continue  # a file missing from the storage is left out, not a failed download
            with source, archive.open(entry.file_name, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            count += 1
    return count
