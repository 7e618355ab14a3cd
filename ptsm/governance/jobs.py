"""Background work of the governance: sending a meeting's invitations (one e-mail each)."""

import datetime as dt

from django.db import transaction
from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import plural
from ptsm.jobs.registry import JobKind, JobResult, register
from ptsm.jobs.services import start_job

from . import services
from .models import Meeting

INVITATIONS_JOB = "invitations-seance"


@transaction.atomic
def start_invitations(*, meeting: Meeting, base_url: str, user):
    """Claim the sending (a double click sends nothing twice) and queue it, in one transaction."""
    since = services.claim_invitations(meeting=meeting)
    return start_job(
        project=meeting.body.project,
        kind=INVITATIONS_JOB,
        user=user,
        title=f"Envoi des invitations : {meeting.title}"[:200],
        params={"meeting": meeting.pk, "base_url": base_url, "since": since.isoformat()},
    )


def run_invitations(job, progress) -> JobResult:
    meeting = Meeting.objects.select_related("body__project").get(
        pk=job.params["meeting"], body__project=job.project
    )
    sent, without_email = services.send_invitations(
        meeting=meeting,
        base_url=job.params["base_url"],
        since=dt.datetime.fromisoformat(job.params["since"]),
        progress=progress,
    )
    details = []
    if without_email:
        details.append(
            "Sans adresse électronique, "
            + ("non invités" if len(without_email) > 1 else "non invité")
            + " par courriel : "
            + ", ".join(str(c) for c in without_email)
        )
    return JobResult(
        url=reverse("governance:meeting", kwargs={"slug": job.project.slug, "pk": meeting.pk}),
        label="Retour à la séance",
        message=plural(sent, "invitation envoyée", "invitations envoyées")
        + " par courriel avec le fichier agenda.",
        details=tuple(details),
    )


register(
    JobKind(
        slug=INVITATIONS_JOB,
        title="Envoi des invitations",
        handler=run_invitations,
        capability=Capability.MANAGE_GOVERNANCE,
    )
)
