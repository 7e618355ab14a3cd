"""Background work of the directory: the FINESS import (a national file has 100,000 lines).

Two jobs: the analysis reads the uploaded file and keeps the territory's establishments
(`PendingFinessImport`), then the import writes the groups of categories the user chose.
"""

import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from ptsm.accounts.permissions import Capability
from ptsm.audit.models import Kind
from ptsm.audit.services import record_event
from ptsm.core.concurrency import AlreadyDone
from ptsm.core.formatting import plural
from ptsm.jobs.registry import JobKind, JobResult, register

from .finess import FinessFileError, FinessReport, analyse_finess, import_pending_finess
from .models import Organisation, PendingFinessImport

FINESS_ANALYSIS = "analyse-finess"
FINESS_IMPORT = "import-finess"


def run_finess_analysis(job, progress) -> JobResult:
    from ptsm.jobs.services import JobFailed

    path, file_name = job.params["path"], job.params["file_name"]
    if not default_storage.exists(path):  # analysed already by a run that was taken over
        pending = PendingFinessImport.objects.filter(
            project=job.project, user=job.requested_by
        ).first()
        if pending is None:
            raise JobFailed("Le fichier déposé n'est plus disponible : déposez-le à nouveau.")
    else:
        try:
            with default_storage.open(path, "rb") as stream:
                pending = analyse_finess(
                    project=job.project,
                    user=job.requested_by,
                    stream=stream,
                    file_name=file_name,
                    progress=progress,
                    size=default_storage.size(path),
                )
        except FinessFileError as error:
            default_storage.delete(path)
            raise JobFailed(str(error)) from error
        default_storage.delete(path)  # the national file is not kept, only the territory's part
    found = len(pending.records)
    report = FinessReport.from_json(pending.report)
    return JobResult(
        url=reverse(
            "organisations:finess_choose", kwargs={"slug": job.project.slug, "pk": pending.pk}
        ),
        label="Choisir les catégories à importer",
        message=(
            f"Analyse terminée : "
            f"{plural(found, 'établissement du territoire', 'établissements du territoire')} "
            "dans les catégories d'un PTSM. Choisissez celles à importer."
        ),
        details=tuple(report.detail_lines()),
    )


def run_finess_import(job, progress) -> JobResult:
    directory = reverse("organisations:list", kwargs={"slug": job.project.slug})
    pending = PendingFinessImport.objects.filter(
        pk=job.params["pending"], project=job.project
    ).first()
    if pending is None:  # imported by a run that was taken over, or by a second click
        return JobResult(
            url=directory,
            label="Voir l'annuaire",
            message="Cet import FINESS a déjà été enregistré.",
        )
    progress(0, 1, "Enregistrement des établissements")
    file_name = pending.file_name
    try:
        report = import_pending_finess(pending=pending, groups=job.params["groups"])
    except AlreadyDone as done:
        return JobResult(url=directory, label="Voir l'annuaire", message=done.messages[0])
    # Written in bulk, so journaled as one import rather than row by row.
    record_event(
        kind=Kind.IMPORT,
        model=Organisation,
        project=job.project,
        actor=job.requested_by,
        object_repr=f"Import FINESS « {file_name[:100]} » : {report.summary()}",
        data={"created": report.created, "updated": report.updated},
    )
    return JobResult(
        url=directory,
        label="Voir l'annuaire",
        message=f"Import FINESS terminé : {report.summary()}",
        details=tuple(report.detail_lines()),
    )


register(
    JobKind(
        slug=FINESS_ANALYSIS,
        title="Import du fichier FINESS (analyse)",
        handler=run_finess_analysis,
        capability=Capability.EDIT_DIRECTORY,
    )
)
register(
    JobKind(
        slug=FINESS_IMPORT,
        title="Import du fichier FINESS (enregistrement)",
        handler=run_finess_import,
        capability=Capability.EDIT_DIRECTORY,
    )
)


def start_finess_analysis(*, project, user, upload):
    """Keep the uploaded file (private storage) for the worker, and queue its analysis."""
    from ptsm.jobs.services import start_job

    path = default_storage.save(f"imports/{project.pk}/finess-{uuid.uuid4().hex}.csv", upload)
    return start_job(
        project=project,
        kind=FINESS_ANALYSIS,
        user=user,
        params={"path": path, "file_name": upload.name[:200]},
    )


@transaction.atomic
def start_finess_import(*, pending: PendingFinessImport, user, groups: list[str]):
    """Queue the import of the chosen groups; a second click finds the job already started
    (None when the analysis is gone: imported already, or replaced by a newer one)."""
    from ptsm.jobs.models import Job
    from ptsm.jobs.services import start_job

    locked = PendingFinessImport.objects.select_for_update().filter(pk=pending.pk).first()
    if locked is None:
        return None
    if locked.import_job is not None:
        started = Job.objects.filter(pk=locked.import_job).first()
        if started is not None:
            return started
    job = start_job(
        project=locked.project,
        kind=FINESS_IMPORT,
        user=user,
        params={"pending": locked.pk, "groups": groups},
    )
    PendingFinessImport.objects.filter(pk=locked.pk).update(import_job=job.pk)
    return job
