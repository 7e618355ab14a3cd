"""The framing letter (lettre de cadrage, seed 000): editable sections, status, versions, signature."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

DEFAULT_DURATION_MONTHS = 18


class LetterStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    REVIEW = "relecture", "En relecture"
    VALIDATED = "validee", "Validée"
    SIGNED = "signee", "Signée"


class FramingLetter(models.Model):
    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="framing_letter"
    )
    texts = models.JSONField("textes des sections", default=dict, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        "durée de l'engagement (mois)", default=DEFAULT_DURATION_MONTHS
    )
    ars_signatory = models.ForeignKey(
        "organisations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signataire pour l'ARS (directeur général)",
    )
    cd_signatory = models.ForeignKey(
        "organisations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signataire pour le conseil départemental (président)",
    )
    place = models.CharField(
        "lieu de signature",
        max_length=100,
        blank=True,
        help_text="« Fait à … » ; par défaut le chef-lieu du département du territoire.",
    )
    status = models.CharField(
        max_length=12, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "lettre de cadrage"
        verbose_name_plural = "lettres de cadrage"

    def __str__(self) -> str:
        return f"Lettre de cadrage — {self.project}"


class StatusChange(models.Model):
    letter = models.ForeignKey(
        FramingLetter, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=LetterStatus.choices)
    to_status = models.CharField(max_length=12, choices=LetterStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "changement de statut"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class SignatureMode(models.TextChoices):
    UPLOAD = "depot", "PDF signé déposé"
    SESSION = "seance", "Signature en séance"


class FrozenVersionError(ValidationError):
    pass


class LetterVersion(models.Model):
    """One generation of the letter. Once signed it is frozen: nothing of it can change."""

    letter = models.ForeignKey(FramingLetter, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("version")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=LetterStatus.choices)
    lines = models.JSONField("contenu (texte)", default=list)
    docx = models.ForeignKey(
        "documents.GeneratedDocument", on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.ForeignKey(
        "documents.GeneratedDocument", on_delete=models.PROTECT, related_name="+"
    )
    signed = models.BooleanField("signée", default=False)
    signature_mode = models.CharField(max_length=10, choices=SignatureMode.choices, blank=True)
    signed_on = models.DateField("signée le", null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signed_file = models.FileField(upload_to="framing/signed/", blank=True)
    signed_sha256 = models.CharField("empreinte SHA-256 du PDF signé", max_length=64, blank=True)
    signed_outside = models.BooleanField(
        "signée hors plateforme",
        default=False,
        help_text="Le PDF déposé n'est pas celui de la version (document imprimé, signé, numérisé).",
    )

    class Meta:
        verbose_name = "version de la lettre de cadrage"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "number"], name="one_number_per_letter_version"
            )
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    def save(self, *args, **kwargs):
        # A signed version is evidence: refuse any write once the stored row is signed.
        if self.pk and LetterVersion.objects.filter(pk=self.pk, signed=True).exists():
            raise FrozenVersionError(
                "Une version signée est figée : elle ne peut plus être modifiée."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.signed:
            raise FrozenVersionError(
                "Une version signée est figée : elle ne peut pas être supprimée."
            )
        return super().delete(*args, **kwargs)
