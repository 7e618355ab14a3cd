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


def _publisher() -> dict:
    return {
        "name": settings.PTSM_PUBLISHER,
        "address": settings.PTSM_PUBLISHER_ADDRESS,
        "director": settings.PTSM_PUBLICATION_DIRECTOR,
        "contact_email": settings.PTSM_CONTACT_EMAIL,
        "dpo_email": settings.PTSM_DPO_EMAIL,
        "hosting": settings.PTSM_HOSTING,
    }


@require_safe
def accessibility(request):
    """The « Déclaration d'accessibilité » in the RGAA 4.1 model's order."""
    return render(
        request,
        "core/accessibility.html",
        {
            "page_title": "Déclaration d'accessibilité",
            "publisher": _publisher(),
            "status": settings.PTSM_ACCESSIBILITY_STATUS,
            "rate": settings.PTSM_ACCESSIBILITY_RATE,
            "audit_date": settings.PTSM_ACCESSIBILITY_AUDIT_DATE,
            "auditor": settings.PTSM_ACCESSIBILITY_AUDITOR,
        },
    )


@require_safe
def legal_notice(request):
    return render(
        request,
        "core/legal_notice.html",
        {"page_title": "Mentions légales", "publisher": _publisher()},
    )


@require_safe
def cookies(request):
    return render(
        request,
        "core/cookies.html",
        {
            "page_title": "Gestion des cookies",
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "session_minutes": settings.SESSION_COOKIE_AGE // 60,
            "session_hours": settings.SESSION_MAX_LIFETIME // 3600,
        },
    )


@require_safe
def help_page(request):
    """« Aide »: the method's five steps and what each role does, kept as text in the product."""
    return render(request, "core/help.html", {"page_title": "Aide"})
