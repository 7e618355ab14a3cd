"""Reads of the framing app: the letter's screen and the comparison of two versions."""

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from ptsm.core.guidance import guidance_panel
from ptsm.documents.letters import Missing

from .content import letter_context, letter_place
from .documents import current_letter  # noqa: F401  (re-exported for the views)
from .models import FramingLetter, LetterStatus, LetterVersion, StatusChange
from .sections import GUIDANCE, LETTER, SECTIONS


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed" or "same"
    text: str


def version_diff(old: LetterVersion, new: LetterVersion) -> list[DiffLine]:
    """Lines removed from `old` and added in `new`, with the unchanged lines around them."""
    result = []
    for line in difflib.ndiff(old.lines, new.lines):
        code, text = line[:2], line[2:]
        if code == "- ":
            result.append(DiffLine("removed", text))
        elif code == "+ ":
            result.append(DiffLine("added", text))
        elif code == "  ":
            result.append(DiffLine("same", text))
    return result


NOT_WRITTEN = "Pas encore rédigée"


def framing_status(project) -> str:
    """The framing letter's status label, for the dashboard."""
    status = FramingLetter.objects.filter(project=project).values_list("status", flat=True).first()
    return LetterStatus(status).label if status else NOT_WRITTEN


def letter_versions(letter) -> QuerySet[LetterVersion]:
    return (
        letter.versions.select_related("docx", "pdf", "created_by", "signed_by")
        if letter.pk
        else (LetterVersion.objects.none())
    )


def letter_history(letter) -> QuerySet[StatusChange]:
    return (
        letter.status_changes.select_related("user") if letter.pk else StatusChange.objects.none()
    )


def letter_guidance(project, role=None) -> list[dict]:
    """Seed 000's « Présentation du document », with links to the matching pages."""
    return guidance_panel(GUIDANCE, project, role)


def letter_screen(project):
    """The letter with, for each section, its editable text and the data generation will add."""
    letter = current_letter(project)
    context = letter_context(project, letter)
    rows = []
    for spec in SECTIONS:
        rendered = context["by_key"][spec.key]
        rows.append(
            {
                "spec": spec,
                "text": letter.texts.get(spec.key, spec.default),
                "customised": spec.key in letter.texts,
                "rendered": rendered,
                "editable": (not (spec.derived and not spec.default) or spec.is_list)
                and letter.status != LetterStatus.SIGNED,
            }
        )
    return letter, context, rows


def readiness(letter) -> list[Missing]:
    """What the letter lacks before it can go to review or be signed, with where to fix it."""
    from django.urls import reverse

    from ptsm.organisations.selectors import signatory_gaps

    slug = letter.project.slug
    settings_url = reverse("framing:letter", kwargs={"slug": slug}) + "#parametres"
    missing = [
        Missing(label, url)
        for contact, who in (
            (letter.ars_signatory, "directeur général de l'ARS"),
            (letter.cd_signatory, "président du conseil départemental"),
        )
        for label, url in signatory_gaps(contact, who=who, choose_url=settings_url, slug=slug)
    ]
    if not letter_place(letter):
        missing.append(Missing("Lieu de signature (« Fait à … ») non renseigné.", settings_url))
    for spec in SECTIONS:
        if (
            spec.part == LETTER
            and spec.default
            and not letter.texts.get(spec.key, spec.default).strip()
        ):
            missing.append(
                Missing(
                    f"Section « {spec.heading} » vide.",
                    reverse("framing:section", kwargs={"slug": slug, "key": spec.key}),
                )
            )
    return missing


@dataclass(frozen=True)
class FramingSummary:
    status: str  # LetterStatus value, "" when the letter is not written yet
    label: str
    signed_on: dt.date | None


def framing_summaries(project_ids) -> dict[int, FramingSummary]:
    """Each project's framing letter status and signature date (regional cockpit): one query
    whatever the number of projects."""
    signed = (
        LetterVersion.objects.filter(letter=OuterRef("pk"), signed=True)
        .order_by("-signed_on")
        .values("signed_on")[:1]
    )
    rows = (
        FramingLetter.objects.filter(project_id__in=project_ids)
        .annotate(signed_on=Subquery(signed))
        .values_list("project_id", "status", "signed_on")
    )
    return {
        project_id: FramingSummary(status, LetterStatus(status).label, signed_on)
        for project_id, status, signed_on in rows
    }
