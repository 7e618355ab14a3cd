from django.contrib import admin

from .models import FramingLetter, LetterVersion, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "user", "at", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FramingLetter)
class FramingLetterAdmin(admin.ModelAdmin):
    list_display = ["project", "status", "updated_at"]
    inlines = [StatusChangeInline]
    raw_id_fields = ["ars_signatory", "cd_signatory"]


@admin.register(LetterVersion)
class LetterVersionAdmin(admin.ModelAdmin):
    """Versions are generated, never typed; a signed version cannot be changed nor deleted."""

    list_display = ["letter", "number", "status", "signed", "signed_sha256"]
    list_filter = ["signed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is not None and not obj.signed and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.signed) and super().has_delete_permission(request, obj)
