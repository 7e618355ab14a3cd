from django.contrib import admin

from .models import Milestone, Project


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region", "phase", "start_date"]
    list_filter = ["phase", "region"]
    search_fields = ["name", "slug"]
    inlines = [MilestoneInline]
    raw_id_fields = ["territory"]
