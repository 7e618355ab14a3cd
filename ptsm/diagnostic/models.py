"""The shared diagnostic: indicator catalogue and values, findings per entry door, validations."""

import re

from django.db import models

from ptsm.core.anap import EntryDoor
from ptsm.core.concurrency import Versioned
from ptsm.governance.validation import CopilValidation

SMALL_COUNT_THRESHOLD = 11  # counts below this are never displayed (statistical secrecy)


def masked_value(indicator: "Indicator", value: float | None) -> tuple[float | None, bool]:
    """(stored value, masked): a count below 11 is not kept at all, only the fact it is small."""
    if value is not None and indicator.is_count and value < SMALL_COUNT_THRESHOLD:
        return None, True
    return value, False


class Grid(models.TextChoices):
    TERRITORY = "territoire", "Carte d'identité du territoire (fiche outil 2)"
    PATHWAY = "parcours", "Caractéristiques du parcours (fiche outil 3)"
    MDPH = "mdph", "Grille MDPH (fiche outil 4)"


class Level(models.TextChoices):
    TERRITORY = "territoire", "Territoire du projet"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    FRANCE = "france", "France"


# Computed indicators that count the project's own directory: never an official statistic.
DIRECTORY_COMPUTATIONS = frozenset(
    {"organisations", "mental_health_per_100k", "medico_social_per_100k"}
)


class IndicatorQuerySet(models.QuerySet):
    def for_project(self, project) -> "IndicatorQuerySet":
        """The ANAP catalogue and the indicators this project added to it."""
        return self.filter(models.Q(project=None) | models.Q(project=project))


OWN_CODE = re.compile(r"P\d+-(\d+)")


def rekeyed_code(code: str, project_id: int) -> str:
    """An indicator code as it reads once its project has a new id (an archive restored): a
    project's own code (P<old>-<n>) becomes P<new>-<n>; the ANAP catalogue's are unchanged."""
    match = OWN_CODE.fullmatch(code)
    return Indicator.project_code(project_id, int(match.group(1))) if match else code


class Indicator(models.Model):
    """An indicator of the catalogue: the ANAP one shipped with ptsm (`project` empty, synced
    after migrate) or one a project's coordinator added for that project only."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_indicators",
        verbose_name="projet",
    )
    code = models.CharField("code", max_length=40, unique=True)
    label = models.CharField("intitulé", max_length=255)
    definition = models.TextField("définition")
    definition_version = models.CharField("version de la définition", max_length=120, blank=True)
    unit = models.CharField("unité", max_length=60)
    source = models.CharField("source", max_length=200)
    geographic_level = models.CharField("niveau géographique le plus fin", max_length=60)
    grid = models.CharField("grille", max_length=12, choices=Grid.choices)
    entry_door = models.PositiveSmallIntegerField(
        "porte d'entrée", choices=EntryDoor.choices, null=True, blank=True
    )
    is_count = models.BooleanField("effectif (secret statistique)", default=False)
    computed = models.CharField("calcul automatique", max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # The catalogue's sync after migrate saves only what changed: a client of the API asking
    # what changed since its last visit is not sent the whole catalogue after each deployment.
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["grid", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"

    @staticmethod
    def project_code(project_id: int, number: int) -> str:
        """A project's own indicators are coded P<project>-<n>: unique on the instance."""
        return f"P{project_id}-{number}"

    def rekey_for_project(self) -> None:
        """A project's own indicator restored from an archive takes the code of its new project
        (the source's could be another project's here), keeping its number."""
        if self.project_id is not None:
            self.code = rekeyed_code(self.code, self.project_id)

    @property
    def from_directory(self) -> bool:
        """Counted from the project's own directory: an estimate, not an official statistic."""
        return self.computed in DIRECTORY_COMPUTATIONS


class IndicatorValue(models.Model):
    """A value for the project's territory or a comparison level. Small counts are stored masked:
    the figure itself is not kept, so it cannot leak through a page, an export or a document."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    level = models.CharField("niveau", max_length=12, choices=Level.choices)
    year = models.PositiveSmallIntegerField("année")
    value = models.FloatField("valeur", null=True, blank=True)
    masked = models.BooleanField("effectif masqué (< 11)", default=False)
    source = models.CharField("source", max_length=200, blank=True)
    computed = models.BooleanField("calculée", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "valeur d'indicateur"
        ordering = ["indicator__order", "level", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator", "level", "year"],
                name="one_value_per_level_and_year",
            ),
            models.CheckConstraint(
                condition=models.Q(masked=False) | models.Q(value__isnull=True),
                name="masked_values_are_not_stored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.level} {self.year}"


class CommuneIndicatorValue(models.Model):
    """An indicator's value for one commune of the territory (e.g. from the Atlas de la santé
    mentale), to shade the map. Small counts are masked at storage, as for the other values."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="commune_indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="commune_values"
    )
    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("année")
    value = models.FloatField("valeur", null=True, blank=True)
    masked = models.BooleanField("effectif masqué (< 11)", default=False)
    source = models.CharField("source", max_length=200, blank=True)

    class Meta:
        verbose_name = "valeur d'indicateur par commune"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator", "commune", "year"],
                name="one_commune_value_per_year",
            ),
            models.CheckConstraint(
                condition=models.Q(masked=False) | models.Q(value__isnull=True),
                name="masked_commune_values_are_not_stored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.commune_id} {self.year}"


class PendingIndicatorImport(models.Model):
    """An uploaded indicator table (long format) waiting for its column mapping and the user's
    confirmation. Holds published aggregate figures only; replaced by the user's next upload."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "import d'indicateurs en attente"

    def __str__(self) -> str:
        return self.file_name


class FindingKind(models.TextChoices):
    STRENGTH = "force", "Point fort"
    WEAKNESS = "faiblesse", "Point faible"
    RUPTURE = "rupture", "Rupture de parcours"


class Priority(models.TextChoices):
    """The six priorities of a PTSM (decree 2017-1200, R3224-5 to -10)."""

    P1 = "P1", "P1 — Repérage précoce, diagnostic, accès aux soins et aux accompagnements"
    P2 = "P2", "P2 — Parcours de santé et de vie sans rupture, rétablissement, inclusion"
    P3 = "P3", "P3 — Accès aux soins somatiques"
    P4 = "P4", "P4 — Prévention et prise en charge des situations de crise et d'urgence"
    P5 = "P5", "P5 — Droits, pouvoir de décider et d'agir, lutte contre la stigmatisation"
    P6 = "P6", "P6 — Déterminants sociaux, environnementaux et territoriaux"


class Finding(Versioned):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="findings"
    )
    entry_door = models.PositiveSmallIntegerField("porte d'entrée", choices=EntryDoor.choices)
    kind = models.CharField("nature", max_length=10, choices=FindingKind.choices)
    text = models.TextField("constat")
    working_group = models.ForeignKey(
        "governance.Body",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="groupe de travail",
    )
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="findings", verbose_name="indicateurs"
    )
    priorities = models.JSONField("priorités du décret", default=list, blank=True)
    priority_rank = models.PositiveSmallIntegerField(
        "rang de priorité",
        null=True,
        blank=True,
        help_text="Renseignez un rang (1, 2, 3…) pour retenir ce constat parmi les priorités de la porte d'entrée.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "constat"
        ordering = ["entry_door", "kind", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class DiagnosticVersion(CopilValidation):
    """A COPIL validation of the diagnostic: its content frozen with a SHA-256."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="diagnostic_versions"
    )
    content = models.JSONField("contenu figé")

    frozen_message = "Une version validée du diagnostic est figée."

    class Meta(CopilValidation.Meta):
        verbose_name = "version validée du diagnostic"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="one_number_per_diagnostic_version"
            )
        ]

    def __str__(self) -> str:
        return f"Diagnostic validé — version {self.number}"
