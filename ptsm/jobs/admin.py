from django.contrib import admin

from ptsm.core.admin import EvidenceAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(EvidenceAdmin):
    list_display = ["title", "project", "state", "attempts", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
