from django.contrib import admin

from ptsm.core.admin import EvidenceAdmin

from .models import DiagnosticVersion


@admin.register(DiagnosticVersion)
class DiagnosticVersionAdmin(EvidenceAdmin):
    """Diagnostics validated by the COPIL, frozen with their SHA-256."""

    list_display = ["project", "number", "validated_on", "sha256"]
