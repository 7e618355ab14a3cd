"""Document kinds owned by the governance app: the launch plenary deck (ANAP Support 1)."""

from django.utils import timezone

from ptsm.accounts.models import Membership, Role
from ptsm.core.formatting import french_date
from ptsm.documents.registry import DocumentKind, register
from ptsm.documents.slides import Slide, pptx_renderer
from ptsm.territories.selectors import territory_card, territory_map_svg

from .models import ROLE_IN_DOCUMENTS, BodyKind
from .selectors import project_bodies, project_meetings

# The framing letter's main objectives (seed 000, « Objectifs principaux »).
MAIN_OBJECTIVES = [
    "Améliorer la qualité de vie des personnes adultes vivant avec des troubles psychiques "
    "et de leurs familles ou proches",
    "Adapter les pratiques professionnelles à leur parcours de santé",
    "Créer les conditions favorables à la transversalité et à la coordination des acteurs",
    "Améliorer les relations de travail entre partenaires en fluidifiant et simplifiant les échanges "
    "et développant un langage commun",
]
CONTEXT = (
    "Le projet territorial de santé mentale est élaboré à l'initiative des acteurs du territoire, "
    "à partir d'un diagnostic territorial partagé (article 69 de la loi de modernisation de notre "
    "système de santé du 26 janvier 2016 ; articles R3224-1 et suivants du code de la santé publique)."
)
METHOD_STEPS = [
    "Cadrage : lettre de cadrage, gouvernance, acteurs, plan de communication",
    "Diagnostic partagé à partir des 5 portes d'entrée de la Rosace",
    "Feuille de route : orientations, objectifs et fiches-actions validés par le COPIL",
    "Engagement des partenaires : lettres d'engagement",
    "Mise en œuvre et évaluation : bilans à 6 mois et final",
]


def _member_names(body) -> str:
    names = [
        f"{m.contact.full_name} ({m.contact.organisation.name}, "
        f"{ROLE_IN_DOCUMENTS.get(m.role, m.get_role_display().lower())})"
        for m in body.members.all()
    ]
    return "; ".join(names) if names else "aucun membre désigné à ce jour"


def plenary_context(project, variant_key: str = "") -> dict:
    territory = project.territory
    card = territory_card(territory)
    bodies = list(project_bodies(project))
    leads = Membership.objects.filter(project=project, role=Role.PROJECT_LEAD).select_related(
        "user"
    )
    now = timezone.now()
    return {
        "title": "Plénière de lancement",
        "project": {
            "name": project.name,
            "description": project.description or CONTEXT,
            "start": french_date(project.start_date),
            "end": french_date(project.planned_end_date),
            "duration": f"{project.planned_duration_months} mois",
        },
        "context": CONTEXT,
        "objectives": MAIN_OBJECTIVES,
        "method": METHOD_STEPS,
        "card": [{"label": label, "value": value} for label, value in card.as_rows()],
        "governance": [
            {"name": b.name, "missions": b.missions, "members": _member_names(b)}
            for b in bodies
            if b.kind != BodyKind.WORKING_GROUP
        ],
        "working_groups": [
            {"name": b.name, "members": _member_names(b)}
            for b in bodies
            if b.kind == BodyKind.WORKING_GROUP
        ],
        "milestones": [
            {"title": m.title, "due": french_date(m.due_date)} for m in project.milestones.all()
        ],
        "next_meetings": [
            {
                "title": m.title,
                "when": french_date(timezone.localtime(m.starts_at).date()),
                "body": m.body.name,
            }
            for m in project_meetings(project).filter(starts_at__gte=now)[:5]
        ],
        "leads": [
            {"name": m.user.get_full_name() or m.user.email, "email": m.user.email} for m in leads
        ],
        "images": {"map": territory_map_svg(territory)},
    }


def plenary_slides(context: dict) -> list[Slide]:
    project = context["project"]
    return [
        Slide(
            title=f"{context['title']} — {project['name']}",
            paragraphs=[
                context["meta"]["territory_name"],
                f"Démarche de {project['duration']} : du {project['start']} au {project['end']}",
                f"Présentation du {context['meta']['generated_on_label']}",
            ],
        ),
        Slide(title="Le contexte", paragraphs=[project["description"], context["context"]]),
        Slide(title="Les objectifs de la démarche", bullets=context["objectives"]),
        Slide(title="La méthode : cinq étapes", bullets=context["method"]),
        Slide(
            title="Le territoire",
            table=[(row["label"], row["value"]) for row in context["card"]],
            image_svg=context["images"]["map"],
        ),
        Slide(
            title="La gouvernance",
            table=[(b["name"], b["missions"]) for b in context["governance"]],
            table_header=("Instance", "Missions"),
        ),
        Slide(
            title="Le calendrier prévisionnel",
            table=[(m["due"], m["title"]) for m in context["milestones"]],
            table_header=("Échéance", "Jalon"),
        ),
        Slide(
            title="Les groupes de travail",
            table=[(g["name"], g["members"]) for g in context["working_groups"]],
            table_header=("Groupe", "Composition"),
        ),
        Slide(
            title="Comment participer",
            paragraphs=[
                "Rejoignez un groupe de travail correspondant à votre activité : "
                "chaque porte d'entrée de la Rosace a le sien."
            ],
            bullets=[
                f"Chef de projet : {lead['name']} — {lead['email']}" for lead in context["leads"]
            ]
            + [f"{m['when']} : {m['title']} — {m['body']}" for m in context["next_meetings"]],
        ),
    ]


PLENARY_DECK = register(
    DocumentKind(
        section="Cadrage",
        slug="presentation-pleniere",
        title="Présentation de la plénière de lancement",
        description=(
            "Diaporama (ANAP, support 1) : contexte, objectifs, territoire et carte, gouvernance, "
            "calendrier, groupes de travail."
        ),
        build_context=plenary_context,
        renderers={"pptx": pptx_renderer(plenary_slides)},
        order=20,
    )
)
