"""Background work of the commitments: the bundle (liasse) of a project's commitment letters."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.documents.rendering import RenderingError
from ptsm.documents.services import generate_document
from ptsm.jobs.registry import JobKind, JobResult, register
from ptsm.jobs.services import JobFailed

from . import services
from .documents import BUNDLE_KIND

BUNDLE_JOB = "liasse-engagements"
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
