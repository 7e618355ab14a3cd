"""Generated documents: every file ptsm produces is stored with its SHA-256."""

from django.conf import settings
from django.db import models


def document_upload_to(instance: "GeneratedDocument", filename: str) -> str:
    # Content-addressed: two generations never overwrite each other's file.
    return f"documents/{instance.project_id}/{instance.sha256}.{instance.format}"


class GeneratedDocument(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="generated_documents"
    )
    kind = models.CharField("type de document", max_length=80)
    variant = models.CharField(max_length=120, blank=True)
    format = models.CharField("format", max_length=10)
    file_name = models.CharField("nom du fichier", max_length=200)
    content = models.FileField(upload_to=document_upload_to, max_length=300)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    size = models.PositiveIntegerField("taille (octets)")
    version = models.PositiveIntegerField("version", default=1)
    generated_at = models.DateTimeField("généré le", auto_now_add=True)
    # The workflow step (validation, signature) that froze this file, e.g. "feuille-de-route-v2":
    # later generations reuse it instead of composing the document again (see registry.Freeze).
    frozen_key = models.CharField("figé par", max_length=80, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="généré par",
    )

    class Meta:
        verbose_name = "document généré"
        verbose_name_plural = "documents générés"
        ordering = ["kind", "variant", "format", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "variant", "format", "version"],
                name="one_document_per_version",
            )
        ]
        indexes = [models.Index(fields=["project", "kind", "variant", "format", "-version"])]

    def __str__(self) -> str:
        return f"{self.file_name} (v{self.version})"
