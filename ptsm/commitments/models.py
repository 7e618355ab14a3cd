"""Commitment letters (seed 001): the collective letter, one annex per operator, signatures,
amendments and the bundle."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ptsm.projects.models import COMMITMENT_YEAR_MONTHS

# « Cet engagement mutuel est valable pour une durée de 1 an » (seed 001): a PTSM alone's final
# review is planned at its end.
DEFAULT_DURATION_MONTHS = COMMITMENT_YEAR_MONTHS


class SignatureMode(models.TextChoices):
    COLLECTIVE = "collective", "Séance de signature collective"
    BILATERAL = "bilaterale", "Signature en bilatéral (régulateur – opérateur)"


class CommitmentLetter(models.Model):
    # PROTECT wherever signed records hang: a project, a letter or an operator with signatures
    # cannot be deleted (the services say why; an organisation can be archived instead).
    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, related_name="commitment_letter"
    )
    texts = models.JSONField("textes", default=dict, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        "durée de l'engagement (mois)", default=DEFAULT_DURATION_MONTHS
    )
    signature_mode = models.CharField(
        "mode de signature",
        max_length=12,
        choices=SignatureMode.choices,
        default=SignatureMode.BILATERAL,
    )
    session = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="séance de signature collective",
    )
    regulator = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="régulateur (ARS)",
    )
    regulator_signatory = models.ForeignKey(
        "organisations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signataire pour le régulateur",
    )
    cd_signatory = models.ForeignKey(
        "organisations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signataire pour le conseil départemental (s'il copilote)",
    )
    place = models.CharField(
        "lieu de signature",
        max_length=100,
        blank=True,
        help_text="« Fait à … » ; par défaut le chef-lieu du département du territoire.",
    )

    class Meta:
        verbose_name = "lettre d'engagement"
        verbose_name_plural = "lettres d'engagement"

    def __str__(self) -> str:
        return f"Lettre d'engagement — {self.project}"

    @property
    def term_months(self) -> int:
        """How long the commitments run from the last signature: the contract's duration for
        a CTSM (set once, on the project), the letter's own for a PTSM alone."""
        return self.project.contract_months or self.duration_months


class SignatoryStatus(models.TextChoices):
    TO_PREPARE = "a_preparer", "À préparer"
    SENT = "envoye", "Envoyé"
    SIGNED = "signe", "Signé"
    REFUSED = "refuse", "Refusé"


class Signatory(models.Model):
    """An operator's signature of its annex (and of the collective letter)."""

    letter = models.ForeignKey(
        CommitmentLetter, on_delete=models.PROTECT, related_name="signatories"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="signatories",
        verbose_name="opérateur",
    )
    contact = models.ForeignKey(
        "organisations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="signataire",
    )
    status = models.CharField(
        "statut", max_length=12, choices=SignatoryStatus.choices, default=SignatoryStatus.TO_PREPARE
    )
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    sent_version = models.ForeignKey(
        "AnnexVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="version de l'annexe envoyée",
    )
    reminders = models.PositiveSmallIntegerField("relances", default=0)
    last_reminder_at = models.DateTimeField("dernière relance", null=True, blank=True)
    signed_on = models.DateField("signé le", null=True, blank=True)
    refused_on = models.DateField("refusé le", null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)
    annex_version = models.ForeignKey(
        "AnnexVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="version de l'annexe signée",
    )
    signed_file = models.FileField(upload_to="commitments/signed/", blank=True)
    signed_sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    signed_outside = models.BooleanField(
        "signé hors plateforme",
        default=False,
        help_text="Le PDF déposé n'est pas l'annexe envoyée (document imprimé, signé, numérisé).",
    )
    digital_signer = models.CharField("signataire électronique (PAdES)", max_length=255, blank=True)
    digital_signature_valid = models.BooleanField(
        "signature électronique intègre", null=True, blank=True
    )
    digital_signature_trusted = models.BooleanField("certificat reconnu", null=True, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "signataire"
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "organisation"], name="one_signatory_per_operator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_status_display()}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:  # a partial save is a change too
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)


class AnnexVersion(models.Model):
    """One version of an operator's annex. Signed versions are frozen; an amendment (avenant)
    is a new version that needs a new signature."""

    letter = models.ForeignKey(
        CommitmentLetter, on_delete=models.PROTECT, related_name="annex_versions"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="annex_versions"
    )
    number = models.PositiveIntegerField("version")
    is_amendment = models.BooleanField("avenant", default=False)
    reason = models.TextField("motif de l'avenant", blank=True)
    lines = models.JSONField("contenu (texte)", default=list)
    pdf = models.ForeignKey(
        "documents.GeneratedDocument", on_delete=models.PROTECT, related_name="+"
    )
    docx = models.ForeignKey(
        "documents.GeneratedDocument", on_delete=models.PROTECT, related_name="+"
    )
    signed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "version d'annexe"
        ordering = ["organisation__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "organisation", "number"], name="one_number_per_annex_version"
            )
        ]

    def __str__(self) -> str:
        return f"Annexe {self.organisation} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and AnnexVersion.objects.filter(pk=self.pk, signed=True).exists():
            raise ValidationError(
                "Une annexe signée est figée : toute modification passe par un avenant."
            )
        super().save(*args, **kwargs)


class SignatureRecord(models.Model):
    """One signature received, kept for good: the annex version signed, the signed PDF (or the
    session), its SHA-256 and the electronic-signature check. An amendment's signature adds a
    record; the earlier ones and their files stay."""

    signatory = models.ForeignKey(Signatory, on_delete=models.PROTECT, related_name="signatures")
    annex_version = models.ForeignKey(
        AnnexVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_on = models.DateField("signé le")
    in_session = models.BooleanField("signé en séance collective", default=False)
    signed_outside = models.BooleanField("signé hors plateforme (document numérisé)", default=False)
    signed_file = models.FileField(upload_to="commitments/signed/", blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    digital_signer = models.CharField("signataire électronique (PAdES)", max_length=255, blank=True)
    digital_signature_valid = models.BooleanField(null=True, blank=True)
    digital_signature_trusted = models.BooleanField(null=True, blank=True)
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "signature enregistrée"
        verbose_name_plural = "signatures enregistrées"
        ordering = ["signatory", "-recorded_at"]

    def __str__(self) -> str:
        return f"Signature de l'annexe {self.annex_version} le {self.signed_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError("Une signature enregistrée est conservée telle quelle.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Une signature enregistrée ne peut pas être supprimée.")
