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
from .registry import DocumentKind, Variant, all_kinds, bulk_scopes, get_kind
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


@atomic_with_files
def store_document(
    *, project, kind: DocumentKind, variant: Variant, fmt: str, data: bytes, user=None
) -> GeneratedDocument:
    """Keep a generated file as a new version, unless it is identical to the latest one."""
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
    )
    store_file(document.content, document.file_name, data, content_addressed=True)
    document.save()
    return document


def generate_document(
    *, project, kind_slug: str, fmt: str, variant_key: str = "", user=None, today=None
) -> GeneratedDocument:
    kind = get_kind(kind_slug)
    if fmt not in kind.renderers:
        raise KeyError(f"Format {fmt!r} indisponible pour {kind_slug}")
    variant = _find_variant(project, kind, variant_key)
    data = render(project, kind, variant_key, fmt, today or timezone.localdate())
    return store_document(
        project=project, kind=kind, variant=variant, fmt=fmt, data=data, user=user
    )


def generate_all(*, project, user=None, today=None) -> list[tuple[GeneratedDocument, bytes]]:
    """Generate every format of every variant of every registered kind for a project."""
    today = today or timezone.localdate()
    rendered = []  # (kind, variant, format, bytes or future of bytes), in catalogue order
    with ExitStack() as scopes, ConcurrentRenderer() as pool:
        for scope in bulk_scopes():
            scopes.enter_context(scope())
        for kind in all_kinds():
            bulk = kind.build_all_contexts(project) if kind.build_all_contexts else None
            for variant in kind.variants_for(project):
                if bulk is None:
                    context = build_context(project, kind, variant.key, today)
                else:
                    context = {**bulk[variant.key], "meta": document_meta(project, today)}
                for fmt, renderer in kind.renderers.items():
                    if is_concurrent(renderer):  # Typst PDFs compose while Python goes on
                        rendered.append((kind, variant, fmt, pool.submit(renderer, context)))
                    else:
                        rendered.append((kind, variant, fmt, renderer(context)))
    generated = []
    for kind, variant, fmt, data in rendered:
        data = data if isinstance(data, bytes) else data.result()
        document = store_document(
            project=project, kind=kind, variant=variant, fmt=fmt, data=data, user=user
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
