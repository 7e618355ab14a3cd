from django.shortcuts import render
from django.views.decorators.http import require_safe

from ptsm.accounts.permissions import Capability
from ptsm.core.formatting import plural
from ptsm.projects.access import project_view

from .selectors import HITS_PER_KIND, MAX_QUERY_LENGTH, search_project


@project_view(Capability.VIEW_PROJECT)
@require_safe
def results(request, project):
    query = request.GET.get("q", "").strip()
    error = ""
    groups = []
    if len(query) > MAX_QUERY_LENGTH:
        error = f"La recherche est limitée à {MAX_QUERY_LENGTH} caractères."
    elif query:
        groups = search_project(project, request.project_role, query)
    count = sum(len(group.hits) for group in groups)
    return render(
        request,
        "search/results.html",
        {
            "page_title": f"Recherche « {query[:60]} »" if query else "Recherche",
            "query": query,
            "groups": groups,
            "error": error,
            "summary": plural(count, "résultat", "résultats") if query and not error else "",
            "hits_per_kind": HITS_PER_KIND,
        },
        status=400 if error else 200,
    )
