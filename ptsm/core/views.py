"""Small view helpers shared by the apps (thin views: the rules live in services)."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from .concurrency import EditConflict


def form_view(
    request,
    *,
    form,
    save: Callable,
    success_message: str,
    success_url: Callable[[], str],
    template: str = "core/form_page.html",
    context: dict | None = None,
):
    """Render a form; on a valid POST call `save(form)`, whose ValidationError is shown on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success_message)
            return redirect(success_url())
    return render(request, template, {"form": form, **(context or {})})


@require_safe
def personal_data(request):
    """The « Données personnelles » page: what ptsm processes, why, how long, and the rights."""
    years = round(settings.PTSM_CONTACT_RETENTION_DAYS / 365)
    return render(
        request,
        "core/personal_data.html",
        {
            "page_title": "Données personnelles",
            "audit_days": settings.PTSM_AUDIT_RETENTION_DAYS,
            "pending_days": settings.PTSM_PENDING_IMPORT_RETENTION_DAYS,
            "contact_years": f"{years} an{'s' if years > 1 else ''}",
        },
    )
