"""Reads of the documents app: what can be generated for a project and the latest files."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from .models import GeneratedDocument
from .registry import FORMAT_LABELS, DocumentKind, Variant, all_kinds


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
    latest: GeneratedDocument | None


@dataclass(frozen=True)
class DocumentRow:
    kind: DocumentKind
    variant: Variant
    formats: list[FormatRow]


def document_catalogue(project) -> list[DocumentRow]:
    latest = latest_documents(project)
    return [
        DocumentRow(
            kind=kind,
            variant=variant,
            formats=[
                FormatRow(
                    format=fmt,
                    label=FORMAT_LABELS.get(fmt, fmt.upper()),
                    file_name=f"{variant.file_stem}.{fmt}",
                    latest=latest.get((kind.slug, variant.key, fmt)),
                )
                for fmt in kind.formats
            ],
        )
        for kind in all_kinds()
        for variant in kind.variants_for(project)
    ]


def document_history(project, kind: str, variant: str, fmt: str):
    return GeneratedDocument.objects.filter(
        project=project, kind=kind, variant=variant, format=fmt
    ).select_related("generated_by")
