from django.contrib import admin

from ptsm.core.admin import EvidenceAdmin

from .models import ReviewValidation


@admin.register(ReviewValidation)
class ReviewValidationAdmin(EvidenceAdmin):
    """Reviews validated by the COPIL, frozen with their SHA-256."""

    list_display = ["project", "review", "number", "validated_on", "sha256"]
