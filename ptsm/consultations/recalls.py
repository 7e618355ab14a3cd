"""The consultations recall themselves, with their figures, in the documents of the step they
were about (the roadmap document for the draft roadmap and its fiches-actions, the diagnostic
report for an entry door's findings, a review's document) and on the page of the COPIL
meeting they were presented at — through `documents.recalls`, so that those apps do not
import this one."""

from django.urls import reverse

from ptsm.core.formatting import french_date, plural
from ptsm.documents.recalls import RecallItem, RecallSection, RecallSource, register

from .models import Consultation, ConsultationStatus, TargetKind
from .selectors import Results, results

HEADING = "Consultations des personnes concernées et des proches"

# The document step each consultation target is recalled in.
STEP_KINDS = {
    "feuille-de-route": (TargetKind.ROADMAP, TargetKind.ACTION),
    "diagnostic": (TargetKind.DIAGNOSTIC,),
    "bilan": (TargetKind.REVIEW,),
}


def figures_paragraphs(result: Results) -> list[str]:
    """The consultation's figures in a few sentences: answers by category, then each choice
    question's most chosen options."""
    c = result.consultation
    lines = [
        f"Consultation sur « {c.target_label} », ouverte du {french_date(c.opens_on)} au "
        f"{french_date(c.closes_on)} : "
        + plural(result.shown, "réponse", "réponses")
        + (
            " ("
            + ", ".join(f"{t.label.lower()} : {t.count}" for t in result.categories if t.count)
            + ")"
            if result.shown
            else ""
        )
        + (
            f", {plural(result.hidden, 'réponse masquée', 'réponses masquées')} par la modération"
            if result.hidden
            else ""
        )
        + "."
    ]
    for q in result.questions:
        if q.is_text:
            if q.texts:
                lines.append(
                    f"{q.question.text} : {plural(len(q.texts), 'réponse écrite', 'réponses écrites')}."
                )
            continue
        options = ", ".join(f"{o.label} : {o.count} ({o.percent} %)" for o in q.options)
        lines.append(f"{q.question.text} — {options}.")
    if c.summary:
        lines.append(f"Synthèse : {c.summary}")
    return lines


def _recalled(project, step: str, ref: str):
    held = Consultation.objects.filter(project=project).exclude(opened_at=None)
    held = held.exclude(status=ConsultationStatus.DRAFT)
    if step == "seance":
        return held.filter(meeting_id=int(ref)) if ref.isdigit() else held.none()
    kinds = STEP_KINDS.get(step)
    if kinds is None:
        return held.none()
    held = held.filter(target_kind__in=kinds)
    if step == "bilan":
        held = held.filter(target_ref=ref)
    return held


def recall(project, step: str, ref: str) -> RecallSection | None:
    consultations = list(
        _recalled(project, step, ref).order_by("number").prefetch_related("questions")
    )
    if not consultations:
        return None
    items = []
    for c in consultations:
        items.append(
            RecallItem(
                title=f"Consultation n° {c.number} : {c.title}",
                paragraphs=tuple(figures_paragraphs(results(c, list(c.questions.all())))),
                url=reverse(
                    "consultations:results", kwargs={"slug": project.slug, "number": c.number}
                ),
            )
        )
    return RecallSection(HEADING, tuple(items))


SOURCE = register(RecallSource(key="consultations", recall=recall, order=10))
