from django.contrib import admin

from ptsm.core.admin import EvidenceAdmin

from .models import FramingLetter, LetterVersion, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "user", "at", "comment"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FramingLetter)
class FramingLetterAdmin(admin.ModelAdmin):
    list_display = ["project", "status", "updated_at"]
    inlines = [StatusChangeInline]
    raw_id_fields = ["ars_signatory", "cd_signatory"]


@admin.register(LetterVersion)
class LetterVersionAdmin(EvidenceAdmin):
    """Versions are generated, never typed; signed or not, they are the letter's history."""

    list_display = ["letter", "number", "status", "signed", "signed_sha256"]
    list_filter = ["signed"]


@admin.register(StatusChange)
class StatusChangeAdmin(EvidenceAdmin):
    list_display = ["letter", "from_status", "to_status", "user", "at"]
