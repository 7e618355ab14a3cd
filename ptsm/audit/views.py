from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from ptsm.accounts.permissions import Capability
from ptsm.core.tables import Column, SortableTable
from ptsm.projects.access import project_view

from . import selectors

PER_PAGE = 50
# Each column's ties are broken by the date, so that equal rows keep the journal's order.
JOURNAL_COLUMNS = [
    Column("date", "Date", ("timestamp",)),
    Column("par", "Par", ("actor__last_name", "actor__first_name", "actor_email", "timestamp")),
    Column("evenement", "Événement", ("kind", "action", "timestamp")),
    Column("objet", "Objet", ("content_type__model", "object_repr", "timestamp")),
]


@project_view(Capability.VIEW_AUDIT_LOG)
def journal(request, project):
    kind = request.GET.get("type", "")
    kind = kind if kind in selectors.KIND_FILTERS else ""
    table = SortableTable(request.GET, JOURNAL_COLUMNS, default="date", default_descending=True)
    entries = table.order(selectors.project_journal(project, kind))
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/journal.html",
        {
            "page_title": "Journal des modifications",
            "page_obj": page,
            "lines": selectors.journal_lines(page.object_list),
            "kind": kind,
            "kinds": [(key, label) for key, (label, _kinds) in selectors.KIND_FILTERS.items()],
            "columns": table.headers,
            "query_string": table.query_string,
            "retention_days": settings.PTSM_AUDIT_RETENTION_DAYS,
        },
    )
