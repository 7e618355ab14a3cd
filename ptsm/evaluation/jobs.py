"""Background work of the evaluation: asking every pilot for their indicators' measurements."""

from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import plural
from ptsm.jobs.registry import JobKind, JobResult, register

from . import services

PILOTS_JOB = "sollicitation-pilotes"


def run_pilot_requests(job, progress) -> JobResult:
    sent_to = list(job.params.get("sent_to", []))

    def remember(email: str) -> None:
        sent_to.append(email)
        progress.remember(sent_to=sent_to)

    report = services.ask_pilots_for_measurements(
        project=job.project,
        base_url=job.params["base_url"],
        already_sent=set(sent_to),
        on_sent=remember,
        progress=progress,
    )
    details = []
    if report.unreachable:
        details.append(
            "Sans pilote joignable par courriel : " + " ; ".join(report.unreachable) + "."
        )
    return JobResult(
        url=reverse("evaluation:overview", kwargs={"slug": job.project.slug}),
        label="Retour au suivi",
        message=(
            plural(report.sent, "pilote sollicité", "pilotes sollicités") + " par courriel."
            if report.sent
            else "Aucun pilote à solliciter : aucune fiche-action en cours n'a d'indicateur."
        ),
        details=tuple(details),
    )


register(
    JobKind(
        slug=PILOTS_JOB,
        title="Sollicitation des pilotes (indicateurs à mesurer)",
        handler=run_pilot_requests,
        capability=Capability.EDIT_ROADMAP,
    )
)
