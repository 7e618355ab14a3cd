"""Implementation follow-up and evaluation: indicator values measured over time, the reviews at
6 months and at the end of the commitments (bilans), with the COPIL's validation."""

from django.conf import settings
from django.db import models

from ptsm.governance.validation import CopilValidation


class ReviewKind(models.TextChoices):
    SIX_MONTHS = "six_mois", "Bilan à 6 mois"
    ANNUAL = "annuel", "Bilan annuel"  # a contract's (CTSM): one per year, numbered
    FINAL = "final", "Bilan final"


def review_label(kind: str, number: int = 0) -> str:
    """« Bilan à 6 mois », « Bilan annuel n° 2 », « Bilan final »."""
    if kind == ReviewKind.ANNUAL:
        return f"Bilan annuel n°\u00a0{number}"
    return ReviewKind(kind).label


class Review(models.Model):
    """A review (bilan) of the commitments: its texts per section; the per-action table and the
    figures come from the roadmap and the measured indicators."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField("bilan", max_length=10, choices=ReviewKind.choices)
    number = models.PositiveSmallIntegerField(
        "n° du bilan annuel", default=0, help_text="1 pour la première année du contrat…"
    )
    texts = models.JSONField("textes", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "bilan"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "number"], name="one_review_per_kind_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.project}"

    @property
    def label(self) -> str:
        return review_label(self.kind, self.number)


class ActionAssessment(models.Model):
    """What a review says of one fiche-action."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="assessments")
    action = models.ForeignKey("roadmap.Action", on_delete=models.CASCADE, related_name="+")
    comment = models.TextField("appréciation", blank=True)

    class Meta:
        verbose_name = "appréciation d'une fiche-action"
        constraints = [
            models.UniqueConstraint(fields=["review", "action"], name="one_assessment_per_action")
        ]

    def __str__(self) -> str:
        return f"{self.review} — {self.action}"


class ReviewValidation(CopilValidation):
    """A review as the COPIL validated it, frozen with its SHA-256."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="review_validations"
    )
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="validations")
    lines = models.JSONField("contenu validé", default=list)

    frozen_message = "Un bilan validé par le COPIL est figé."

    class Meta(CopilValidation.Meta):
        verbose_name = "validation d'un bilan"


class ActionIndicatorValue(models.Model):
    """A value of a fiche-action's evaluation indicator, measured at a date."""

    indicator = models.ForeignKey(
        "roadmap.ActionIndicator", on_delete=models.CASCADE, related_name="values"
    )
    measured_on = models.DateField("date de mesure")
    value = models.CharField("valeur", max_length=100)
    comment = models.CharField("commentaire", max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "valeur mesurée d'un indicateur"
        ordering = ["-measured_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.indicator} : {self.value} ({self.measured_on:%d/%m/%Y})"
