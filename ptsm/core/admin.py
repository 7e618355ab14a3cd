"""Admin building blocks shared by the apps."""

from django.contrib import admin


class EvidenceAdmin(admin.ModelAdmin):
    """Evidence (generated files, signed versions, COPIL validations, status history) is browsed
    in the admin, never added, changed nor deleted there.

    Registering an evidence model with this class also protects it from cascades: the admin
    refuses to delete a project or a letter whose deletion would take evidence with it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
