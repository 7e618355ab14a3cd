"""Document kinds owned by the commitments app."""

from ptsm.documents.registry import DocumentKind, Variant, register, template_path
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.organisations.models import Organisation

from .bundle import BundlePart, build_bundle
from .content import (
    annex_context,
    annex_signature_context,
    collective_context,
    operator_slug,
    operators,
)
from .docx_templates import ANNEX_DOCX, COLLECTIVE_DOCX

COLLECTIVE_KIND, ANNEX_KIND, BUNDLE_KIND = (
    "lettre-engagement-collective",
    "annexe",
    "liasse-engagements",
)


def _collective(project, variant_key: str = "") -> dict:
    return collective_context(project)


def _annex_variants(project) -> list[Variant]:
    return [
        Variant(key=str(o.pk), file_stem=f"annexe-{operator_slug(o)}", title=f"Annexe — {o.name}")
        for o in operators(project)
    ]


def _annex(project, variant_key: str) -> dict:
    organisation = Organisation.objects.get(project=project, pk=int(variant_key))
    return annex_signature_context(annex_context(project, organisation))


def _bundle(project, variant_key: str = "") -> dict:
    from .selectors import bundle_parts

    return {"parts": bundle_parts(project)}


def _bundle_pdf(context: dict) -> bytes:
    return build_bundle(
        parts=context["parts"], meta=context["meta"], heading="Liasse des lettres d'engagement"
    )


register(
    DocumentKind(
        slug=COLLECTIVE_KIND,
        title="Lettre d'engagement collective",
        description="Partie collective de la lettre d'engagement (ANAP) : rappel des phases, signataires, contenu, "
        "évaluation, page des signatures.",
        build_context=_collective,
        renderers={
            "docx": docx_renderer(COLLECTIVE_DOCX),
            "pdf": pdf_renderer(
                template_path(__file__, "doc_templates", "lettre-engagement-collective.typ")
            ),
        },
        order=40,
    )
)
register(
    DocumentKind(
        slug=ANNEX_KIND,
        title="Annexe par opérateur",
        description="Articles 1 à 6 et signature bilatérale.",
        build_context=_annex,
        variants=_annex_variants,
        renderers={
            "docx": docx_renderer(ANNEX_DOCX),
            "pdf": pdf_renderer(template_path(__file__, "doc_templates", "annexe-operateur.typ")),
        },
        order=41,
    )
)
register(
    DocumentKind(
        slug=BUNDLE_KIND,
        title="Liasse des engagements",
        description="Couverture, sommaire, lettre collective, annexes signées, signets et empreintes SHA-256.",
        build_context=_bundle,
        renderers={"pdf": _bundle_pdf},
        order=42,
    )
)

__all__ = ["BundlePart", "COLLECTIVE_KIND", "ANNEX_KIND", "BUNDLE_KIND"]
