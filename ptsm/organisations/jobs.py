"""Background work of the directory: the FINESS import (a national file has 100,000 lines)."""

from django.core.files.storage import default_storage
from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.audit.models import Kind
from ptsm.audit.services import record_event
from ptsm.jobs.registry import JobKind, JobResult, register

from .finess import import_finess
from .models import Organisation

FINESS_IMPORT = "import-finess"


def run_finess_import(job, progress) -> JobResult:
    path, file_name = job.params["path"], job.params["file_name"]
    with default_storage.open(path, "rb") as stream:
        report = import_finess(
            project=job.project, stream=stream, progress=progress, size=default_storage.size(path)
        )
    # Written in bulk, so journaled as one import rather than row by row.
    record_event(
        kind=Kind.IMPORT,
        model=Organisation,
        project=job.project,
        actor=job.requested_by,
        object_repr=f"Import FINESS « {file_name[:100]} » : {report.summary()}",
        data={"created": report.created, "updated": report.updated},
    )
    default_storage.delete(path)  # the file is not kept once imported
    return JobResult(
        url=reverse("organisations:list", kwargs={"slug": job.project.slug}),
        label="Voir l'annuaire",
        message=f"Import FINESS terminé : {report.summary()}",
        details=tuple(report.detail_lines()),
    )


register(
    JobKind(
        slug=FINESS_IMPORT,
        title="Import du fichier FINESS",
        handler=run_finess_import,
        capability=Capability.EDIT_DIRECTORY,
    )
)


def start_finess_import(*, project, user, upload):
    """Keep the uploaded file (private storage) for the worker, and queue its import."""
    from ptsm.jobs.services import start_job

    path = default_storage.save(f"imports/{project.pk}/finess.csv", upload)
    return start_job(
        project=project,
        kind=FINESS_IMPORT,
        user=user,
        params={"path": path, "file_name": upload.name[:200]},
    )
