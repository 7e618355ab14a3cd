"""Implementation follow-up and evaluation: indicator values measured over time, the reviews at
6 months and at the end of the commitments (bilans), with the COPIL's validation."""

from django.conf import settings
from django.db import models

from ptsm.governance.validation import CopilValidation


class ReviewKind(models.TextChoices):
    SIX_MONTHS = "six_mois", "Bilan à 6 mois"
    FINAL = "final", "Bilan final"


class Review(models.Model):
    """A review (bilan) of the commitments: its texts per section; the per-action table and the
    figures come from the roadmap and the measured indicators."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField("bilan", max_length=10, choices=ReviewKind.choices)
    texts = models.JSONField("textes", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "bilan"
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_review_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.project}"


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
