"""The roadmap (feuille de route): orientations → themes → objectives → fiches-actions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from ptsm.core.concurrency import Versioned
from ptsm.governance.validation import CopilValidation

# « Facile à lire et à comprendre » (issue 19): a short summary for the people the project is
# for, shown on the public page and in `feuille-de-route-facile.pdf`.
PLAIN_SUMMARY_MAX = 600
PLAIN_SUMMARY_HELP = (
    f"{PLAIN_SUMMARY_MAX} caractères au plus. Pour les personnes concernées et leurs proches : "
    "des phrases courtes, des mots de tous les jours, aucun sigle ; écrivez « vous » "
    "(« Vous pourrez appeler un numéro unique »). Dites ce qui change pour les personnes, "
    "où et quand. Il est publié sur la page publique du projet et dans la feuille de route "
    "en langage facile."
)


def plain_summary_field(what: str) -> models.TextField:
    return models.TextField(
        f"résumé en langage facile de {what}",
        max_length=PLAIN_SUMMARY_MAX,
        validators=[MaxLengthValidator(PLAIN_SUMMARY_MAX)],
        blank=True,
        help_text=PLAIN_SUMMARY_HELP,
    )


class Orientation(Versioned):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="orientations"
    )
    position = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(default=0)
    title = models.CharField("orientation stratégique", max_length=255)
    description = models.TextField("description", blank=True)
    plain_summary = plain_summary_field("l'orientation")
    archived = models.BooleanField("archivée", default=False)
    # Also touched when its tree changes: themes, objectives, fiches-actions' codes and titles
    # (`roadmap.services.touch_orientations`; `?modifie_depuis=` of the API).
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "orientation stratégique"
        ordering = ["archived", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def code(self) -> str:
        return str(self.number)


class Theme(Versioned):
    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="themes")
    position = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(default=0)
    title = models.CharField("thématique", max_length=255)
    archived = models.BooleanField("archivée", default=False)
    # A project without the « thématique » level hangs its objectives on one implicit theme per
    # orientation: never shown, never numbered (its objectives are numbered 1.1, 1.2…).
    implicit = models.BooleanField("implicite (sans niveau thématique)", default=False)

    class Meta:
        verbose_name = "thématique"
        ordering = ["archived", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        if self.implicit:
            return str(self.orientation.number)
        return f"{self.orientation.number}.{self.number}"


class RoadmapLevels(models.Model):
    """The names a project gives its roadmap's levels, and whether it uses the theme level."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="roadmap_levels"
    )
    orientation_name = models.CharField(
        "premier niveau (singulier)", max_length=60, default="Orientation stratégique"
    )
    orientation_plural = models.CharField(
        "premier niveau (pluriel)", max_length=60, default="Orientations stratégiques"
    )
    uses_themes = models.BooleanField(
        "avec le niveau « thématique »",
        default=True,
        help_text="Sans lui, les objectifs se rattachent directement au premier niveau.",
    )
    theme_name = models.CharField(
        "niveau thématique (singulier)", max_length=60, default="Thématique"
    )
    theme_plural = models.CharField(
        "niveau thématique (pluriel)", max_length=60, default="Thématiques"
    )
    objective_name = models.CharField(
        "niveau objectif (singulier)", max_length=60, default="Objectif stratégique"
    )
    objective_plural = models.CharField(
        "niveau objectif (pluriel)", max_length=60, default="Objectifs stratégiques"
    )

    class Meta:
        verbose_name = "niveaux de la feuille de route"
        verbose_name_plural = "niveaux des feuilles de route"

    def __str__(self) -> str:
        return f"Niveaux de la feuille de route — {self.project}"


class Objective(Versioned):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(default=0)
    title = models.CharField("objectif stratégique", max_length=255)
    description = models.TextField("description", blank=True)
    archived = models.BooleanField("archivé", default=False)

    class Meta:
        verbose_name = "objectif stratégique"
        ordering = ["archived", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.theme.code}.{self.number}"


class ActionStatus(models.TextChoices):
    DRAFT = "projet", "En projet"
    VALIDATED = "validee", "Validée"
    IN_PROGRESS = "en_cours", "En cours"
    DONE = "realisee", "Réalisée"
    POSTPONED = "reportee", "Reportée"
    ABANDONED = "abandonnee", "Abandonnée"


# Actions in these statuses have been validated by the COPIL and carry commitments.
COMMITTED_STATUSES = [ActionStatus.VALIDATED, ActionStatus.IN_PROGRESS, ActionStatus.DONE]


class ActionPriority(models.TextChoices):
    HIGH = "haute", "Haute"
    MEDIUM = "moyenne", "Moyenne"
    LOW = "basse", "Basse"


class Condition(models.TextChoices):
    AUTHORISATION = "autorisation", "Autorisation"
    AGREMENT = "agrement", "Agrément"
    CONVENTION = "convention", "Convention"
    OTHER = "autre", "Autre"


class Action(Versioned):
    """A fiche-action (ANAP support 4)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(default=0)
    title = models.CharField("intitulé", max_length=255)
    entry_doors = models.JSONField("portes d'entrée", default=list, blank=True)
    decree_priorities = models.JSONField("priorités du décret", default=list, blank=True)
    findings = models.ManyToManyField(
        "diagnostic.Finding",
        blank=True,
        related_name="actions",
        verbose_name="constats auxquels l'action répond",
    )
    context = models.TextField("contexte et constats", blank=True)
    operational_objectives = models.TextField("objectifs opérationnels", blank=True)
    description = models.TextField("description et étapes", blank=True)
    plain_summary = plain_summary_field("la fiche-action")
    target_public = models.TextField("public cible", blank=True)
    pilot_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="piloted_actions",
        verbose_name="organisation pilote",
    )
    pilot_contact = models.ForeignKey(
        "organisations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="piloted_actions",
        verbose_name="personne pilote",
    )
    pilot_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="piloted_actions",
        verbose_name="compte du pilote",
        help_text="Le pilote peut modifier sa fiche-action.",
    )
    operators = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="operated_actions",
        verbose_name="opérateurs",
    )
    partners = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="partner_actions",
        verbose_name="partenaires",
    )
    territory_concerned = models.CharField("territoire concerné", max_length=255, blank=True)
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    human_resources = models.TextField("moyens humains", blank=True)
    material_resources = models.TextField("moyens matériels", blank=True)
    conditions = models.JSONField("conditions de mise en œuvre", default=list, blank=True)
    conditions_details = models.TextField("précisions sur les conditions", blank=True)
    expected_results = models.TextField("résultats attendus", blank=True)
    risks = models.TextField("risques", blank=True)
    priority = models.CharField(
        "priorité", max_length=10, choices=ActionPriority.choices, default=ActionPriority.MEDIUM
    )
    status = models.CharField(
        "statut", max_length=12, choices=ActionStatus.choices, default=ActionStatus.DRAFT
    )
    quick_win = models.BooleanField("réussite rapide et visible", default=False)
    archived = models.BooleanField("archivée", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "fiche-action"
        ordering = ["archived", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.objective.code}.{self.number}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "La fin de l'action doit suivre son début."})


class MilestoneStatus(models.TextChoices):
    PLANNED = "prevu", "Prévu"
    REACHED = "atteint", "Atteint"
    LATE = "retard", "En retard"


class ActionMilestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("jalon", max_length=255)
    due_date = models.DateField("date")
    status = models.CharField(
        "état", max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )

    class Meta:
        verbose_name = "jalon de l'action"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class Funder(models.TextChoices):
    SELF = "autofinancement", "Autofinancement"
    FIR = "fir", "FIR (fonds d'intervention régional)"
    ARS = "ars", "ARS (autres crédits)"
    CD = "cd", "Conseil départemental"
    CNSA = "cnsa", "CNSA"
    HEALTH_INSURANCE = "assurance_maladie", "Assurance maladie"
    OTHER = "autre", "Autre financeur"


class FundingNature(models.TextChoices):
    SELF = "self", "Autofinancement"
    AID = "aid", "Aide"


class FundingStatus(models.TextChoices):
    REQUESTED = "sollicite", "Sollicité"
    GRANTED = "acquis", "Acquis"


class FundingLine(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="funding_lines")
    funder = models.CharField("financeur", max_length=20, choices=Funder.choices)
    funder_details = models.CharField("précision sur le financeur", max_length=200, blank=True)
    operator = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_lines",
        verbose_name="opérateur concerné",
    )
    amount = models.DecimalField("montant (€)", max_digits=12, decimal_places=2)
    year = models.PositiveSmallIntegerField("année")
    recurring = models.BooleanField("reconductible", default=False)
    status = models.CharField(
        "statut", max_length=10, choices=FundingStatus.choices, default=FundingStatus.REQUESTED
    )

    class Meta:
        verbose_name = "ligne de financement"
        ordering = ["year", "funder", "pk"]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} {self.year} : {self.amount} €"

    @property
    def nature(self) -> str:
        return FundingNature.SELF if self.funder == Funder.SELF else FundingNature.AID

    def get_nature_display(self) -> str:
        return FundingNature(self.nature).label

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": "Le montant doit être positif."})


class ActionIndicator(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField("indicateur", max_length=255)
    baseline = models.CharField("valeur de départ", max_length=100, blank=True)
    target = models.CharField("cible", max_length=100, blank=True)
    source = models.CharField("source", max_length=200, blank=True)
    frequency = models.CharField("fréquence", max_length=100, blank=True)

    class Meta:
        verbose_name = "indicateur d'évaluation"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class RoadmapVersion(CopilValidation):
    """The roadmap as validated by the COPIL, frozen with a SHA-256."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="roadmap_versions"
    )
    lines = models.JSONField("contenu figé (texte)")

    frozen_message = "Une version validée de la feuille de route est figée."

    class Meta(CopilValidation.Meta):
        verbose_name = "version validée de la feuille de route"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="one_number_per_roadmap_version"
            )
        ]

    def __str__(self) -> str:
        return f"Feuille de route — version {self.number}"
