"""COPIL validations: a document's content frozen with its SHA-256 (diagnostic, roadmap, reviews).

Each validating app subclasses `CopilValidation` with its project link and content field, and
records validations through `record_validation`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from ptsm.core.concurrency import AlreadyDone


class CopilValidation(models.Model):
    number = models.PositiveIntegerField("version")
    meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="séance du COPIL",
    )
    decision = models.TextField("décision")
    validated_on = models.DateField("validée le")
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    frozen_message = "Une version validée par le COPIL est figée."

    class Meta:
        abstract = True
        ordering = ["-number"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(self.frozen_message)
        super().save(*args, **kwargs)


@transaction.atomic
def record_validation(
    *,
    model,
    project,
    meeting,
    decision: str,
    validated_on,
    user,
    digest: str,
    unchanged_message: str,
    scope: dict | None = None,
    **content,
) -> CopilValidation:
    """A new frozen version, unless the content is the same as the last validated one. `scope`
    narrows the versions compared and numbered (e.g. one review among several)."""
    if meeting is not None and meeting.body.project_id != project.pk:
        raise ValidationError("Cette séance n'appartient pas au projet.")
    if not decision.strip():
        raise ValidationError("Indiquez la décision du COPIL.")
    scope = scope or {}
    # Locked: a second click on "Valider" waits for the first, then finds the same content
    # already validated (AlreadyDone), never two versions nor a clash on the number.
    project_model = model._meta.get_field("project").related_model
    list(project_model.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
    latest = model.objects.filter(project=project, **scope).order_by("-number").first()
    if latest is not None and latest.sha256 == digest:
        raise AlreadyDone(unchanged_message)
    return model.objects.create(
        project=project,
        number=(latest.number + 1) if latest else 1,
        meeting=meeting,
        decision=decision.strip(),
        validated_on=validated_on,
        validated_by=user,
        sha256=digest,
        **scope,
        **content,
    )
