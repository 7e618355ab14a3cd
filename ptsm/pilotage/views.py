"""The regional (and national) cockpit, the transparency page and the open data of a project."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from ptsm.accounts.permissions import Capability, cockpit_scope
from ptsm.audit.services import record_exports
from ptsm.core.anap import EntryDoor
from ptsm.core.concurrency import AlreadyDone
from ptsm.diagnostic.selectors import catalogue, shared_catalogue
from ptsm.projects.access import project_view

from . import exports, public, selectors, services
from .forms import SORT_LABELS, CockpitFilterForm, PublicDocumentsForm, PublicPageForm


def cockpit_view(view):
    """Login first (anonymous users go to the login page whatever the method), then GET and HEAD
    only, then the scope: an administrateur ARS (their régions) or an observateur national (all
    of them); anyone else gets 403."""

    @login_required
    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = cockpit_scope(request.user)
        if not scope.allowed:
            raise PermissionDenied(
                "Le pilotage régional est réservé aux administrateurs ARS et aux observateurs "
                "nationaux."
            )
        return view(request, scope, *args, **kwargs)

    return wrapper


def _filters(request, scope):
    form = CockpitFilterForm(request.GET or None, regions=selectors.scope_regions(scope))
    return form, form.filters()


def _common(scope, form, filters, lines) -> dict:
    return {
        "scope": scope,
        "form": form,
        "filters": filters,
        "lines": lines,
        "regions": selectors.scope_regions(scope),
        "query_string": form.query_string(),
    }


@cockpit_view
def cockpit(request, scope):
    today = timezone.localdate()
    form, filters = _filters(request, scope)
    lines = selectors.cockpit_lines(
        selectors.filtered_projects(scope, filters), filters, today=today
    )
    selectors.drill_down(lines, national=scope.national)
    context = _common(scope, form, filters, lines)
    region = form.chosen_region()
    maps = []
    if region is not None or not scope.national:
        for shown in [region] if region else context["regions"]:
            maps.append((shown, selectors.region_phase_map(shown, lines)))
    else:
        maps.append((None, selectors.france_phase_map(lines)))
    context.update(
        page_title="Pilotage national"
        if scope.national and region is None
        else "Pilotage régional",
        maps=maps,
        phase_groups=selectors.phase_groups(lines),
        sort_links=form.sort_links(),
        sort_label=SORT_LABELS[filters.sort],
        several_regions=len(context["regions"]) > 1,
        today=today,
    )
    return render(request, "pilotage/cockpit.html", context)


@cockpit_view
def cockpit_export(request, scope):
    form, filters = _filters(request, scope)
    lines = selectors.cockpit_lines(
        selectors.filtered_projects(scope, filters), filters, today=timezone.localdate()
    )
    region = form.chosen_region()
    if region is None and not scope.national and len(form.regions) == 1:
        region = form.regions[0]
    name = f"pilotage-{slugify(region.name) if region else 'france'}.xlsx"
    record_exports(
        projects=[line.project for line in lines],
        user=request.user,
        what="pilotage",
        file_name=name,
    )
    response = HttpResponse(
        exports.cockpit_workbook(lines, national=scope.national),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@cockpit_view
def comparison(request, scope):
    form, filters = _filters(request, scope)
    projects = list(
        selectors.filtered_projects(scope, filters).select_related("territory", "region")
    )
    indicators = shared_catalogue()
    code = request.GET.get("indicateur", "")
    indicator = next((i for i in indicators if i.code == code), None)
    region = form.chosen_region()
    if region is None and not scope.national and len(form.regions) == 1:
        region = form.regions[0]
    compared, map_svg = [], ""
    if indicator is not None:
        compared = selectors.compare_indicator(projects, indicator)
        map_svg = selectors.indicator_map(region, compared, indicator)
    context = _common(scope, form, filters, [])
    context.update(
        page_title="Comparer les projets",
        indicators=indicators,
        indicator=indicator,
        compared=compared,
        map_svg=map_svg,
        map_region=region,
        doors=EntryDoor.choices,
        door_lines=selectors.action_plan_by_door(projects),
    )
    return render(request, "pilotage/comparison.html", context)


@cockpit_view
def organisation(request, scope):
    identifier = request.GET.get("identifiant", "")[:20]
    found = None
    if identifier.strip():
        found = selectors.organisation_across(
            selectors.scoped_projects(scope), identifier, request.GET.get("page")
        )
    return render(
        request,
        "pilotage/organisation.html",
        {
            "page_title": "Une organisation dans tous les projets",
            "scope": scope,
            "identifier": identifier,
            "found": found,
            "page_obj": found.page if found else None,
            "query_string": urlencode({"identifiant": identifier}),
        },
    )


# The chef de projet's side: publish or withdraw the transparency page ---------------------------


@project_view(Capability.EDIT_PROJECT)
def public_page_settings(request, project):
    page = public.page_of(project)
    project_indicators = [i for section in catalogue(project) for i in section.indicators]
    action = request.POST.get("action") if request.method == "POST" else None
    form = PublicPageForm(
        request.POST if action == "indicateurs" else None,
        indicators=project_indicators,
        page=page,
    )
    documents = public.document_choices(project)
    documents_form = PublicDocumentsForm(
        request.POST if action == "documents" else None,
        kinds=[choice.kind for choice in documents],
        page=page,
    )
    if request.method == "POST":
        try:
            if action == "publier":
                services.publish(project=project)
                messages.success(request, "La page publique est en ligne.")
            elif action == "retirer":
                services.withdraw(project=project)
                messages.success(request, "La page publique est retirée : elle ne répond plus.")
            elif action == "documents" and documents_form.is_valid():
                services.choose_documents(
                    project=project, kinds=documents_form.cleaned_data["documents"]
                )
                messages.success(request, "Les documents publiés sont enregistrés.")
            elif action == "indicateurs" and form.is_valid():
                services.choose_indicators(project=project, codes=form.cleaned_data["indicators"])
                messages.success(request, "Les indicateurs publiés sont enregistrés.")
            else:
                return render(
                    request,
                    "pilotage/public_settings.html",
                    _settings_context(project, page, form, documents_form, documents),
                    status=400,
                )
        except AlreadyDone as done:
            messages.info(request, done.message)
        return redirect("pilotage:public_settings", slug=project.slug)
    return render(
        request,
        "pilotage/public_settings.html",
        _settings_context(project, page, form, documents_form, documents),
    )


def _settings_context(project, page, form, documents_form, documents) -> dict:
    notes = {choice.kind.slug: choice for choice in documents}
    return {
        "page_title": "Page publique",
        "project": project,
        "page": page,
        "form": form,
        "documents_form": documents_form,
        "document_rows": [
            (field, notes[field.data["value"]]) for field in documents_form["documents"]
        ],
    }


# No login: the transparency page, its feed and its open data ------------------------------------


def _published(projet: str):
    project = public.published_project(projet)
    if project is None:
        raise Http404("Cette page n'est pas publiée.")
    return project


@require_safe
def public_page(request, projet):
    project = _published(projet)
    return render(
        request,
        "pilotage/public_page.html",
        {"page_title": project.name, "public": public.public_content(project)},
    )


@require_safe
def public_feed(request, projet):
    project = _published(projet)
    return HttpResponse(
        public.atom_feed(project, request.build_absolute_uri(f"/public/{project.slug}/")),
        content_type="application/atom+xml; charset=utf-8",
    )


@require_safe
def public_document(request, projet, pk):
    """A validated or signed PDF the chef de projet publishes, served as stored (frozen)."""
    project = _published(projet)
    document = public.published_document(project, pk)
    if document is None:
        raise Http404("Document non publié.")
    try:
        handle = document.content.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Fichier absent du stockage.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=document.file_name, content_type="application/pdf"
    )


@require_safe
def open_data(request, projet, name):
    project = _published(projet)
    content = public.open_data_file(project, name)
    if content is None:
        raise Http404("Fichier inconnu.")
    body, content_type = content
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
