"""Choosing a territory by searching the referential (project creation, territory edition):
the search lists départements, EPCI and communes by name, « Ajouter » puts one into the form's
fields, and the map previews the communes chosen so far. Public referential data only: any
signed-in user may search; nothing is written until the form is saved."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ptsm.core.formatting import plural
from ptsm.territories.models import Commune, Departement, Epci
from ptsm.territories.selectors import communes_map_svg, search_referential, selection_communes
from ptsm.territories.services import parse_commune_codes

from .forms import TerritoryForm

PREVIEW_WIDTH = 480
KINDS = {"departement": Departement, "epci": Epci, "commune": Commune}


@login_required
@require_safe
def territory_search(request):
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "projects/_territory_search_results.html",
        {"query": query, "results": search_referential(query) if len(query) >= 2 else None},
    )


def _chosen(request) -> tuple[list[str], list[str], list[str], str]:
    departements = [code for code in request.GET.getlist("departements") if code][:120]
    epcis = parse_commune_codes(request.GET.get("epci_codes", ""))[:2000]
    communes = parse_commune_codes(request.GET.get("commune_codes", ""))[:40000]
    return departements, epcis, communes, request.GET.get("territory_name", "").strip()[:200]


def _add(request, departements, epcis, communes, name) -> tuple[str, str]:
    """Apply « Ajouter » (`ajouter=<kind>:<code>`): the code joins its field once; the
    territory takes the first name added when it has none yet. Returns (name, what was added)."""
    kind, _, code = request.GET.get("ajouter", "").partition(":")
    model = KINDS.get(kind)
    found = model.objects.filter(pk=code).only("pk", "name").first() if model else None
    if found is None:
        return name, ""
    target = {"departement": departements, "epci": epcis, "commune": communes}[kind]
    if code not in target:
        target.append(code)
    return name or found.name, found.name


@login_required
@require_safe
def territory_preview(request):
    """The territory fields with the selection applied (swapped in place) and the map."""
    departements, epcis, communes, name = _chosen(request)
    name, added = _add(request, departements, epcis, communes, name)
    form = TerritoryForm(
        initial={
            "territory_name": name,
            "departements": departements,
            "epci_codes": ", ".join(epcis),
            "commune_codes": ", ".join(communes),
        }
    )
    swap_fields = "ajouter" in request.GET
    if swap_fields:  # the fields come back with the choice applied, swapped in by their id
        for field in ("territory_name", "departements", "epci_codes", "commune_codes"):
            form.fields[field].widget.attrs["hx-swap-oob"] = "true"
    chosen = selection_communes(departements, epcis, communes)
    totals = chosen.aggregate(population=Sum("population"), count=Count("pk"))
    count = totals["count"]
    return render(
        request,
        "projects/_territory_preview.html",
        {
            "form": form,
            "swap_fields": swap_fields,
            "added": added,
            "summary": f"{plural(count, 'commune', 'communes')}, "
            f"{plural(totals['population'] or 0, 'habitant', 'habitants')}",
            "map_svg": communes_map_svg(chosen, "Aperçu du territoire", width=PREVIEW_WIDTH)
            if count
            else "",
        },
    )
