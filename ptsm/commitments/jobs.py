"""Background work of the commitments: the bundle (liasse) of a project's commitment letters,
and the signature campaign's mailings (every annex ready sent, every operator waiting
reminded), one e-mail per operator, remembered as it leaves so that a resumed job writes to no
one twice."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import plural
from ptsm.documents.rendering import RenderingError
from ptsm.documents.services import generate_document
from ptsm.jobs.registry import JobKind, JobResult, register
from ptsm.jobs.services import JobFailed

from . import services
from .documents import BUNDLE_KIND

BUNDLE_JOB = "liasse-engagements"
SEND_ALL_JOB = "envoi-annexes-signature"
REMIND_ALL_JOB = "relance-operateurs"
# Annexes stored per step: each step is a sign of life and a point the job can be resumed from
# (a new worker stores only the annexes still missing).
ANNEX_BATCH = 10


def build_bundle(job, progress) -> JobResult:
    letter = services.ensure_letter(project=job.project)
    user = job.requested_by
    try:
        step = services.prepare_bundle_annexes(letter=letter, limit=0, user=user)
        for _ in range(step.total // ANNEX_BATCH + 2):  # bounded, whatever happens
            progress(step.done, step.total + 1, "Préparation des annexes")
            step = services.prepare_bundle_annexes(letter=letter, limit=ANNEX_BATCH, user=user)
            if step.generated == 0:
                break
        progress(step.total, step.total + 1, "Assemblage de la liasse")
        document = generate_document(
            project=job.project, kind_slug=BUNDLE_KIND, fmt="pdf", user=user
        )
    except (ValidationError, RenderingError) as exc:
        reason = " ".join(getattr(exc, "messages", [str(exc)]))
        raise JobFailed(f"La liasse n'a pas pu être constituée : {reason}") from exc
    return JobResult(
        url=reverse("documents:download", kwargs={"slug": job.project.slug, "pk": document.pk}),
        label="Télécharger la liasse",
        message=(
            f"Liasse prête : {document.file_name} (version {document.version}, "
            f"{filesizeformat(document.size)})."
        ),
    )


register(
    JobKind(
        slug=BUNDLE_JOB,
        title="Constitution de la liasse des engagements",
        handler=build_bundle,
        capability=Capability.GENERATE_DOCUMENTS,
    )
)


def _campaign_result(
    job, report, *, done: tuple[str, str], none_done: str, nothing_to_do: str
) -> JobResult:
    if not report.candidates:
        message = nothing_to_do
    else:
        message = (plural(report.sent, *done) if report.sent else none_done) + "."
        if report.skipped:
            message += (
                " "
                + plural(
                    report.skipped_count, "opérateur laissé de côté", "opérateurs laissés de côté"
                )
                + " :"
            )
    return JobResult(
        url=reverse("commitments:letter", kwargs={"slug": job.project.slug}),
        label="Retour à la campagne de signature",
        message=message,
        details=tuple(report.skipped_lines()),
    )


def _mailing(job, progress, campaign):
    """Run a campaign, keeping with the job the signatories mailed as each e-mail leaves."""
    mailed = list(job.params.get("mailed", []))

    def remember(signatory_id: int) -> None:
        mailed.append(signatory_id)
        progress.remember(mailed=mailed)

    return campaign(
        letter=services.ensure_letter(project=job.project),
        base_url=job.params["base_url"],
        already_sent=set(mailed),
        on_sent=remember,
        progress=progress,
    )


def send_all(job, progress) -> JobResult:
    return _campaign_result(
        job,
        _mailing(job, progress, services.send_all_for_signature),
        done=("annexe envoyée pour signature", "annexes envoyées pour signature"),
        none_done="Aucune annexe envoyée pour signature",
        nothing_to_do=(
            "Aucune annexe à envoyer : chaque opérateur a déjà reçu la sienne, l'a signée ou "
            "l'a refusée."
        ),
    )


def remind_all(job, progress) -> JobResult:
    return _campaign_result(
        job,
        _mailing(job, progress, services.remind_all),
        done=("opérateur relancé", "opérateurs relancés"),
        none_done="Aucun opérateur relancé",
        nothing_to_do="Aucun opérateur à relancer : aucune annexe envoyée n'attend de signature.",
    )


register(
    JobKind(
        slug=SEND_ALL_JOB,
        title="Envoi pour signature des annexes prêtes",
        handler=send_all,
        capability=Capability.MANAGE_COMMITMENTS,
    )
)
register(
    JobKind(
        slug=REMIND_ALL_JOB,
        title="Relance des opérateurs en attente de signature",
        handler=remind_all,
        capability=Capability.MANAGE_COMMITMENTS,
    )
)
