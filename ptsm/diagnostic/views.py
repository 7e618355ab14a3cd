from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.core.anap import EntryDoor
from ptsm.core.concurrency import AlreadyDone
from ptsm.core.formatting import plural
from ptsm.core.views import form_view
from ptsm.documents.spreadsheets import to_csv, to_xlsx
from ptsm.organisations.categories import Category
from ptsm.organisations.models import Organisation
from ptsm.organisations.tabular import TableError, read_table
from ptsm.projects.access import project_view
from ptsm.projects.freshness import cached_page
from ptsm.territories.selectors import MapPoint, territory_communes, territory_map_svg

from . import selectors, services
from .charts import comparison_chart, series_chart
from .forms import (
    FindingForm,
    ImportForm,
    IndicatorForm,
    LongMappingForm,
    LongUploadForm,
    MapForm,
    ValidationForm,
    ValueForm,
)
from .imports import commit as commit_long_import
from .imports import preview as preview_long_import
from .imports import save_pending
from .models import DiagnosticVersion, Finding, Indicator, PendingIndicatorImport

CATEGORY_COLOURS = {
    Category.HOSPITAL_PUBLIC: "#e1000f",
    Category.HOSPITAL_PRIVATE: "#ff6f4c",
    Category.PRIMARY_CARE: "#18753c",
    Category.MEDICO_SOCIAL: "#7d4e5b",
    Category.SOCIAL: "#a558a0",
    Category.HOUSING: "#c3992a",
    Category.USERS_FAMILIES: "#009081",
    Category.LOCAL_AUTHORITIES: "#417dc4",
    Category.INSTITUTIONS: "#161616",
    Category.JUSTICE_EDUCATION: "#666666",
    Category.EMPLOYMENT: "#b34000",
    Category.SUPPORT: "#5770be",
}


def _can_edit(request) -> bool:
    return role_allows(request.project_role, Capability.EDIT_DIAGNOSTIC)


def _can_manage_indicators(request) -> bool:
    return role_allows(request.project_role, Capability.MANAGE_INDICATORS)


def _doors_with_counts(project) -> list[dict]:
    counts = dict(
        Finding.objects.filter(project=project).values_list("entry_door").annotate(n=Count("pk"))
    )
    return [
        {"value": door.value, "label": door.label, "findings": counts.get(door.value, 0)}
        for door in EntryDoor
    ]


@project_view(Capability.VIEW_PROJECT)
@cached_page
@require_safe
def overview(request, project):
    return render(
        request,
        "diagnostic/overview.html",
        {
            "page_title": "Diagnostic partagé",
            "grids": selectors.grids(project),
            "doors": _doors_with_counts(project),
            "versions": DiagnosticVersion.objects.filter(project=project).select_related(
                "meeting", "validated_by"
            ),
            "validation_form": ValidationForm(
                project=project, initial={"validated_on": timezone.localdate()}
            ),
            "can_edit": _can_edit(request),
            "today": timezone.localdate(),
        },
    )


# Catalogue --------------------------------------------------------------------------------------


@project_view(Capability.VIEW_PROJECT)
@require_safe
def catalogue(request, project):
    return render(
        request,
        "diagnostic/catalogue.html",
        {
            "page_title": "Catalogue des indicateurs",
            "sections": selectors.catalogue(project),
            "can_manage": _can_manage_indicators(request),
        },
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def indicator_detail(request, project, code):
    rows = selectors.indicator_rows(project, code=code)
    if not rows:
        raise Http404("Indicateur inconnu.")
    row = rows[0]
    return render(
        request,
        "diagnostic/indicator.html",
        {
            "page_title": row.indicator.label,
            "row": row,
            "series_chart": series_chart(row),
            "comparison_chart": comparison_chart(row),
            "levels": selectors.LEVEL_LABELS,
            "can_edit": _can_edit(request),
            "can_manage": _can_manage_indicators(request),
        },
    )


def _own_indicator(project, code) -> Indicator:
    return get_object_or_404(Indicator, project=project, code=code)


@project_view(Capability.MANAGE_INDICATORS)
def indicator_create(request, project):
    form = IndicatorForm(request.POST or None)
    return form_view(
        request,
        form=form,
        save=lambda f: services.create_indicator(project=project, indicator=f.instance),
        success_message="L'indicateur a été ajouté au catalogue du projet.",
        success_url=lambda: (
            reverse("diagnostic:catalogue", args=[project.slug])
            + f"#indicateur-{form.instance.code}"
        ),
        template="diagnostic/indicator_form.html",
        context={"page_title": "Ajouter un indicateur au catalogue du projet"},
    )


@project_view(Capability.MANAGE_INDICATORS)
def indicator_edit(request, project, code):
    form = IndicatorForm(request.POST or None, instance=_own_indicator(project, code))
    return form_view(
        request,
        form=form,
        save=lambda f: services.update_indicator(project=project, indicator=f.instance),
        success_message="L'indicateur a été modifié.",
        success_url=lambda: (
            reverse("diagnostic:catalogue", args=[project.slug]) + f"#indicateur-{code}"
        ),
        template="diagnostic/indicator_form.html",
        context={"page_title": f"Modifier l'indicateur {code}"},
    )


@project_view(Capability.MANAGE_INDICATORS)
def indicator_delete(request, project, code):
    indicator = _own_indicator(project, code)
    if request.method == "POST":
        services.delete_indicator(project=project, indicator=indicator)
        messages.success(request, f"L'indicateur « {indicator.label} » a été supprimé.")
        return redirect("diagnostic:catalogue", slug=project.slug)
    values = indicator.values.count() + indicator.commune_values.count()
    return render(
        request,
        "diagnostic/indicator_delete.html",
        {
            "page_title": f"Supprimer l'indicateur {code}",
            "indicator": indicator,
            "values": values,
            "findings": indicator.findings.count(),
        },
    )


@project_view(Capability.EDIT_DIAGNOSTIC)
def value_edit(request, project, code):
    indicator = get_object_or_404(Indicator.objects.for_project(project), code=code, computed="")
    form = ValueForm(
        request.POST or None,
        initial={"year": timezone.localdate().year - 1, "source": indicator.source},
    )
    return form_view(
        request,
        form=form,
        save=lambda f: services.set_value(project=project, indicator=indicator, **f.cleaned_data),
        success_message=f"Valeur de « {indicator.label} » enregistrée.",
        success_url=lambda: (
            reverse("diagnostic:overview", args=[project.slug]) + f"#indicateur-{indicator.code}"
        ),
        template="diagnostic/value_form.html",
        context={"page_title": f"Saisir une valeur — {indicator.label}", "indicator": indicator},
    )


@project_view(Capability.EDIT_DIAGNOSTIC)
def import_values(request, project):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            headers, rows = read_table(form.cleaned_data["file"])
            parsed = services.parse_value_rows(
                headers,
                rows,
                commune_codes=set(
                    territory_communes(project.territory).values_list("code", flat=True)
                ),
            )
            count = services.import_values(project=project, parsed=parsed)
        except TableError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, plural(count, "valeur importée", "valeurs importées") + ".")
            return redirect("diagnostic:overview", slug=project.slug)
    return render(
        request,
        "diagnostic/import.html",
        {"page_title": "Importer des valeurs d'indicateurs", "form": form, "errors": errors},
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def import_template(request, project, fmt):
    rows = [
        [i.code, "territoire", timezone.localdate().year - 1, "", i.source, ""]
        for i in Indicator.objects.for_project(project).filter(computed="")
    ]
    if fmt == "csv":
        data, content_type = to_csv(services.IMPORT_COLUMNS, rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data = to_xlsx(services.IMPORT_COLUMNS, rows, "Valeurs")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("Format inconnu.")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="modele-indicateurs.{fmt}"'
    return response


@project_view(Capability.VIEW_PROJECT)
@require_safe
def door(request, project, number):
    if number not in EntryDoor.values:
        raise Http404("Porte d'entrée inconnue.")
    view = selectors.door_view(project, number)
    return render(
        request,
        "diagnostic/door.html",
        {
            "page_title": f"Porte d'entrée {number}",
            "view": view,
            "charts": [(row, comparison_chart(row), series_chart(row)) for row in view.indicators],
            "levels": selectors.LEVEL_LABELS,
            "can_edit": _can_edit(request),
        },
    )


def _finding_form(request, project, finding: Finding, title: str):
    form = FindingForm(request.POST or None, instance=finding, project=project)

    def save(f):
        instance = f.save(commit=False)
        instance.priorities = f.cleaned_data["priorities"]
        services.save_finding(finding=instance, indicators=f.cleaned_data["indicators"])

    return form_view(
        request,
        form=form,
        save=save,
        success_message="Le constat a été enregistré.",
        success_url=lambda: reverse(
            "diagnostic:door", args=[project.slug, form.instance.entry_door]
        ),
        template="diagnostic/finding_form.html",
        context={"page_title": title},
    )


@project_view(Capability.EDIT_DIAGNOSTIC)
def finding_create(request, project, number):
    if number not in EntryDoor.values:
        raise Http404("Porte d'entrée inconnue.")
    return _finding_form(
        request,
        project,
        Finding(project=project, entry_door=number),
        f"Nouveau constat — porte d'entrée {number}",
    )


@project_view(Capability.EDIT_DIAGNOSTIC)
def finding_edit(request, project, pk):
    finding = get_object_or_404(Finding, project=project, pk=pk)
    return _finding_form(request, project, finding, "Modifier le constat")


@project_view(Capability.EDIT_DIAGNOSTIC)
@require_POST
def finding_delete(request, project, pk):
    finding = get_object_or_404(Finding, project=project, pk=pk)
    services.delete_finding(finding=finding)
    messages.success(request, "Le constat a été supprimé.")
    return redirect("diagnostic:door", slug=project.slug, number=finding.entry_door)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def territory_map(request, project):
    form = MapForm(request.GET or None, indicators=selectors.mapped_indicators(project))
    measure = (
        form.cleaned_data["measure"]
        if form.is_valid() and form.cleaned_data["measure"]
        else "densite"
    )
    communes = territory_communes(project.territory)
    values, unit, no_data, caption = None, "hab./km²", "", ""
    if measure.startswith(MapForm.INDICATOR_PREFIX):
        shading = selectors.commune_shading(project, measure.removeprefix(MapForm.INDICATOR_PREFIX))
        values, unit, caption = shading.values, shading.unit, shading.caption
        no_data = "donnée absente ou effectif < 11"
    elif measure == "population":
        values, unit = dict(communes.values_list("code", "population")), "habitants"
    elif measure == "superficie":
        values, unit = dict(communes.values_list("code", "area_km2")), "km²"
    elif measure == "organisations":
        values = dict(
            Organisation.objects.filter(project=project)
            .exclude(commune=None)
            .values_list("commune_id")
            .annotate(n=Count("pk"))
        )
        unit = "organisations"
    organisations = Organisation.objects.filter(project=project).exclude(longitude=None)
    points = [
        MapPoint(o.longitude, o.latitude, CATEGORY_COLOURS.get(o.category, "#161616"), o.name)
        for o in organisations.only("name", "category", "longitude", "latitude")
    ]
    present = sorted({o.category for o in organisations.only("category")})
    legend = [(Category(c).label, CATEGORY_COLOURS.get(c, "#161616")) for c in present]
    return render(
        request,
        "diagnostic/map.html",
        {
            "page_title": "Carte du territoire",
            "form": form,
            "can_edit": _can_edit(request),
            "map_svg": territory_map_svg(
                project.territory,
                values=values,
                unit=unit,
                points=points,
                legend_points=legend,
                width=760,
                no_data_label=no_data,
            ),
            "placed": len(points),
            "caption": caption,
        },
    )


@project_view(Capability.EDIT_DIAGNOSTIC)
@require_POST
def validate(request, project):
    form = ValidationForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(
            request,
            "Validation incomplète : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return redirect("diagnostic:overview", slug=project.slug)
    try:
        version = services.validate_diagnostic(
            project=project,
            user=request.user,
            content=selectors.report_content(project),
            **form.cleaned_data,
        )
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Diagnostic validé : version {version.number} figée (SHA-256 {version.sha256[:16]}…).",
        )
    return redirect("diagnostic:overview", slug=project.slug)


# Long-format files (Odissé, Géodes, INSEE…) --------------------------------------------------------


@project_view(Capability.EDIT_DIAGNOSTIC)
def long_upload(request, project):
    form = LongUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            headers, rows = read_table(upload)
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            if len(headers) < 3:
                form.add_error(
                    "file",
                    "Le fichier n'a pas au moins trois colonnes (territoire, année, valeur) : "
                    "vérifiez le séparateur (point-virgule ou virgule).",
                )
            else:
                pending = save_pending(
                    project=project,
                    user=request.user,
                    file_name=upload.name or "",
                    headers=headers,
                    rows=rows,
                )
                return redirect("diagnostic:long_mapping", slug=project.slug, pk=pending.pk)
    return render(
        request,
        "diagnostic/long_upload.html",
        {"page_title": "Importer un fichier d'indicateurs publié", "form": form},
        status=400 if request.method == "POST" else 200,
    )


@project_view(Capability.EDIT_DIAGNOSTIC)
def long_mapping(request, project, pk):
    # Any editor of the diagnostic may finish a file uploaded in the project (published
    # aggregate figures only); other projects never reach it.
    pending = get_object_or_404(PendingIndicatorImport, project=project, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = LongMappingForm(data, project=project, headers=pending.headers, rows=pending.rows)
    result = None
    if data is not None and form.is_valid():
        mapping = form.mapping()
        if "confirmer" in request.POST:
            try:
                result = commit_long_import(project=project, pending=pending, mapping=mapping)
            except ValidationError:
                result = preview_long_import(
                    project=project, headers=pending.headers, rows=pending.rows, mapping=mapping
                )
            else:
                saved = plural(len(result.rows), "valeur enregistrée", "valeurs enregistrées")
                messages.success(
                    request,
                    f"« {mapping.indicator.label} » : "
                    + ", ".join([saved, *result.summary[1:]])
                    + ".",
                )
                return redirect(
                    reverse("diagnostic:indicator", args=[project.slug, mapping.indicator.code])
                )
        else:
            result = preview_long_import(
                project=project, headers=pending.headers, rows=pending.rows, mapping=mapping
            )
    return render(
        request,
        "diagnostic/long_mapping.html",
        {
            "page_title": "Correspondance des colonnes",
            "pending": pending,
            "form": form,
            "result": result,
            "sample": pending.rows[:5],
            "row_count": len(pending.rows),
        },
        status=400 if data is not None and (not form.is_valid() or not result.is_valid) else 200,
    )
