from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ArsAdministration, Membership, NationalObserver, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "job_title", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité professionnelle", {"fields": ["first_name", "last_name", "job_title"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    list_filter = ["role", "project"]
    autocomplete_fields = ["user"]


@admin.register(ArsAdministration)
class ArsAdministrationAdmin(admin.ModelAdmin):
    list_display = ["user", "region"]
    autocomplete_fields = ["user"]


@admin.register(NationalObserver)
class NationalObserverAdmin(admin.ModelAdmin):
    list_display = ["user", "granted_at"]
    autocomplete_fields = ["user"]
