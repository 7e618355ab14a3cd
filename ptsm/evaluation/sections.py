"""The sections of a review (bilan) that people write; the rest comes from the data."""

from dataclasses import dataclass

from .models import ReviewKind


@dataclass(frozen=True)
class ReviewSection:
    key: str
    heading: str
    help_text: str


def review_sections(kind: str) -> list[ReviewSection]:
    final = kind == ReviewKind.FINAL
    return [
        ReviewSection(
            "summary",
            "Synthèse",
            "L'essentiel du bilan en quelques lignes, pour le COPIL et les signataires.",
        ),
        ReviewSection(
            "achievements",
            "Réalisations marquantes",
            "Ce qui a changé pour les parcours : dispositifs ouverts, coopérations nouvelles…",
        ),
        ReviewSection(
            "difficulties",
            "Difficultés rencontrées et ruptures de parcours persistantes",
            "Retards, moyens manquants, conditions non réunies (autorisation, agrément, convention).",
        ),
        ReviewSection(
            "users_view",
            "Regard des usagers et des familles",
            "Ce qu'en disent les représentants des usagers et des familles.",
        ),
        ReviewSection(
            "follow_up",
            "Suites : reconduction, avenants, actualisation du PTSM"
            if final
            else "Ajustements décidés pour la suite de la mise en œuvre",
            "Engagements reconduits ou révisés (avenants, article 6), nouvelles actions, "
            "actualisation du diagnostic et du projet."
            if final
            else "Actions à relancer, à réviser par avenant ou à reporter.",
        ),
    ]


# URL segment ↔ kind: stable, French, kebab-case (as the document file names).
KIND_SLUGS = {"six-mois": ReviewKind.SIX_MONTHS, "final": ReviewKind.FINAL}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
DOCUMENT_STEMS = {ReviewKind.SIX_MONTHS: "bilan-6-mois", ReviewKind.FINAL: "bilan-final"}
