"""The project's directory: organisations (acteurs) and their professional contacts."""

from django.db import models
from django.db.models.functions import Lower

from ptsm.core.concurrency import Versioned

from .categories import SUB_TYPE_CHOICES, Category, Represents


class LegalStatus(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE_NON_PROFIT = "prive_non_lucratif", "Privé non lucratif (ESPIC, association…)"
    PRIVATE = "prive_lucratif", "Privé lucratif"
    LOCAL_AUTHORITY = "collectivite", "Collectivité territoriale"
    STATE = "etat", "État et opérateurs"
    OTHER = "autre", "Autre"


class Source(models.TextChoices):
    MANUAL = "saisie", "Saisie"
    FINESS = "finess", "Import FINESS"
    FILE = "fichier", "Import de fichier"


class Organisation(Versioned):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField("raison sociale", max_length=255)
    category = models.CharField("catégorie ANAP", max_length=40, choices=Category.choices)
    sub_type = models.CharField("sous-type", max_length=40, choices=SUB_TYPE_CHOICES, blank=True)
    legal_status = models.CharField(
        "statut juridique", max_length=30, choices=LegalStatus.choices, blank=True
    )
    finess_et = models.CharField("FINESS établissement (ET)", max_length=9, blank=True)
    finess_ej = models.CharField("FINESS entité juridique (EJ)", max_length=9, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    website = models.URLField("site internet", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique générique", blank=True)
    mental_health = models.BooleanField(
        "psychiatrie / santé mentale",
        default=False,
        help_text="Structure de psychiatrie ou de santé mentale (catégories FINESS dédiées).",
    )
    represents = models.CharField(
        "représente",
        max_length=30,
        choices=Represents.choices,
        blank=True,
        help_text="Pour une association d'usagers ou de familles, un GEM, l'UNAFAM… : les "
        "personnes qu'elle représente dans le projet. Ses membres dans les instances comptent "
        "dans la participation des personnes concernées et des proches.",
    )
    finess_category = models.CharField("catégorie FINESS", max_length=3, blank=True)
    finess_category_label = models.CharField(
        "libellé de la catégorie FINESS", max_length=120, blank=True
    )
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    # An organisation that signed or carries a validated fiche-action is archived, never deleted.
    archived = models.BooleanField("archivée", default=False)
    # Shown in the letterhead of the letters the organisation signs (PNG or JPEG, checked).
    logo = models.FileField("logo", upload_to="organisations/logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "finess_et"],
                condition=~models.Q(finess_et=""),
                name="one_organisation_per_finess_et",
                violation_error_message=(
                    "Une organisation avec ce numéro FINESS ET existe déjà dans l'annuaire du projet."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["project", "category"]),
            models.Index(Lower("name"), "project", name="organisation_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Civility(models.TextChoices):
    MADAME = "Mme", "Madame"
    MONSIEUR = "M.", "Monsieur"


class LegalBasis(models.TextChoices):
    """RGPD legal basis for holding a professional contact."""

    PUBLIC_INTEREST = "mission_interet_public", "Mission d'intérêt public"
    LEGITIMATE_INTEREST = "interet_legitime", "Intérêt légitime"
    CONSENT = "consentement", "Consentement"


class Contact(Versioned):
    """A professional contact of an organisation. No personal data beyond professional details."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="contacts"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name="organisation"
    )
    civility = models.CharField("civilité", max_length=4, choices=Civility.choices, blank=True)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    function = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("adresse électronique professionnelle", blank=True)
    phone = models.CharField("téléphone professionnel", max_length=30, blank=True)
    legal_basis = models.CharField(
        "base légale (RGPD)",
        max_length=30,
        choices=LegalBasis.choices,
        default=LegalBasis.PUBLIC_INTEREST,
    )
    notice_date = models.DateField(
        "date de l'information RGPD",
        null=True,
        blank=True,
        help_text="Date à laquelle la personne a été informée de l'enregistrement de ses coordonnées.",
    )
    archived = models.BooleanField("archivé", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "contact"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "project",
                condition=~models.Q(email=""),
                name="one_contact_per_email_per_project",
                violation_error_message=(
                    "Un contact avec cette adresse électronique existe déjà dans l'annuaire du projet."
                ),
            ),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.civility, self.first_name, self.last_name) if p)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ImportKind(models.TextChoices):
    ORGANISATIONS = "organisations", "Organisations"
    CONTACTS = "contacts", "Contacts"


class PendingImport(models.Model):
    """A validated file waiting for the user's confirmation (preview, then all-or-nothing)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    # The table as uploaded (for the mapping step and the download of the refused lines), the
    # field chosen for each column ("" to ignore it), then the checked lines.
    headers = models.JSONField(default=list)
    table = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "import en attente"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"


class PendingFinessImport(models.Model):
    """A FINESS file once analysed: the territory's establishments of the PTSM categories, kept
    until the user chooses the groups to import (the national file itself is not kept). One per
    user and project: a new analysis replaces the previous one."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    records = models.JSONField(default=list, blank=True)
    report = models.JSONField(default=dict, blank=True)  # lines read, lines skipped and why
    # The import the user started from it (a second click is sent to the same job's page).
    import_job = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "import FINESS en attente"

    def __str__(self) -> str:
        return self.file_name


class ColumnMapping(models.Model):
    """A mapping of a table's columns to ptsm's fields, saved by name to import the next file
    of the same shape (the monthly list of a partner, the national hospital list…)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="column_mappings"
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    name = models.CharField("nom de la correspondance", max_length=100)
    # {header key (see mapping.header_key): field name, "" for an ignored column}
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "correspondance de colonnes"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "name"], name="one_column_mapping_per_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
