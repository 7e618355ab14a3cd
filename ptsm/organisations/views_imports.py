"""File imports and exports of the directory (CSV, XLSX, FINESS)."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability
from ptsm.audit.services import record_export
from ptsm.core.concurrency import AlreadyDone
from ptsm.core.formatting import french_number, plural
from ptsm.documents.spreadsheets import to_csv, to_xlsx
from ptsm.projects.access import project_view

from .forms import (
    ColumnMappingForm,
    ConfirmImportForm,
    ImportForm,
    SaveMappingForm,
)
from .import_organisations import CREATE, REFUSED, UNCHANGED, UPDATE, changes
from .imports import (
    ALL_OR_NOTHING,
    COLUMNS,
    VALID_ONLY,
    commit_import,
    export_rows,
    is_current,
    problem_of,
    refused_lines_csv,
    remap_import,
    save_mapping,
    start_import,
)
from .jobs import start_table_analysis, start_table_import
from .models import ImportKind, PendingImport
from .personal_data import pending_import_expired
from .tabular import TableError, check_upload, read_table

LINES_PER_PAGE = 50
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@project_view(Capability.EDIT_DIRECTORY)
def import_upload(request, project):
    """Step 1: the file. Its table is kept with a proposed mapping, then the next page shows
    the mapping and the checked lines."""
    form = ImportForm(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload(upload)
            if upload.size > settings.PTSM_IMPORT_JOB_BYTES:  # read by a worker, with progress
                job = start_table_analysis(
                    project=project,
                    user=request.user,
                    upload=upload,
                    kind=form.cleaned_data["kind"],
                    saved_mapping=form.cleaned_data.get("saved_mapping"),
                )
                return redirect("jobs:detail", slug=project.slug, pk=job.pk)
            headers, rows = read_table(upload)
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            pending = start_import(
                project=project,
                user=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                headers=headers,
                table=rows,
                saved=form.cleaned_data.get("saved_mapping"),
            )
            return redirect("organisations:import_pending", slug=project.slug, pk=pending.pk)
    return render(
        request,
        "organisations/import.html",
        {"page_title": "Importer des organisations ou des contacts", "form": form},
    )


def _pending_or_404(request, project, pk, *, current_only: bool = True) -> PendingImport:
    pending = PendingImport.objects.filter(pk=pk, project=project, user=request.user).first()
    if pending is None or (current_only and not is_current(pending)):
        raise Http404("Cet import n'existe plus (confirmé, remplacé ou expiré).")
    return pending


@project_view(Capability.EDIT_DIRECTORY)
def import_pending(request, project, pk):
    """Step 2: the mapping (adjusted and applied with POST) and the checked lines, paginated."""
    pending = _pending_or_404(request, project, pk, current_only=False)
    if pending_import_expired(pending) or not is_current(pending):
        messages.error(request, "Cet import n'est plus disponible : déposez de nouveau le fichier.")
        return redirect("organisations:import", slug=project.slug)
    columns = COLUMNS[pending.kind]
    mapping_form = ColumnMappingForm(
        request.POST or None,
        headers=pending.headers,
        columns=columns,
        initial_mapping=pending.mapping,
    )
    if request.method == "POST" and mapping_form.is_valid():
        try:
            remap_import(pending=pending, mapping=mapping_form.mapping())
        except ValidationError as exc:
            mapping_form.add_error(None, exc)
        else:
            messages.success(
                request, "Correspondance appliquée : les lignes ont été vérifiées de nouveau."
            )
            return redirect("organisations:import_pending", slug=project.slug, pk=pending.pk)
    return render(
        request,
        "organisations/import_pending.html",
        {
            "page_title": f"Importer « {pending.file_name} »",
            "pending": pending,
            "mapping_rows": _mapping_rows(pending, mapping_form),
            "mapping_form": mapping_form,
            "save_form": SaveMappingForm(),
            "confirm_form": ConfirmImportForm(
                initial={"mode": VALID_ONLY if _count(pending, REFUSED) else ALL_OR_NOTHING}
            ),
            "summary": _summary(pending),
            "problem": problem_of(pending),
            "page_obj": _page(pending, request.GET.get("page")),
        },
    )


def _count(pending: PendingImport, action: str) -> int:
    return sum(1 for row in pending.rows if row["action"] == action)


def _summary(pending: PendingImport) -> dict:
    """The counts shown above the lines, in words (« 1 ligne refusée », « 3 créations »)."""
    lines, refused = len(pending.rows), _count(pending, REFUSED)
    outside = sum(1 for row in pending.rows if row.get("outside"))
    unchanged = _count(pending, UNCHANGED)
    title = plural(lines, "ligne lue", "lignes lues") + (
        f", dont {plural(refused, 'refusée', 'refusées')}"
        if refused
        else (", toutes valides" if lines > 1 else ", valide")
    )
    created = plural(_count(pending, CREATE), "création", "créations")
    if outside:
        created += f", dont {french_number(outside)} hors du territoire du projet"
    updated = plural(_count(pending, UPDATE), "mise à jour", "mises à jour")
    if unchanged:
        updated += ", " + plural(unchanged, "organisation déjà à jour", "organisations déjà à jour")
    return {
        "title": title,
        "created": created,
        "updated": updated,
        "refused": plural(refused, "ligne refusée", "lignes refusées") if refused else "",
        "outside": outside,
    }


def _mapping_rows(pending: PendingImport, form) -> list[tuple]:
    """(bound select, examples) per column: the first non-empty values help to recognise it."""
    rows = []
    for index, _header in enumerate(pending.headers):
        examples = []
        for line in pending.table:
            if index < len(line) and line[index] and line[index] not in examples:
                examples.append(line[index][:60])
            if len(examples) == 2:
                break
        rows.append((form[f"col_{index}"], examples))
    return rows


def _page(pending: PendingImport, number):
    page = Paginator(pending.rows, LINES_PER_PAGE).get_page(number)
    if pending.kind == ImportKind.ORGANISATIONS:
        page.object_list = [
            {**row, "changes": changes(row) if row["action"] == UPDATE else []}
            for row in page.object_list
        ]
    return page


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def import_save_mapping(request, project, pk):
    pending = _pending_or_404(request, project, pk)
    form = SaveMappingForm(request.POST)
    if form.is_valid():
        saved = save_mapping(pending=pending, name=form.cleaned_data["name"], user=request.user)
        messages.success(
            request,
            f"Correspondance « {saved.name} » enregistrée : elle sera proposée pour les prochains "
            "fichiers de même forme.",
        )
    else:
        messages.error(request, "Donnez un nom (100 caractères au plus) à la correspondance.")
    return redirect("organisations:import_pending", slug=project.slug, pk=pending.pk)


@project_view(Capability.EDIT_DIRECTORY)
@require_safe
def import_refused(request, project, pk):
    """The refused lines, with the file's columns and the reason, to correct and import again."""
    pending = _pending_or_404(request, project, pk)
    stem = pending.file_name.rsplit(".", 1)[0][:80] or "import"
    return _file_response(refused_lines_csv(pending), f"{stem}-lignes-refusees.csv", "csv")


@project_view(Capability.EDIT_DIRECTORY)
@require_POST
def import_confirm(request, project, pk):
    pending = PendingImport.objects.filter(pk=pk, project=project, user=request.user).first()
    if pending is None:  # confirmed already (a second click), or expired
        messages.info(request, "Cet import a déjà été enregistré (ou n'est plus disponible).")
        return redirect("organisations:list", slug=project.slug)
    form = ConfirmImportForm(request.POST)
    form.is_valid()
    mode = form.cleaned_data.get("mode") or ALL_OR_NOTHING
    keep_outside = form.cleaned_data.get("keep_outside", False)
    if len(pending.rows) > settings.PTSM_IMPORT_JOB_LINES:  # written by a worker, with progress
        job = start_table_import(
            pending=pending, user=request.user, mode=mode, keep_outside=keep_outside
        )
        return redirect("jobs:detail", slug=project.slug, pk=job.pk)
    try:
        outcome = commit_import(
            pending=pending, mode=mode, keep_outside=keep_outside, user=request.user
        )
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
        return redirect("organisations:list", slug=project.slug)
    except ValidationError as exc:
        # Refused lines with « tout ou rien », or the directory changed since the preview.
        messages.error(
            request, "Import annulé, rien n'a été enregistré : " + " ".join(exc.messages)
        )
        if not pending_import_expired(pending) and is_current(pending):
            return redirect("organisations:import_pending", slug=project.slug, pk=pending.pk)
        return redirect("organisations:import", slug=project.slug)
    messages.success(request, outcome.message())
    target = (
        "organisations:list"
        if pending.kind == ImportKind.ORGANISATIONS
        else "organisations:contacts"
    )
    return redirect(target, slug=project.slug)


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
