"""Document kinds owned by the evaluation app: the reviews (bilans) and the indicators table."""

import re

from django.utils import timezone

from ptsm.documents.recalls import recalls_context
from ptsm.documents.registry import (
    PUBLIC_BY_DEFAULT,
    DocumentKind,
    Freeze,
    Variant,
    register,
    template_path,
)
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.documents.slides import Slide, pptx_renderer
from ptsm.documents.spreadsheets import PrintLayout, Sheet, workbook_bytes
from ptsm.projects.models import MAX_ANNUAL_REVIEWS

from .docx_templates import REVIEW_DOCX
from .models import ReviewKind, review_label
from .sections import document_stem


def _review_context(kind: str, number: int = 0):
    def build(project, variant_key: str = "") -> dict:
        from .selectors import review_context, review_of

        context = review_context(project, review_of(project, kind, number), timezone.localdate())
        # What other apps recall in this review (the consultations held on it).
        return {
            **context,
            "recalls": recalls_context(project, "bilan", document_stem(kind, number)),
        }

    return build


def review_freeze(project, kind: str, number: int = 0) -> Freeze | None:
    """The review as the COPIL last validated it (see `validate_review`)."""
    from .models import ReviewValidation

    latest = (
        ReviewValidation.objects.filter(project=project, review__kind=kind, review__number=number)
        .order_by("-number")
        .first()
    )
    if latest is None:
        return None
    return Freeze(key=f"{document_stem(kind, number)}-v{latest.number}", on=latest.validated_on)


def _review_frozen(kind: str, number: int = 0):
    def frozen(project) -> dict[str, Freeze]:
        freeze = review_freeze(project, kind, number)
        return {"": freeze} if freeze else {}

    return frozen


def _annual_variants(number: int):
    def variants(project) -> list[Variant]:
        """An annual review exists only in a contract that has it (none for a PTSM alone)."""
        if number > project.annual_reviews:
            return []
        stem = document_stem(ReviewKind.ANNUAL, number)
        return [Variant(key="", file_stem=stem, title=review_label(ReviewKind.ANNUAL, number))]

    return variants


def _review_unavailable(kind: str, number: int = 0):
    def unavailable_reason(project) -> str | None:
        """A review is offered once it says something (a text or a fiche-action's assessment)
        or once the COPIL validated it. A project without this annual review has nothing to
        say about it (no variant, no line)."""
        from django.db.models import Exists, OuterRef

        from .models import ActionAssessment, Review, ReviewValidation

        if kind == ReviewKind.ANNUAL and number > project.annual_reviews:
            return None
        said = (
            Review.objects.filter(project=project, kind=kind, number=number)
            .annotate(
                validated=Exists(ReviewValidation.objects.filter(review=OuterRef("pk"))),
                assessed=Exists(
                    ActionAssessment.objects.filter(review=OuterRef("pk")).exclude(comment="")
                ),
            )
            .values_list("texts", "validated", "assessed")
            .first()
        )
        if said is not None:
            texts, validated, assessed = said
            if validated or assessed or any(str(t).strip() for t in (texts or {}).values()):
                return None
        return (
            f"le {review_label(kind, number)[0].lower()}{review_label(kind, number)[1:]} n'a "
            "encore ni texte ni appréciation de fiche-action ; rédigez-le depuis la page "
            "« Évaluation »."
        )

    return unavailable_reason


def _review_job(kind: str, number: int = 0):
    def start(*, project, variant_key: str = "", user=None):
        """The review's own job (the one its page starts): one per review, every format."""
        from .jobs import start_review_documents

        return start_review_documents(
            project=project,
            review_label=review_label(kind, number),
            stem=document_stem(kind, number),
            user=user,
        )

    return start


def _review_is_draft(kind: str, number: int = 0):
    def is_draft(project) -> bool:
        return not project.review_validations.filter(
            review__kind=kind, review__number=number
        ).exists()

    return is_draft


def review_slides(context: dict) -> list[Slide]:
    """The review presented to the COPIL that validates it."""
    sections = {s["key"]: s for s in context["sections"]}
    slides = [
        Slide(
            title=f"{context['title']} — présentation au COPIL",
            paragraphs=[
                context["meta"]["project_name"],
                f"Engagements signés : {context['period']['signatures']}",
                f"Échéance du bilan : {context['period']['due']}",
            ],
        ),
        *(
            [Slide(title="Synthèse", paragraphs=sections["summary"]["paragraphs"])]
            if sections["summary"]["paragraphs"]
            else []
        ),
        Slide(
            title="Avancement du plan d'actions",
            table=[(label, count) for label, count in context["status_rows"]],
            table_header=("Statut", "Fiches-actions"),
            paragraphs=[f"Jalons : {context['milestones']['summary']}."],
        ),
        *(
            [Slide(title="Année du contrat", paragraphs=[context["year"]["label"]])]
            if context.get("year")
            else []
        ),
        Slide(
            title="Indicateurs d'évaluation",
            table=[
                (f"{i['action']} {i['name']}", f"{i['value']} (cible {i['target']})")
                for i in context["indicators"]
            ],
            table_header=(
                "Indicateur",
                "Valeur de l'année" if context.get("year") else "Dernière valeur",
            ),
        ),
        Slide(
            title="Crédits mobilisés",
            table=[tuple(row) for row in context["credits"]],
            table_header=("Nature et statut", "Montant"),
        )
        if context.get("credits_recorded", True)
        else Slide(
            title="Crédits mobilisés",
            paragraphs=["Aucun crédit n'est inscrit sur les fiches-actions."],
        ),
    ]
    if context.get("participation"):
        slides.append(
            Slide(
                title="Participation des personnes concernées et des proches",
                bullets=[
                    f"{section['heading']} — {line}"
                    for section in context["participation"]
                    for line in section["lines"]
                ],
            )
        )
    # A part the COPIL did not write is left out, never shown as a placeholder.
    for key in ("achievements", "difficulties", "users_view", "follow_up"):
        if sections[key]["paragraphs"]:
            slides.append(
                Slide(title=sections[key]["heading"], paragraphs=sections[key]["paragraphs"])
            )
    slides.append(
        Slide(
            title="Avenants aux engagements",
            bullets=[
                f"{a['operator']} — version {a['number']} ({a['state']}) : {a['reason']}"
                for a in context["amendments"]
            ]
            or ["Aucun avenant."],
        )
    )
    slides.append(
        Slide(
            title="Décision attendue du COPIL",
            bullets=[
                f"Valider le {context['title'].lower()}",
                "Arrêter les ajustements et les avenants (article 6)",
                "Décider des suites et de leur calendrier",
            ],
        )
    )
    return slides


for order, kind, description in [
    (
        50,
        ReviewKind.SIX_MONTHS,
        "Bilan six mois après la dernière signature : avancement, indicateurs, ajustements.",
    ),
    (
        59,  # after a contract's annual reviews
        ReviewKind.FINAL,
        "Bilan au terme des engagements : réalisations, indicateurs, suites et actualisation.",
    ),
]:
    register(
        DocumentKind(
            section="Mise en œuvre et évaluation",
            slug=document_stem(kind),
            title=kind.label,
            description=description,
            build_context=_review_context(kind),
            is_draft=_review_is_draft(kind),
            frozen=_review_frozen(kind),
            publication=PUBLIC_BY_DEFAULT,
            unavailable_reason=_review_unavailable(kind),
            background_job=_review_job(kind),
            renderers={
                "docx": docx_renderer(REVIEW_DOCX),
                "pdf": pdf_renderer(template_path(__file__, "doc_templates", "bilan.typ")),
                "pptx": pptx_renderer(review_slides),
            },
            order=order,
        )
    )


# A contract's annual reviews (CTSM): « bilan-annuel-1 » to « bilan-annuel-4 », offered only
# to a project whose contract has them.
for number in range(1, MAX_ANNUAL_REVIEWS + 1):
    register(
        DocumentKind(
            section="Mise en œuvre et évaluation",
            slug=document_stem(ReviewKind.ANNUAL, number),
            title=review_label(ReviewKind.ANNUAL, number),
            description=(
                f"Bilan de l'année {number} du contrat : avancement, valeurs des indicateurs "
                "mesurées dans l'année, avenants."
            ),
            build_context=_review_context(ReviewKind.ANNUAL, number),
            variants=_annual_variants(number),
            is_draft=_review_is_draft(ReviewKind.ANNUAL, number),
            frozen=_review_frozen(ReviewKind.ANNUAL, number),
            publication=PUBLIC_BY_DEFAULT,
            unavailable_reason=_review_unavailable(ReviewKind.ANNUAL, number),
            background_job=_review_job(ReviewKind.ANNUAL, number),
            renderers={
                "docx": docx_renderer(REVIEW_DOCX),
                "pdf": pdf_renderer(template_path(__file__, "doc_templates", "bilan.typ")),
                "pptx": pptx_renderer(review_slides),
            },
            order=50 + number,
        )
    )


def _indicators_context(project, variant_key: str = "") -> dict:
    from .selectors import indicator_value_rows

    return {"rows": indicator_value_rows(project)}


def _measure(value):
    """A measured value that is a plain number is stored as a number (to chart or sum it);
    anything else stays text."""
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}(?:[.,]\d{1,6})?", value.strip()):
        number = value.strip().replace(",", ".")
        return float(number) if "." in number else int(number)
    return value


def _indicators_xlsx(context: dict) -> bytes:
    from .selectors import INDICATOR_COLUMNS

    # The baseline, the target and the measure: numbers when they are plain numbers.
    baseline, target = INDICATOR_COLUMNS.index("Valeur de départ"), INDICATOR_COLUMNS.index("Cible")
    rows = [
        [
            _measure(value) if index in (baseline, target) else value
            for index, value in enumerate(row[:-2])
        ]
        + [_measure(row[-2]), row[-1]]
        for row in context["rows"]
    ]
    return workbook_bytes(
        [
            Sheet(
                "Suivi des indicateurs",
                INDICATOR_COLUMNS,
                rows,
                print_layout=INDICATORS_PRINT_LAYOUT,
            )
        ]
    )


# 12 columns on one A4 landscape page at 75 % (8-point type) with wrapped text, rather than
# columns up to 50 characters wide shrunk to fit.
INDICATORS_PRINT_LAYOUT = PrintLayout(
    widths=[9, 26, 18, 10, 26, 10, 8, 16, 12, 12, 10, 24], breaks_after=[], scale=75
)


register(
    DocumentKind(
        section="Mise en œuvre et évaluation",
        slug="suivi-indicateurs",
        title="Suivi des indicateurs",
        description="Chaque valeur mesurée des indicateurs des fiches-actions, avec départ et cible.",
        build_context=_indicators_context,
        renderers={"xlsx": _indicators_xlsx},
        order=49,
    )
)
