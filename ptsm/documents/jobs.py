"""Background work of the documents: « Tout générer » (every document of a project)."""

from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import plural
from ptsm.jobs.registry import JobKind, JobResult, register
from ptsm.jobs.services import JobFailed

from .rendering import RenderingError
from .services import generate_all

GENERATE_ALL_JOB = "tout-generer"


def run_generate_all(job, progress) -> JobResult:
    try:
        generated = generate_all(project=job.project, user=job.requested_by, progress=progress)
    except RenderingError as exc:
        raise JobFailed(f"Les documents n'ont pas pu être générés. {exc}") from exc
    return JobResult(
        url=reverse("documents:list", kwargs={"slug": job.project.slug}),
        label="Voir les documents",
        message=plural(len(generated), "fichier généré", "fichiers générés")
        + " (les documents figés sont repris tels qu'ils ont été validés ou signés).",
    )


register(
    JobKind(
        slug=GENERATE_ALL_JOB,
        title="Génération de tous les documents",
        handler=run_generate_all,
        capability=Capability.GENERATE_DOCUMENTS,
    )
)
