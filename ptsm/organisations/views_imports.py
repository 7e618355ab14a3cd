"""File imports and exports of the directory (CSV, XLSX, FINESS)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability
from ptsm.audit.services import record_export
from ptsm.core.concurrency import AlreadyDone
from ptsm.documents.spreadsheets import to_csv, to_xlsx
from ptsm.projects.access import project_view

from .forms import ImportForm
from .imports import commit_import, export_rows, preview_import, save_pending_import
from .models import ImportKind, PendingImport
from .tabular import TableError, read_table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@project_view(Capability.EDIT_DIRECTORY)
def import_upload(request, project):
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = pending = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            headers, rows = read_table(upload)
            preview = preview_import(
                project=project, kind=form.cleaned_data["kind"], headers=headers, rows=rows
            )
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            if preview.is_valid:
                pending = save_pending_import(
                    project=project, user=request.user, preview=preview, file_name=upload.name
                )
    return render(
        request,
        "organisations/import.html",
        {
            "page_title": "Importer des organisations ou des contacts",
            "form": form,
            "preview": preview,
            "pending": pending,
        },
    )


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def import_confirm(request, project, pk):
    pending = PendingImport.objects.filter(pk=pk, project=project, user=request.user).first()
    if pending is None:  # confirmed already (a second click), or expired
        messages.info(request, "Cet import a déjà été enregistré (ou n'est plus disponible).")
        return redirect("organisations:list", slug=project.slug)
    try:
        created, updated = commit_import(pending=pending)
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
        return redirect("organisations:list", slug=project.slug)
    except ValidationError as exc:
        # The directory changed since the preview: nothing was written.
        messages.error(
            request, "Import annulé, rien n'a été enregistré : " + " ".join(exc.messages)
        )
        return redirect("organisations:import", slug=project.slug)
    messages.success(request, f"Import terminé : {created} création(s), {updated} mise(s) à jour.")
    return redirect("organisations:list", slug=project.slug)


def _file_response(data: bytes, file_name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _checked(what: str, fmt: str) -> None:
    if what not in ImportKind.values or fmt not in CONTENT_TYPES:
        raise Http404("Export inconnu.")


@project_view(Capability.VIEW_PROJECT)
@require_safe
def export(request, project, what, fmt):
    """The organisations (institutions only); contacts go through `contacts_export`."""
    if what == ImportKind.CONTACTS:
        raise Http404("Export inconnu.")
    return _export(request, project, what, fmt)


@project_view(Capability.EXPORT_CONTACTS)
@require_safe
def contacts_export(request, project, fmt):
    """Contacts' e-mail addresses and phone numbers leave ptsm only by the chef de projet's hand."""
    return _export(request, project, ImportKind.CONTACTS, fmt)


def _export(request, project, what: str, fmt: str) -> HttpResponse:
    _checked(what, fmt)
    headers, rows = export_rows(project=project, kind=what)
    data = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, what.capitalize())
    stamp = dt.date.today().isoformat()
    file_name = f"annuaire-{what}-{project.slug}-{stamp}.{fmt}"
    record_export(project=project, user=request.user, what=f"annuaire-{what}", file_name=file_name)
    return _file_response(data, file_name, fmt)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def import_template(request, project, what, fmt):
    _checked(what, fmt)
    headers, _rows = export_rows(project=project, kind=what)
    data = to_csv(headers, []) if fmt == "csv" else to_xlsx(headers, [], what.capitalize())
    return _file_response(data, f"modele-import-{what}.{fmt}", fmt)
