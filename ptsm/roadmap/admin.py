from django.contrib import admin

from ptsm.core.admin import EvidenceAdmin

from .models import RoadmapVersion


@admin.register(RoadmapVersion)
class RoadmapVersionAdmin(EvidenceAdmin):
    """Roadmaps validated by the COPIL, frozen with their SHA-256."""

    list_display = ["project", "number", "validated_on", "sha256"]
