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
from ptsm.core.views import form_view
from ptsm.documents.spreadsheets import to_csv, to_xlsx
from ptsm.organisations.categories import Category
from ptsm.organisations.models import Organisation
from ptsm.organisations.tabular import TableError, read_table
from ptsm.projects.access import project_view
from ptsm.territories.selectors import MapPoint, territory_communes, territory_map_svg

from . import selectors, services
from .charts import comparison_chart
from .forms import FindingForm, ImportForm, MapForm, ValidationForm, ValueForm
from .models import DiagnosticVersion, Finding, Indicator

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


def _doors_with_counts(project) -> list[dict]:
    counts = dict(
        Finding.objects.filter(project=project).values_list("entry_door").annotate(n=Count("pk"))
    )
    return [
        {"value": door.value, "label": door.label, "findings": counts.get(door.value, 0)}
        for door in EntryDoor
    ]


@project_view(Capability.VIEW_PROJECT)
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
        },
    )


@project_view(Capability.EDIT_DIAGNOSTIC)
@require_POST
def compute(request, project):
    count = services.compute_values(project=project)
    messages.success(
        request, f"{count} valeurs calculées à partir du référentiel et de l'annuaire."
    )
    return redirect("diagnostic:overview", slug=project.slug)


@project_view(Capability.EDIT_DIAGNOSTIC)
def value_edit(request, project, code):
    indicator = get_object_or_404(Indicator, code=code)
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
            messages.success(request, f"{count} valeur(s) importée(s).")
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
        for i in Indicator.objects.filter(computed="")
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
            "charts": [(row, comparison_chart(row)) for row in view.indicators],
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
