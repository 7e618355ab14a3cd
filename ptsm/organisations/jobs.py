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


# Tables (CSV, XLSX) of organisations or contacts: large ones are read and written by a worker.
TABLE_ANALYSIS = "analyse-tableau"
TABLE_IMPORT = "import-tableau"


def run_table_analysis(job, progress) -> JobResult:
    """Read the kept upload, check its lines and keep them as the user's pending import (what
    the upload page does at once for a small file)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ptsm.jobs.services import JobFailed

    from .imports import start_import
    from .models import ColumnMapping, PendingImport
    from .tabular import TableError, read_table

    path = job.params["path"]
    if not default_storage.exists(path):  # checked already by a run that was taken over
        pending = PendingImport.objects.filter(project=job.project, user=job.requested_by).first()
        if pending is None:
            raise JobFailed("Le fichier déposé n'est plus disponible : déposez-le à nouveau.")
        return _analysed(job, pending)
    progress(0, 2, "Lecture du fichier")
    with default_storage.open(path, "rb") as stream:
        upload = SimpleUploadedFile(job.params["file_name"], stream.read())
    try:
        headers, rows = read_table(upload)
    except TableError as error:
        default_storage.delete(path)
        raise JobFailed(str(error)) from error
    progress(1, 2, f"Vérification de {plural(len(rows), 'ligne', 'lignes')}")
    saved = ColumnMapping.objects.filter(
        project=job.project, pk=job.params.get("saved_mapping") or 0
    ).first()
    pending = start_import(
        project=job.project,
        user=job.requested_by,
        kind=job.params["kind"],
        file_name=job.params["file_name"],
        headers=headers,
        table=rows,
        saved=saved,
    )
    default_storage.delete(path)  # the table is kept in the pending import, not the file
    return _analysed(job, pending)


def _analysed(job, pending) -> JobResult:
    return JobResult(
        url=reverse(
            "organisations:import_pending", kwargs={"slug": job.project.slug, "pk": pending.pk}
        ),
        label="Vérifier la correspondance et les lignes",
        message=(
            f"Fichier lu : {plural(len(pending.rows), 'ligne vérifiée', 'lignes vérifiées')}. "
            "Vérifiez la correspondance des colonnes, puis confirmez l'import."
        ),
    )


def run_table_import(job, progress) -> JobResult:
    """Write a confirmed pending import (all lines or the valid ones), as the confirm page does
    at once for a small one. A second run finds it written and says so."""
    from django.core.exceptions import ValidationError

    from ptsm.jobs.services import JobFailed

    from .imports import commit_import
    from .models import ImportKind, PendingImport

    target = (
        "organisations:list"
        if job.params["kind"] == ImportKind.ORGANISATIONS
        else ("organisations:contacts")
    )
    done_url = reverse(target, kwargs={"slug": job.project.slug})
    label = "Voir l'annuaire" if target == "organisations:list" else "Voir les contacts"
    pending = PendingImport.objects.filter(
        pk=job.params["pending"], project=job.project, user=job.requested_by
    ).first()
    if pending is None:
        return JobResult(url=done_url, label=label, message="Cet import a déjà été enregistré.")
    progress(0, 1, f"Enregistrement de {plural(len(pending.rows), 'ligne', 'lignes')}")
    try:
        outcome = commit_import(
            pending=pending,
            mode=job.params["mode"],
            keep_outside=job.params["keep_outside"],
            user=job.requested_by,
        )
    except AlreadyDone as done:
        return JobResult(url=done_url, label=label, message=done.messages[0])
    except ValidationError as error:
        raise JobFailed(
            "Import annulé, rien n'a été enregistré : " + " ".join(error.messages)
        ) from error
    return JobResult(url=done_url, label=label, message=outcome.message())


register(
    JobKind(
        slug=TABLE_ANALYSIS,
        title="Import d'un tableau (lecture et vérification)",
        handler=run_table_analysis,
        capability=Capability.EDIT_DIRECTORY,
    )
)
register(
    JobKind(
        slug=TABLE_IMPORT,
        title="Import d'un tableau (enregistrement)",
        handler=run_table_import,
        capability=Capability.EDIT_DIRECTORY,
    )
)


def start_table_analysis(*, project, user, upload, kind: str, saved_mapping=None):
    """Keep the uploaded table (private storage) for the worker, and queue its checking."""
    from ptsm.jobs.services import start_job

    extension = upload.name.rsplit(".", 1)[-1].lower()
    path = default_storage.save(
        f"imports/{project.pk}/tableau-{uuid.uuid4().hex}.{extension}", upload
    )
    return start_job(
        project=project,
        kind=TABLE_ANALYSIS,
        user=user,
        params={
            "path": path,
            "file_name": upload.name[:200],
            "kind": kind,
            "saved_mapping": saved_mapping.pk if saved_mapping is not None else None,
        },
    )


def start_table_import(*, pending, user, mode: str, keep_outside: bool):
    from ptsm.jobs.services import start_job

    return start_job(
        project=pending.project,
        kind=TABLE_IMPORT,
        user=user,
        params={
            "pending": pending.pk,
            "kind": pending.kind,
            "mode": mode,
            "keep_outside": keep_outside,
        },
    )
