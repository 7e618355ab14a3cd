"""The public face of a project: its transparency page, opt-in and withdrawn by the chef de
projet. The cockpit itself stores nothing: it reads the other apps."""

from django.db import models

from ptsm.diagnostic.models import rekeyed_code


class PublicPage(models.Model):
    """Whether the project's transparency page (`/public/<projet>/`) and its open data are
    published, and which diagnostic indicators the COPIL chose to publish. Changes are recorded in
    the project's journal (`audit.tracked`)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="public_page"
    )
    published = models.BooleanField("publiée", default=False)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    indicator_codes = models.JSONField("indicateurs publiés", default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "page publique"
        verbose_name_plural = "pages publiques"

    def __str__(self) -> str:
        return f"Page publique — {self.project}"

    def rekey_for_project(self) -> None:
        """Restored from an archive: the project's own indicators have their new codes."""
        self.indicator_codes = [rekeyed_code(c, self.project_id) for c in self.indicator_codes]
