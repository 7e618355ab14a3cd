from django.contrib import admin

from ptsm.core.admin import EvidenceAdmin

from .models import AnnexVersion, Signatory, SignatureRecord


@admin.register(Signatory)
class SignatoryAdmin(EvidenceAdmin):
    """Who signed what, when, and the signed file: evidence."""

    list_display = ["organisation", "letter", "status", "signed_on", "signed_sha256"]
    list_filter = ["status"]


@admin.register(AnnexVersion)
class AnnexVersionAdmin(EvidenceAdmin):
    list_display = ["organisation", "letter", "number", "is_amendment", "signed"]
    list_filter = ["signed", "is_amendment"]


@admin.register(SignatureRecord)
class SignatureRecordAdmin(EvidenceAdmin):
    """Every signature received, with its file: evidence."""

    list_display = ["signatory", "annex_version", "signed_on", "in_session", "sha256"]
    list_filter = ["in_session"]
