"""Reads of the documents app: what can be generated for a project and the latest files."""

from dataclasses import dataclass

from django.db.models import PROTECT, Exists, OuterRef, Q

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


def archived_condition() -> Q:
    """Documents held by a version record (a letter or annex version that was circulated,
    validated or signed: PROTECT foreign keys to GeneratedDocument). They are evidence, kept under
    the legal-archive basis; every other stored generation is a draft that can be regenerated."""
    condition = Q(pk__in=[])
    for relation in GeneratedDocument._meta.get_fields(include_hidden=True):
        if relation.one_to_many and relation.auto_created and relation.on_delete is PROTECT:
            holders = relation.related_model.objects.filter(**{relation.field.name: OuterRef("pk")})
            condition |= Q(Exists(holders))
    return condition


def is_archived(document: GeneratedDocument) -> bool:
    return GeneratedDocument.objects.filter(archived_condition(), pk=document.pk).exists()
