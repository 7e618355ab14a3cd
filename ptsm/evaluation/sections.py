"""The sections of a review (bilan) that people write; the rest comes from the data."""

from dataclasses import dataclass

from .models import ReviewKind, review_label


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


# URL segment ↔ kind: stable, French, kebab-case (as the document file names); a contract's
# annual reviews are « annuel-1 », « annuel-2 »… (files « bilan-annuel-1 »…).
KIND_SLUGS = {"six-mois": ReviewKind.SIX_MONTHS, "final": ReviewKind.FINAL}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
DOCUMENT_STEMS = {ReviewKind.SIX_MONTHS: "bilan-6-mois", ReviewKind.FINAL: "bilan-final"}


@dataclass(frozen=True)
class ReviewSlot:
    """One review a project has: its kind and number (annual reviews), with its names."""

    kind: str
    number: int = 0

    @property
    def label(self) -> str:
        return review_label(self.kind, self.number)

    @property
    def slug(self) -> str:
        """URL segment."""
        if self.kind == ReviewKind.ANNUAL:
            return f"annuel-{self.number}"
        return SLUG_OF_KIND[self.kind]

    @property
    def stem(self) -> str:
        """Document file name (and document kind's slug)."""
        return document_stem(self.kind, self.number)


def document_stem(kind: str, number: int = 0) -> str:
    if kind == ReviewKind.ANNUAL:
        return f"bilan-annuel-{number}"
    return DOCUMENT_STEMS[kind]


def review_slots(project) -> list[ReviewSlot]:
    """The project's reviews in order: at 6 months, a contract's annual ones, the final one."""
    return [
        ReviewSlot(ReviewKind.SIX_MONTHS),
        *(ReviewSlot(ReviewKind.ANNUAL, n) for n in range(1, project.annual_reviews + 1)),
        ReviewSlot(ReviewKind.FINAL),
    ]


def slot_from_slug(project, slug: str) -> ReviewSlot | None:
    """The review this URL segment names, if the project has it."""
    return next((slot for slot in review_slots(project) if slot.slug == slug), None)
