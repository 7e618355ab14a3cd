"""Document kinds owned by the evaluation app: the two reviews (bilans)."""

from ptsm.documents.registry import DocumentKind, register, template_path
from ptsm.documents.rendering import docx_renderer, pdf_renderer

from .docx_templates import REVIEW_DOCX
from .models import Review, ReviewKind
from .sections import DOCUMENT_STEMS


def _review_context(kind: str):
    def build(project, variant_key: str = "") -> dict:
        from django.utils import timezone

        from .selectors import review_context

        review = Review.objects.filter(project=project, kind=kind).first() or Review(
            project=project, kind=kind
        )
        return review_context(project, review, timezone.localdate())

    return build


for order, (kind, description) in enumerate(
    [
        (
            ReviewKind.SIX_MONTHS,
            "Bilan six mois après la dernière signature : avancement, indicateurs, ajustements.",
        ),
        (
            ReviewKind.FINAL,
            "Bilan au terme des engagements : réalisations, indicateurs, suites et actualisation.",
        ),
    ],
    start=50,
):
    register(
        DocumentKind(
            slug=DOCUMENT_STEMS[kind],
            title=kind.label,
            description=description,
            build_context=_review_context(kind),
            renderers={
                "docx": docx_renderer(REVIEW_DOCX),
                "pdf": pdf_renderer(template_path(__file__, "doc_templates", "bilan.typ")),
            },
            order=order,
        )
    )
