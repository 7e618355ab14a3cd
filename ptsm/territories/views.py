from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .selectors import search_referential


@login_required
@require_safe
def search(request):
    """Find communes and EPCI by name or code (public referential data), for territory forms."""
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "territories/search_results.html",
        {"query": query, "results": search_referential(query) if len(query) >= 2 else None},
    )
