"""The FINESS import: upload (analysed in the background), then the choice of the categories."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import french_date, plural
from ptsm.projects.access import project_view

from .finess import FinessFileError, FinessReport, check_header, finess_choices
from .forms import FinessGroupsForm, FinessImportForm
from .jobs import start_finess_analysis, start_finess_import
from .models import PendingFinessImport

FINESS_MAX_BYTES = 150 * 1024 * 1024


@project_view(Capability.EDIT_DIRECTORY)
def finess_upload(request, project):
    """Check the file's first line at once, then analyse it in the background (job page)."""
    form = FinessImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            form.add_error(
                "file", "Format non pris en charge : l'extraction FINESS est un fichier .csv."
            )
        elif upload.size > FINESS_MAX_BYTES:
            form.add_error("file", "Fichier trop volumineux : 150 Mo au plus.")
        else:
            try:
                check_header(upload.open("rb"))
            except FinessFileError as exc:
                form.add_error("file", str(exc))
            else:
                upload.seek(0)
                job = start_finess_analysis(project=project, user=request.user, upload=upload)
                return redirect("jobs:detail", slug=project.slug, pk=job.pk)
    return render(
        request,
        "organisations/finess_import.html",
        {"page_title": "Importer le fichier FINESS", "form": form},
    )


@project_view(Capability.EDIT_DIRECTORY)
def finess_choose(request, project, pk):
    """The groups of categories found in the territory, with their counts: the user ticks the
    ones to import, and the import runs in the background."""
    # Any member who may edit the directory may finish an analysis started by another.
    pending = PendingFinessImport.objects.filter(pk=pk, project=project).first()
    if pending is None:  # imported already (a second click), replaced by a newer file, or expired
        messages.info(
            request,
            "Cette analyse du fichier FINESS n'est plus disponible (import déjà enregistré ou "
            "fichier plus récent déposé).",
        )
        return redirect("organisations:list", slug=project.slug)
    headings = finess_choices(pending)
    offered = [group for heading in headings for group in heading.groups]
    form = FinessGroupsForm(
        request.POST if request.method == "POST" else None,  # nothing ticked is still a choice
        choices=[(group.key, group.label) for group in offered],
        initial={"groups": [group.key for group in offered if group.default]},
    )
    if request.method == "POST" and form.is_valid():
        job = start_finess_import(
            pending=pending, user=request.user, groups=form.cleaned_data["groups"]
        )
        if job is None:
            messages.info(request, "Cet import FINESS a déjà été enregistré.")
            return redirect("organisations:list", slug=project.slug)
        return redirect("jobs:detail", slug=project.slug, pk=job.pk)
    report = FinessReport.from_json(pending.report)
    try:
        extracted_on = french_date(dt.date.fromisoformat(report.extracted_on))
    except ValueError:
        extracted_on = ""
    selected = set(form["groups"].value() or [])
    return render(
        request,
        "organisations/finess_choose.html",
        {
            "page_title": "Choisir les établissements FINESS à importer",
            "pending": pending,
            "form": form,
            "headings": headings,
            "selected": selected,
            "found": plural(
                len(pending.records), "établissement du territoire", "établissements du territoire"
            ),
            "report": report,
            "extracted_on": extracted_on,
        },
    )
