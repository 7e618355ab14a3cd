from django.contrib import admin

from ptsm.core.admin import EvidenceAdmin

from .models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(EvidenceAdmin):
    """Generated files are evidence: they can be browsed, never altered nor deleted."""

    list_display = ["file_name", "project", "version", "sha256", "generated_at"]
    list_filter = ["kind", "format"]
