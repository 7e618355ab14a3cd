"""Document kinds owned by the evaluation app: the two reviews (bilans)."""

from ptsm.documents.registry import DocumentKind, register, template_path
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.documents.spreadsheets import workbook_bytes

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


def _indicators_context(project, variant_key: str = "") -> dict:
    from .selectors import indicator_value_rows

    return {"rows": indicator_value_rows(project)}


def _indicators_xlsx(context: dict) -> bytes:
    from .selectors import INDICATOR_COLUMNS

    return workbook_bytes([("Suivi des indicateurs", INDICATOR_COLUMNS, context["rows"])])


register(
    DocumentKind(
        slug="suivi-indicateurs",
        title="Suivi des indicateurs",
        description="Chaque valeur mesurée des indicateurs des fiches-actions, avec départ et cible.",
        build_context=_indicators_context,
        renderers={"xlsx": _indicators_xlsx},
        order=49,
    )
)
