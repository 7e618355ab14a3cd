from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from ptsm.accounts.permissions import Capability
from ptsm.projects.access import project_view

from . import selectors

PER_PAGE = 50


@project_view(Capability.VIEW_AUDIT_LOG)
def journal(request, project):
    kind = request.GET.get("type", "")
    kind = kind if kind in selectors.KIND_FILTERS else ""
    page = Paginator(selectors.project_journal(project, kind), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audit/journal.html",
        {
            "page_title": "Journal des modifications",
            "page_obj": page,
            "lines": selectors.journal_lines(page.object_list),
            "kind": kind,
            "kinds": [(key, label) for key, (label, _kinds) in selectors.KIND_FILTERS.items()],
            "type_query": f"type={kind}&" if kind else "",
            "retention_days": settings.PTSM_AUDIT_RETENTION_DAYS,
        },
    )
