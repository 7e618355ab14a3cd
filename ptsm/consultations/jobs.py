"""Background work of the consultations: e-mailing the answer link to a body's members (one
e-mail each), the way the governance sends a meeting's invitations."""

from django.db import transaction
from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import plural
from ptsm.governance.selectors import project_bodies
from ptsm.jobs.registry import JobKind, JobResult, register
from ptsm.jobs.services import start_job

from . import services
from .models import InvitationSending

LINK_JOB = "lien-consultation"


def _member_emails(body) -> list[str]:
    return [m.contact.email for m in body.members.all()]


@transaction.atomic
def start_link_sending(*, consultation, body, answer_url: str, user):
    """Claim the sending (a double click sends nothing twice) and queue it, in one transaction."""
    sending = services.claim_link_sending(
        consultation=consultation,
        body_id=body.pk,
        body_name=body.name,
        emails=_member_emails(body),
    )
    return start_job(
        project=consultation.project,
        kind=LINK_JOB,
        user=user,
        title=f"Envoi du lien : {consultation.title}"[:200],
        params={"sending": sending.pk, "answer_url": answer_url},
    )


def run_link_sending(job, progress) -> JobResult:
    sending = InvitationSending.objects.select_related("consultation__project").get(
        pk=job.params["sending"], consultation__project=job.project
    )
    body = project_bodies(job.project).get(pk=sending.body_id)
    sent = services.send_link(
        sending=sending,
        emails=_member_emails(body),
        answer_url=job.params["answer_url"],
        progress=progress,
    )
    consultation = sending.consultation
    return JobResult(
        url=reverse(
            "consultations:detail",
            kwargs={"slug": job.project.slug, "number": consultation.number},
        ),
        label="Retour à la consultation",
        message=plural(sent, "courriel envoyé", "courriels envoyés")
        + f" aux membres de « {sending.body_name} », avec le lien de réponse.",
    )


register(
    JobKind(
        slug=LINK_JOB,
        title="Envoi du lien d'une consultation",
        handler=run_link_sending,
        capability=Capability.MANAGE_CONSULTATIONS,
    )
)
