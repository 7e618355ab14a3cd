"""Document kinds of the consultations app: each consultation held gives `consultation-<n>.pdf`
(its results, for the COPIL and the archive) and `consultation-<n>.xlsx` (counts, and the
free-text answers) — the answers shown in the results only, never who gave them."""

from ptsm.core.formatting import french_date, plural
from ptsm.documents.registry import DocumentKind, Variant, register, template_path
from ptsm.documents.rendering import pdf_renderer
from ptsm.documents.spreadsheets import Sheet, workbook_bytes

from .models import Consultation
from .selectors import results

SLUG = "consultation"


def _held(project):
    return Consultation.objects.filter(project=project).exclude(opened_at=None).order_by("number")


def _variants(project) -> list[Variant]:
    return [
        Variant(
            key=str(c.number),
            file_stem=c.file_stem,
            title=f"Consultation n° {c.number} : {c.title}",
        )
        for c in _held(project)
    ]


def consultation_context(project, variant_key: str = "") -> dict:
    consultation = Consultation.objects.select_related("meeting").get(
        project=project, number=int(variant_key)
    )
    result = results(consultation)
    return {
        "title": f"Consultation n° {consultation.number} : {consultation.title}",
        "identity": [
            ["Objet", consultation.target_label],
            [
                "Période de réponse",
                f"du {french_date(consultation.opens_on)} au {french_date(consultation.closes_on)}",
            ],
            ["Statut", consultation.get_status_display()],
            [
                "Réponses",
                plural(result.shown, "réponse prise en compte", "réponses prises en compte")
                + (
                    f" ; {plural(result.hidden, 'réponse masquée', 'réponses masquées')} par la modération"
                    if result.hidden
                    else ""
                ),
            ],
            *(
                [
                    [
                        "Présentée à la séance",
                        f"{consultation.meeting.title} du {french_date(consultation.meeting.starts_at.date())}",
                    ]
                ]
                if consultation.meeting
                else []
            ),
        ],
        "introduction": consultation.introduction,
        "categories": [[t.label, str(t.count), f"{t.percent} %"] for t in result.categories],
        "questions": [
            {
                "number": index,
                "text": q.question.text,
                "kind": q.question.get_kind_display(),
                "answered": plural(q.answered, "réponse", "réponses"),
                "is_text": q.is_text,
                "options": [[o.label, str(o.count), f"{o.percent} %"] for o in q.options],
                "texts": q.texts,
            }
            for index, q in enumerate(result.questions, start=1)
        ],
        "summary": [p for p in consultation.summary.splitlines() if p.strip()],
    }


def consultation_xlsx(context: dict) -> bytes:
    counts = [
        ["Réponses par catégorie", label, int(n), pct] for label, n, pct in context["categories"]
    ]
    for q in context["questions"]:
        for label, n, pct in q["options"]:
            counts.append([f"{q['number']}. {q['text']}", label, int(n), pct])
    texts = [
        [f"{q['number']}. {q['text']}", text]
        for q in context["questions"]
        if q["is_text"]
        for text in q["texts"]
    ]
    return workbook_bytes(
        [
            Sheet("Décomptes", ["Question", "Réponse", "Nombre", "Part"], counts),
            Sheet("Réponses libres", ["Question", "Réponse"], texts),
        ]
    )


register(
    DocumentKind(
        section="Consultations",
        slug=SLUG,
        title="Résultats de consultation",
        description=(
            "Résultats d'une consultation : réponses par catégorie et par question, réponses "
            "libres regroupées, synthèse (réponses masquées exclues)."
        ),
        build_context=consultation_context,
        variants=_variants,
        renderers={
            "pdf": pdf_renderer(template_path(__file__, "doc_templates", "consultation.typ")),
            "xlsx": consultation_xlsx,
        },
        order=60,
    )
)
