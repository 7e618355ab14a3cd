from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.audit.services import record_download, record_export
from ptsm.jobs.services import start_job
from ptsm.projects.access import project_view
from ptsm.projects.freshness import cached_page

from . import selectors, services
from .jobs import GENERATE_ALL_JOB
from .models import GeneratedDocument
from .registry import CONTENT_TYPES, FORMAT_LABELS, get_kind
from .rendering import RenderingError


def _viewer(request) -> selectors.Viewer:
    return selectors.Viewer(request.project_role, request.project_organisation_id)


def _document(request, project, pk) -> GeneratedDocument:
    """The document, 404 when it is not of the project or not for this viewer (another operator's
    annex for a signataire, a draft for a lecteur)."""
    document = get_object_or_404(GeneratedDocument, pk=pk, project=project)
    if not selectors.may_download(
        project, _viewer(request), kind_slug=document.kind, variant_key=document.variant
    ):
        raise Http404("Document introuvable.")
    return document


@project_view(Capability.VIEW_PROJECT)
@cached_page
@require_safe
def document_list(request, project):
    rows = selectors.document_catalogue(project, _viewer(request))
    return render(
        request,
        "documents/document_list.html",
        {
            "page_title": "Documents",
            "sections": selectors.by_section(rows),
            "any_file": bool(selectors.downloadable_files(rows)),
            "can_generate": role_allows(request.project_role, Capability.GENERATE_DOCUMENTS),
        },
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def document_download_all(request, project):
    """« Tout télécharger » : the latest file of every document this viewer may download, in one
    ZIP built in a temporary file (bounded memory, however many documents)."""
    import tempfile

    files = selectors.downloadable_files(selectors.document_catalogue(project, _viewer(request)))
    if not files:
        messages.info(request, "Aucun document n'a encore été généré.")
        return redirect("documents:list", slug=project.slug)
    zip_name = f"documents-{project.slug}.zip"
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    services.write_zip(files, spool)
    spool.seek(0)
    record_export(project=project, user=request.user, what="documents", file_name=zip_name)
    archived = selectors.archived_among([entry.latest.pk for entry in files])
    for entry in files:
        if entry.latest.pk in archived:
            record_download(
                project=project, user=request.user, obj=entry.latest, file_name=entry.file_name
            )
    return FileResponse(
        spool, as_attachment=True, filename=zip_name, content_type="application/zip"
    )


@project_view(Capability.GENERATE_DOCUMENTS)
@require_POST
def document_generate(request, project):
    kind_slug = request.POST.get("kind", "")
    fmt = request.POST.get("format", "")
    variant = request.POST.get("variant", "")
    try:
        kind = get_kind(kind_slug)
        job = services.start_generation_job(
            project=project, kind_slug=kind.slug, fmt=fmt, variant_key=variant, user=request.user
        )
        if job is not None:
            return redirect("jobs:detail", slug=project.slug, pk=job.pk)
        document = services.generate_document(
            project=project, kind_slug=kind.slug, fmt=fmt, variant_key=variant, user=request.user
        )
    except KeyError:
        messages.error(request, "Document ou format inconnu.")
    except services.DocumentUnavailable as exc:
        messages.info(request, f"{kind.title} : pas encore disponible. {exc}")
    except RenderingError as exc:
        messages.error(request, f"Le document n'a pas pu être généré. {exc}")
    else:
        if variant in services.frozen_states(project, kind):
            messages.info(
                request,
                f"{document.file_name} est figé (version {document.version}, SHA-256 "
                f"{document.sha256[:12]}…) : aucune nouvelle version n'est générée.",
            )
            return redirect("documents:list", slug=project.slug)
        messages.success(
            request,
            f"{document.file_name} généré (version {document.version}, "
            f"{FORMAT_LABELS.get(fmt, fmt)}).",
        )
    return redirect("documents:list", slug=project.slug)


@project_view(Capability.GENERATE_DOCUMENTS)
@require_POST
def document_generate_all(request, project):
    """Every document of the project, in the background: the job page shows the progress."""
    job = start_job(project=project, kind=GENERATE_ALL_JOB, user=request.user, once=True)
    return redirect("jobs:detail", slug=project.slug, pk=job.pk)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def document_download(request, project, pk):
    document = _document(request, project, pk)
    try:
        handle = document.content.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Fichier absent du stockage.") from exc
    if selectors.is_archived(document):
        record_download(
            project=project, user=request.user, obj=document, file_name=document.file_name
        )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.file_name,
        content_type=CONTENT_TYPES.get(document.format, "application/octet-stream"),
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def document_history(request, project, pk):
    document = _document(request, project, pk)
    return render(
        request,
        "documents/document_history.html",
        {
            "page_title": f"Historique — {document.file_name}",
            "document": document,
            "versions": selectors.document_history(
                project, document.kind, document.variant, document.format
            ),
        },
    )
