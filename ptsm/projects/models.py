"""A PTSM project (démarche) and its key milestones."""

import datetime as dt

from django.db import models

DEFAULT_DURATION_MONTHS = 18


class Phase(models.TextChoices):
    CADRAGE = "cadrage", "Cadrage"
    DIAGNOSTIC = "diagnostic", "Diagnostic partagé"
    ROADMAP = "feuille_de_route", "Feuille de route"
    COMMITMENT = "engagement", "Engagement"
    IMPLEMENTATION = "mise_en_oeuvre", "Mise en œuvre"
    EVALUATION = "evaluation", "Évaluation"
    CLOSED = "clos", "Clos"


class Project(models.Model):
    slug = models.SlugField("identifiant", max_length=60, unique=True)
    name = models.CharField("nom du projet", max_length=200)
    description = models.TextField("présentation", blank=True)
    territory = models.OneToOneField(
        "territories.Territory", on_delete=models.PROTECT, related_name="project"
    )
    region = models.ForeignKey(
        "territories.Region",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name="région (ARS)",
    )
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, default=Phase.CADRAGE)
    start_date = models.DateField("date de début")
    planned_duration_months = models.PositiveSmallIntegerField(
        "durée prévue (mois)", default=DEFAULT_DURATION_MONTHS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "projet"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def planned_end_date(self) -> dt.date:
        return add_months(self.start_date, self.planned_duration_months)


def add_months(date: dt.date, months: int) -> dt.date:
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    for day in (date.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Milestone(models.Model):
    """A key date of the project (jalon): letter signed, COPIL, plenary, reviews…"""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("intitulé", max_length=200)
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, blank=True)
    due_date = models.DateField("échéance")
    done_on = models.DateField("réalisé le", null=True, blank=True)

    class Meta:
        verbose_name = "jalon"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_date < today
