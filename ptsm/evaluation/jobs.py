"""Background work of the evaluation: asking every pilot for their indicators' measurements, and
generating a review's documents (PDF, DOCX and PPTX)."""

from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import plural
from ptsm.documents.registry import get_kind as document_kind
from ptsm.documents.rendering import RenderingError
from ptsm.documents.services import DocumentUnavailable, frozen_states, generate_document
from ptsm.jobs.registry import JobKind, JobResult, register
from ptsm.jobs.services import JobFailed, start_job

from . import services

PILOTS_JOB = "sollicitation-pilotes"
REVIEW_DOCUMENTS_JOB = "documents-bilan"


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


def start_review_documents(*, project, review_label: str, stem: str, user):
    """One job per review: a double click on its page generates its documents once."""
    return start_job(
        project=project,
        kind=REVIEW_DOCUMENTS_JOB,
        user=user,
        title=f"Génération des documents du bilan : {review_label}"[:200],
        params={"document": stem},
        once=True,
        once_for={"document": stem},
    )


def run_review_documents(job, progress) -> JobResult:
    """Each format of the review, one progress step each. A validated review's files are the
    frozen ones, reused as stored (`generate_document`): a rerun adds no version of them."""
    stem = job.params["document"]
    kind = document_kind(stem)
    formats = list(kind.renderers)
    documents = []
    try:
        for index, fmt in enumerate(formats):
            progress(index, len(formats), f"{stem}.{fmt}")
            documents.append(
                generate_document(
                    project=job.project, kind_slug=stem, fmt=fmt, user=job.requested_by
                )
            )
    except DocumentUnavailable as exc:
        raise JobFailed(
            f"Les documents du bilan ne peuvent pas encore être générés : {exc}"
        ) from exc
    except RenderingError as exc:
        raise JobFailed(f"Les documents du bilan n'ont pas pu être générés. {exc}") from exc
    progress(len(formats), len(formats), "")
    message = plural(len(documents), "fichier généré", "fichiers générés") + "."
    if frozen_states(job.project, kind):
        message = (
            plural(len(documents), "fichier", "fichiers")
            + " du bilan validé, repris tels que le COPIL les a validés (aucune nouvelle version)."
        )
    return JobResult(
        url=reverse("documents:list", kwargs={"slug": job.project.slug}),
        label="Voir les documents du bilan",
        message=message,
        details=tuple(
            f"{d.file_name} — version {d.version}, SHA-256 {d.sha256[:16]}…" for d in documents
        ),
    )


register(
    JobKind(
        slug=REVIEW_DOCUMENTS_JOB,
        title="Génération des documents du bilan",
        handler=run_review_documents,
        capability=Capability.GENERATE_DOCUMENTS,
    )
)
