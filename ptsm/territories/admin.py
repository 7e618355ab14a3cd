from django.contrib import admin

from .models import Commune, Departement, Epci, Region, Territory


class ReadOnlyAdmin(admin.ModelAdmin):
    """The referential comes from official files: it is browsed, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["name", "code"]


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["name", "code"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "departement", "population", "area_km2"]
    search_fields = ["name", "code"]
    exclude = ["svg_path"]
    list_select_related = ["departement"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["departements"]
    raw_id_fields = ["communes", "epcis"]
