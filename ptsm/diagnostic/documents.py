"""Document kinds owned by the diagnostic app: the report (DOCX, PDF/A)."""

from ptsm.core.formatting import french_date
from ptsm.documents.recalls import recalls_context
from ptsm.documents.registry import PUBLIC_BY_DEFAULT, DocumentKind, Freeze, register, template_path
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.territories.selectors import territory_map_svg

from .docx_templates import REPORT_DOCX
from .models import DiagnosticVersion
from .selectors import report_content


def report_context(project, variant_key: str = "") -> dict:
    latest = DiagnosticVersion.objects.filter(project=project).order_by("-number").first()
    status = (
        f"Version {latest.number} validée par le COPIL le {french_date(latest.validated_on)}"
        if latest
        else "Document de travail, non encore validé par le COPIL"
    )
    return {
        **report_content(project),
        "territory": {"name": project.territory.name},
        "status": status,
        "images": {"map": territory_map_svg(project.territory)},
        # What other apps recall in the report (the consultations on an entry door's findings).
        "recalls": recalls_context(project, "diagnostic"),
    }


KIND = "diagnostic"


def diagnostic_freeze(project) -> Freeze | None:
    """The report as the COPIL validated it (see `validate_diagnostic`)."""
    latest = DiagnosticVersion.objects.filter(project=project).order_by("-number").first()
    if latest is None:
        return None
    return Freeze(key=f"diagnostic-v{latest.number}", on=latest.validated_on)


def _frozen(project) -> dict[str, Freeze]:
    freeze = diagnostic_freeze(project)
    return {"": freeze} if freeze else {}


register(
    DocumentKind(
        section="Diagnostic partagé",
        slug=KIND,
        frozen=_frozen,
        title="Diagnostic partagé",
        description="Carte d'identité du territoire, indicateurs par grille avec sources et années, constats et "
        "priorités par porte d'entrée.",
        build_context=report_context,
        is_draft=lambda project: not project.diagnostic_versions.exists(),  # COPIL validation
        publication=PUBLIC_BY_DEFAULT,
        renderers={
            "docx": docx_renderer(REPORT_DOCX),
            "pdf": pdf_renderer(template_path(__file__, "doc_templates", "diagnostic.typ")),
        },
        order=5,
    )
)
