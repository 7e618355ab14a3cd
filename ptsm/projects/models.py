"""A PTSM project (démarche) and its key milestones."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

DEFAULT_DURATION_MONTHS = 18
MAX_CONTRACT_MONTHS = 60  # a CTSM runs for five years at most
MIN_CONTRACT_MONTHS = 12
# One annual review per contract year before the last one (whose review is the final one): a
# 60-month CTSM has four, a 24-month one has one.
MAX_ANNUAL_REVIEWS = 4


def annual_review_count(contract_months: int | None) -> int:
    """The annual reviews (bilan annuel n° 1, 2, …) of a contract of this duration: one per
    contract year ended before the contract's last year."""
    if not contract_months:
        return 0
    return max(0, -(-contract_months // 12) - 1)


class Phase(models.TextChoices):
    CADRAGE = "cadrage", "Cadrage"
    DIAGNOSTIC = "diagnostic", "Diagnostic partagé"
    ROADMAP = "feuille_de_route", "Feuille de route"
    COMMITMENT = "engagement", "Engagement"
    IMPLEMENTATION = "mise_en_oeuvre", "Mise en œuvre"
    EVALUATION = "evaluation", "Évaluation"
    CLOSED = "clos", "Clos"


class ProjectKind(models.TextChoices):
    PTSM = "ptsm", "PTSM seul"
    CTSM = "ctsm", "PTSM suivi de son CTSM"


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
    kind = models.CharField(
        "type de démarche", max_length=10, choices=ProjectKind.choices, default=ProjectKind.PTSM
    )
    contract_duration_months = models.PositiveSmallIntegerField(
        "durée du contrat (mois)",
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_CONTRACT_MONTHS), MaxValueValidator(MAX_CONTRACT_MONTHS)],
        help_text=(
            "CTSM seulement : le contrat court à partir de la signature des engagements par tous "
            "les opérateurs, cinq ans (60 mois) au plus. Les engagements, les bilans annuels et "
            "les avenants suivent le contrat."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every write to the project's data: its cached pages are keyed on it
    # (`freshness.py`).
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "projet"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.kind == ProjectKind.CTSM and not self.contract_duration_months:
            raise ValidationError(
                {"contract_duration_months": "Indiquez la durée du contrat (CTSM), en mois."}
            )
        if self.kind == ProjectKind.PTSM and self.contract_duration_months:
            raise ValidationError(
                {
                    "contract_duration_months": "Un PTSM seul n'a pas de contrat : laissez la "
                    "durée du contrat vide ou choisissez « PTSM suivi de son CTSM »."
                }
            )

    @property
    def is_contract(self) -> bool:
        return self.kind == ProjectKind.CTSM and bool(self.contract_duration_months)

    @property
    def contract_months(self) -> int | None:
        """The contract's duration (CTSM), None for a PTSM alone."""
        return self.contract_duration_months if self.is_contract else None

    @property
    def annual_reviews(self) -> int:
        return annual_review_count(self.contract_months)

    @property
    def planned_signature_date(self) -> dt.date:
        """When the commitments are planned to be signed (the contract's start for a CTSM)."""
        return add_months(self.start_date, planned_signature_months(self.planned_duration_months))

    @property
    def duration_label(self) -> str:
        """What the dates cover: « 18 mois », « élaboration en 18 mois, puis mise en œuvre et
        bilans » when the reviews end later, « élaboration en 18 mois, puis contrat de 60 mois »."""
        months = self.planned_duration_months
        if self.is_contract:
            return f"élaboration en {months} mois, puis contrat de {self.contract_duration_months} mois"
        if self.planned_end_date > add_months(self.start_date, months):
            return f"élaboration en {months} mois, puis mise en œuvre et bilans"
        return f"{months} mois"

    @property
    def planned_end_date(self) -> dt.date:
        """The end of the contract (CTSM); for a PTSM alone, its final review: at the end of its
        commitments' year, or of its planned duration if that is later."""
        if self.is_contract:
            return add_months(self.planned_signature_date, self.contract_duration_months)
        return max(
            add_months(self.start_date, self.planned_duration_months),
            add_months(self.planned_signature_date, COMMITMENT_YEAR_MONTHS),
        )


# The 6-month review comes six months after the signature of the commitments. A PTSM alone's
# commitments run for a year from their signature (seed 001, « valable pour une durée de 1 an »):
# its final review comes at their end, after the months of its elaboration (an 18-month
# démarche signs at 14 months, reviews at 20 and assesses at 26).
SIX_MONTH_REVIEW_DELAY = 6
COMMITMENT_YEAR_MONTHS = 12

# The ANAP method's reference: an 18-month démarche signs its commitments at 14 months.
REFERENCE_DURATION_MONTHS = 18
REFERENCE_SIGNATURE_MONTHS = 14


def scaled_months(months: int, duration_months: int) -> int:
    """A step of the reference 18-month démarche, in proportion to the project's duration (a
    step after the start is at least one month after it)."""
    scaled = round(months * duration_months / REFERENCE_DURATION_MONTHS)
    return 1 if months and not scaled else scaled


def planned_signature_months(duration_months: int) -> int:
    return scaled_months(REFERENCE_SIGNATURE_MONTHS, duration_months)


def add_months(date: dt.date, months: int) -> dt.date:
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    for day in (date.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class MilestoneKey(models.TextChoices):
    """The default milestones of the method, matched by the method events that close them
    (their titles may be edited)."""

    FRAMING_SIGNED = "lettre-de-cadrage", "Signature de la lettre de cadrage"
    LAUNCH_PLENARY = "pleniere-de-lancement", "Plénière de lancement"
    DIAGNOSTIC_VALIDATED = "diagnostic", "Validation du diagnostic partagé par le COPIL"
    ROADMAP_VALIDATED = "feuille-de-route", "Validation de la feuille de route par le COPIL"
    COMMITMENTS_SIGNED = "engagements", "Signature des lettres d'engagement"
    SIX_MONTH_REVIEW = "bilan-6-mois", "Validation du bilan à 6 mois par le COPIL"
    ANNUAL_REVIEW_1 = "bilan-annuel-1", "Validation du bilan annuel n° 1 par le COPIL"
    ANNUAL_REVIEW_2 = "bilan-annuel-2", "Validation du bilan annuel n° 2 par le COPIL"
    ANNUAL_REVIEW_3 = "bilan-annuel-3", "Validation du bilan annuel n° 3 par le COPIL"
    ANNUAL_REVIEW_4 = "bilan-annuel-4", "Validation du bilan annuel n° 4 par le COPIL"
    FINAL_REVIEW = "bilan-final", "Bilan de la démarche"

    @classmethod
    def annual_review(cls, number: int) -> "MilestoneKey":
        return cls(f"bilan-annuel-{number}")


class Milestone(models.Model):
    """A key date of the project (jalon): letter signed, COPIL, plenary, reviews…"""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    key = models.CharField(
        "étape de la méthode", max_length=30, choices=MilestoneKey.choices, blank=True
    )
    title = models.CharField("intitulé", max_length=200)
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, blank=True)
    due_date = models.DateField("échéance")
    done_on = models.DateField("réalisé le", null=True, blank=True)

    class Meta:
        verbose_name = "jalon"
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key"],
                condition=~models.Q(key=""),
                name="one_milestone_per_method_step",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_date < today


class PhaseChange(models.Model):
    """The project's phase history: a method event that moved it (with the event's date), or
    the chef de projet setting it by hand (with a reason)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phase_changes")
    changed_on = models.DateField("date")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    from_phase = models.CharField("phase précédente", max_length=20, choices=Phase.choices)
    to_phase = models.CharField("nouvelle phase", max_length=20, choices=Phase.choices)
    event = models.CharField("événement de la méthode", max_length=60, blank=True)
    reason = models.CharField("motif", max_length=500)
    out_of_order = models.BooleanField("hors de l'ordre de la méthode", default=False)

    class Meta:
        verbose_name = "changement de phase"
        verbose_name_plural = "changements de phase"
        ordering = ["-changed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_phase_display()} → {self.get_to_phase_display()}"
