"""Background jobs as the user sees them: what was asked, how far it went, what came out.

The queue (django-tasks: the database backend by default, RQ on Redis for several machines) only
carries the job's id; everything the user sees lives here, so the job page reads the same
whichever backend runs the work.
"""

import uuid

from django.conf import settings
from django.db import models


class JobState(models.TextChoices):
    PENDING = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    DONE = "termine", "Terminé"
    FAILED = "echoue", "Échoué"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="jobs", verbose_name="projet"
    )
    kind = models.CharField("type de travail", max_length=80)
    title = models.CharField("intitulé", max_length=200)
    params = models.JSONField("paramètres", default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandé par",
    )
    state = models.CharField(
        "état", max_length=12, choices=JobState.choices, default=JobState.PENDING
    )
    done = models.PositiveIntegerField("étapes faites", default=0)
    total = models.PositiveIntegerField("étapes prévues", default=0)
    step_label = models.CharField("étape en cours", max_length=200, blank=True)
    result_url = models.CharField("adresse du résultat", max_length=300, blank=True)
    result_label = models.CharField("résultat", max_length=200, blank=True)
    message = models.TextField("message", blank=True)
    # Lines shown under the message (an import's skipped lines, say).
    details = models.JSONField("détail", default=list, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    # The runner that holds the job: a runner whose token was replaced (the job was taken over
    # after it stalled) stops at its next progress report.
    runner = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    # Whether the requester was told, on a page, that the job ended.
    notified = models.BooleanField("notifié", default=False)

    class Meta:
        verbose_name = "travail en arrière-plan"
        verbose_name_plural = "travaux en arrière-plan"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "heartbeat_at"]),
            models.Index(fields=["requested_by", "notified", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in {JobState.DONE, JobState.FAILED}

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0
