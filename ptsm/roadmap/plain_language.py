"""The roadmap « facile à lire et à comprendre » (issue 19): the plain-language summaries of the
orientations and fiches-actions, for the people the project is for — on the project's public
page and in `feuille-de-route-facile.pdf` (large type, one fiche-action per page). A fiche-action
without a summary is left out, never shown with a placeholder; the Documents page says how many
are still to write."""

from django.db.models import Count, Q

from ptsm.core.formatting import MONTHS, plural
from ptsm.documents.registry import DocumentKind, register, template_path
from ptsm.documents.rendering import pdf_renderer

from . import selectors
from .models import Action

SLUG = "feuille-de-route-facile"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _month(date) -> str:
    return f"{MONTHS[date.month - 1]} {date.year}"


def when(action) -> str:
    """« De mars 2026 à décembre 2027. », or "" when the action has no dates."""
    if action.start_date and action.end_date:
        return f"De {_month(action.start_date)} à {_month(action.end_date)}."
    if action.start_date:
        return f"À partir de {_month(action.start_date)}."
    if action.end_date:
        return f"Jusqu'en {_month(action.end_date)}."
    return ""


def summarised_actions(project) -> list[Action]:
    """The roadmap's fiches-actions (archived ones left out) that have a plain summary, in the
    roadmap's order."""
    return [a for a in selectors.project_actions(project) if a.plain_summary.strip()]


def plain_context(project, variant_key: str = "") -> dict:
    actions = summarised_actions(project)
    return {
        "title": "La feuille de route en langage facile",
        "actions": [
            {
                "title": action.title,
                "summary": _paragraphs(action.plain_summary),
                "orientation": {
                    "title": action.objective.theme.orientation.title,
                    "summary": _paragraphs(action.objective.theme.orientation.plain_summary),
                },
                "when": when(action),
                "who": action.pilot_organisation.name if action.pilot_organisation else "",
            }
            for action in actions
        ],
    }


def summary_counts(project) -> tuple[int, int]:
    """(fiches-actions with a plain summary, fiches-actions in all): one query."""
    counts = Action.objects.filter(
        objective__theme__orientation__project=project,
        archived=False,
        objective__archived=False,
        objective__theme__archived=False,
        objective__theme__orientation__archived=False,
    ).aggregate(total=Count("pk"), written=Count("pk", filter=~Q(plain_summary="")))
    return counts["written"], counts["total"]


def _unavailable(project) -> str | None:
    written, total = summary_counts(project)
    if written:
        return None
    if not total:
        return "la feuille de route n'a pas encore de fiche-action."
    return (
        "aucune fiche-action n'a encore de résumé en langage facile ; écrivez-les dans la "
        "partie « Description » de chaque fiche-action."
    )


def _notice(project) -> str | None:
    written, total = summary_counts(project)
    missing = total - written
    if not written or not missing:
        return None
    lacking = plural(missing, "fiche-action n'a", "fiches-actions n'ont")
    left_out = "elle n'y figure" if missing == 1 else "elles n'y figurent"
    written_label = plural(written, "résumé écrit", "résumés écrits")
    return (
        f"{lacking} pas encore de résumé en langage facile : {left_out} pas "
        f"({written_label} sur {total})."
    )


def register_kind() -> None:
    from .documents import roadmap_is_draft

    register(
        DocumentKind(
            section="Feuille de route",
            slug=SLUG,
            is_draft=roadmap_is_draft,
            title="Feuille de route en langage facile",
            description="Facile à lire et à comprendre : une page en gros caractères par "
            "fiche-action, avec le but de son orientation.",
            build_context=plain_context,
            unavailable_reason=_unavailable,
            notice=_notice,
            renderers={
                "pdf": pdf_renderer(
                    template_path(__file__, "doc_templates", "feuille-de-route-facile.typ")
                )
            },
            order=35,
        )
    )
