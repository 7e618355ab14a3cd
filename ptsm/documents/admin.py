from django.contrib import admin

from .models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    """Generated files are evidence: they can be browsed, never altered."""

    list_display = ["file_name", "project", "version", "sha256", "generated_at"]
    list_filter = ["kind", "format"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
