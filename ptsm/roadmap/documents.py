"""Document kinds owned by the roadmap app."""

import datetime as dt

from django.utils import timezone
from django.utils.text import slugify

from ptsm.core.formatting import french_date, plural
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.registry import (
    PUBLIC_BY_DEFAULT,
    PUBLIC_OPTIONAL,
    DocumentKind,
    Freeze,
    Variant,
    register,
    register_bulk_scope,
    template_path,
)
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.documents.slides import Chart, Slide, pptx_renderer
from ptsm.documents.spreadsheets import PrintLayout, Sheet, workbook_bytes

from . import selectors
from .content import action_data, roadmap_context
from .docx_templates import ROADMAP_DOCX
from .gantt import gantt_pages, rows_from_context


def _roadmap_context(project, variant_key: str = "") -> dict:
    return roadmap_context(project)


_roadmap_pdf = pdf_renderer(template_path(__file__, "doc_templates", "feuille-de-route.typ"))


# The calendar is printed on landscape pages: 1000 px across 25.3 cm of text (11 px labels in
# about 8 pt), 18 fiches-actions a page.
GANTT_WIDTH_PX, GANTT_WIDTH_MM, GANTT_ROWS_PER_PAGE = 1000, 253, 18


def _with_calendar(context: dict) -> dict:
    """The calendar is drawn for the document's date: its "aujourd'hui" line is that day."""
    date = context["meta"]["document_date"]
    today = dt.date(date["year"], date["month"], date["day"])
    pages = gantt_pages(
        rows_from_context(context["timeline"]),
        today,
        width=GANTT_WIDTH_PX,
        rows_per_page=GANTT_ROWS_PER_PAGE,
    )
    if not pages:  # no dated fiche-action: no calendar
        return context
    names = [f"gantt_{n}" for n in range(1, len(pages) + 1)]
    return {
        **context,
        "images": {**context.get("images", {}), **dict(zip(names, pages, strict=True))},
        "image_widths_mm": {
            **context.get("image_widths_mm", {}),
            **dict.fromkeys(names, GANTT_WIDTH_MM),
        },
        "gantt_images": names,
    }


def _roadmap_pdf_with_calendar(context: dict) -> bytes:
    return _roadmap_pdf(_with_calendar(context))


_roadmap_pdf_with_calendar.concurrent = True  # like any Typst document

_roadmap_docx = docx_renderer(ROADMAP_DOCX)


def _roadmap_docx_with_calendar(context: dict) -> bytes:
    return _roadmap_docx(_with_calendar(context))


def _action_variants(project) -> list[Variant]:
    return [
        Variant(
            key=str(a.pk),
            file_stem=f"fiche-action-{slugify(a.code.replace('.', '-'))}",
            title=f"Fiche-action {a.code} : {a.title}",
        )
        for a in selectors.project_actions(project)
    ]


def _action_context(project, variant_key: str) -> dict:
    action = selectors.project_actions(project).get(pk=int(variant_key))
    return {"action": action_data(action)}


def _all_action_contexts(project) -> dict[str, dict]:
    return {str(a.pk): {"action": action_data(a)} for a in selectors.project_actions(project)}


def _plan_context(project, variant_key: str = "") -> dict:
    from ptsm.commitments.selectors import (
        commitment_statuses,
    )  # the commitments app builds on this one

    actions = list(selectors.project_actions(project))
    return {
        "rows": selectors.action_plan_rows(actions, commitment_statuses(project), typed=True),
        "credits": selectors.credits_table(actions),
    }


# The plan's 15 columns printed on two A4 landscape pages per band of rows, at 90 %: the action
# and who carries it (N° to Opérateurs), then when, how it is measured and funded (the N°
# repeated); on one page they would be printed in 5-point type.
PLAN_PRINT_LAYOUT = PrintLayout(
    widths=[9, 26, 26, 30, 9, 22, 28, 22, 11, 11, 30, 11, 22, 15, 13],
    breaks_after=[6],
)


def _plan_xlsx(context: dict) -> bytes:
    columns = selectors.ACTION_PLAN_COLUMNS + selectors.ACTION_PLAN_AMOUNT_COLUMNS
    return workbook_bytes(
        [
            Sheet(
                "Plan d'actions",
                columns,
                context["rows"],
                totals=(len(columns) - 2, len(columns) - 1),
                print_layout=PLAN_PRINT_LAYOUT,
            )
        ]
    )


def _credits_xlsx(context: dict) -> bytes:
    credits = context["credits"]
    totals = [
        [title, label, amount] for title, items in credits.totals() for label, amount in items
    ]
    totals.append(["Total", "", credits.total])
    return workbook_bytes(
        [
            Sheet(
                "Crédits mobilisés",
                selectors.CREDITS_COLUMNS,
                credits.rows,
                totals=selectors.CREDITS_AMOUNT_COLUMNS,
            ),
            Sheet("Totaux", ["Regroupement", "Valeur", "Montant (€)"], totals),
        ]
    )


def institution_logos(project) -> list[bytes]:
    """The logos of the institutions that pilot the PTSM (the ARS, then the conseil
    départemental), as uploaded on their organisation's page."""
    from ptsm.organisations.selectors import institution_logos as uploaded_logos

    return uploaded_logos(project)


def _copil_context(project, variant_key: str = "") -> dict:
    from ptsm.governance.selectors import copil_meeting

    context = roadmap_context(project)
    version = project.roadmap_versions.select_related("meeting").order_by("-number").first()
    meeting = (version.meeting if version else None) or copil_meeting(project, timezone.localdate())
    context["copil_meeting"] = (
        {
            "title": meeting.title,
            "date": french_date(timezone.localtime(meeting.starts_at).date()),
            "place": meeting.place,
        }
        if meeting
        else None
    )
    context["logos"] = institution_logos(project)
    context["validation"] = (
        {"date": french_date(version.validated_on), "decision": version.decision}
        if version
        else None
    )
    return context


def _objective_lines(orientation: dict, levels: dict | None = None) -> list[str]:
    objective_name = (
        levels["objective"]
        if levels and levels["objective"] != "Objectif stratégique"
        else "Objectif"
    )
    lines = []
    for theme in orientation["themes"]:
        for objective in theme["objectives"]:
            count = len(objective["actions"])
            lines.append(
                f"{objective_name} {objective['code']} {objective['title']} : "
                + (
                    plural(count, "fiche-action", "fiches-actions")
                    if count
                    else "aucune fiche-action à ce jour"
                )
            )
            lines += [f"    {action}" for action in objective["actions"]]
    return lines or ["Aucun objectif stratégique à ce jour."]


def _funding_chart(orientation: dict) -> Chart | None:
    funding = [f for f in orientation["funding"] if f["requested"] or f["acquired"]]
    if not funding:
        return None
    return Chart(
        title="Crédits par fiche-action",
        categories=[f["code"] for f in funding],
        series=[
            ("Sollicités", [f["requested"] for f in funding]),
            ("Acquis", [f["acquired"] for f in funding]),
        ],
    )


def copil_slides(context: dict) -> list[Slide]:
    meeting = context.get("copil_meeting")
    cover = [context["meta"]["project_name"], context["meta"]["territory_name"]]
    if meeting:
        cover.append(
            f"Comité de pilotage du {meeting['date']}"
            + (f" — {meeting['place']}" if meeting["place"] else "")
        )
    cover.append(
        plural(len(context["actions"]), "fiche-action", "fiches-actions")
        + f" — crédits : {context['credits_total']}"
    )
    slides = [
        Slide(
            title="Feuille de route — présentation au COPIL",
            paragraphs=cover,
            logos=context.get("logos", []),
        )
    ]
    slides.append(
        Slide(
            title="Rappel du diagnostic : priorités par porte d'entrée",
            bullets=[
                f"{door['title']} : {door['priorities'][0] if door['priorities'] else 'aucune priorité retenue'}"
                for door in context["door_priorities"]
            ],
        )
    )
    levels = context.get("levels")
    for orientation in context["orientations"]:
        chart = _funding_chart(orientation)
        slides.append(
            Slide(
                title=f"{levels['orientation'] if levels else 'Orientation'} "
                f"{orientation['code']} : {orientation['title']}",
                bullets=_objective_lines(orientation, levels),
                paragraphs=[] if chart else ["Aucun crédit inscrit pour cette orientation."],
                chart=chart,
            )
        )
    slides.append(
        Slide(
            title="Plan d'actions",
            table=[(row[0] + " " + row[1], f"{row[3]} — {row[5]}") for row in context["plan"]],
            table_header=("Fiche-action", "Pilote et calendrier"),
        )
    )
    slides.append(
        Slide(
            title="Crédits mobilisés",
            table=[tuple(r) for r in context["credits_by_funder"]],
            table_header=("Financeur", "Montant"),
            paragraphs=[f"Total : {context['credits_total']}"],
        )
    )
    validation = context.get("validation")
    if validation:  # the deck of the COPIL that validated the roadmap says what it decided
        slides.append(
            Slide(
                title=f"Décision du COPIL du {validation['date']}",
                paragraphs=[validation["decision"]],
                bullets=[
                    "Prochaine étape : la signature des lettres d'engagement "
                    "(séance collective ou bilatérale)"
                ],
            )
        )
        return slides
    slides.append(
        Slide(
            title="Décision attendue du COPIL",
            bullets=[
                "Valider la feuille de route et ses fiches-actions",
                "Confirmer les pilotes et les opérateurs",
                "Lancer la signature des lettres d'engagement (séance collective ou bilatérale)",
            ],
        )
    )
    return slides


def roadmap_is_draft(project) -> bool:
    """Until the COPIL validates the roadmap, its documents are drafts."""
    return not project.roadmap_versions.exists()


# The roadmap's documents as the COPIL validated them (see `validate_roadmap`). The action plan
# table stays live: it follows the commitments' signatures.
FROZEN_BY_VALIDATION = [
    "feuille-de-route",
    "credits-mobilises",
    "presentation-copil",
    "fiche-action",
]


def roadmap_freeze(project) -> Freeze | None:
    latest = project.roadmap_versions.order_by("-number").first()
    if latest is None:
        return None
    return Freeze(key=f"feuille-de-route-v{latest.number}", on=latest.validated_on)


def _roadmap_frozen(project) -> dict[str, Freeze]:
    freeze = roadmap_freeze(project)
    return {"": freeze} if freeze else {}


def _actions_frozen(project) -> dict[str, Freeze]:
    """The fiches-actions stored when the roadmap was validated (an action added since is a
    draft until the next validation)."""
    freeze = roadmap_freeze(project)
    if freeze is None:
        return {}
    stored = GeneratedDocument.objects.filter(
        project=project, kind="fiche-action", frozen_key=freeze.key
    ).values_list("variant", flat=True)
    return dict.fromkeys(stored, freeze)


register(
    DocumentKind(
        section="Feuille de route",
        slug="feuille-de-route",
        is_draft=roadmap_is_draft,
        frozen=_roadmap_frozen,
        title="Feuille de route",
        description=(
            "Document-type 3 : rappel du diagnostic, orientations, thématiques, objectifs, plan d'actions et "
            "fiches-actions."
        ),
        build_context=_roadmap_context,
        publication=PUBLIC_BY_DEFAULT,
        publication_note="Elle nomme l'organisation pilote et la personne pilote de chaque fiche-action.",
        renderers={
            "docx": _roadmap_docx_with_calendar,
            "pdf": _roadmap_pdf_with_calendar,
        },
        order=30,
    )
)
register(
    DocumentKind(
        section="Feuille de route",
        slug="plan-actions",
        is_draft=roadmap_is_draft,
        title="Tableau de synthèse du plan d'actions",
        description="Une ligne par fiche-action.",
        build_context=_plan_context,
        renderers={"xlsx": _plan_xlsx},
        order=31,
    )
)
register(
    DocumentKind(
        section="Feuille de route",
        slug="credits-mobilises",
        is_draft=roadmap_is_draft,
        frozen=_roadmap_frozen,
        title="Tableau de synthèse des crédits mobilisés",
        description="Fiche-action × financeur × année, autofinancement et aide, totaux.",
        build_context=_plan_context,
        renderers={"xlsx": _credits_xlsx},
        order=32,
    )
)
register(
    DocumentKind(
        section="Feuille de route",
        slug="presentation-copil",
        is_draft=roadmap_is_draft,
        frozen=_roadmap_frozen,
        title="Présentation de la feuille de route au COPIL",
        description="Diaporama (ANAP, support 3).",
        build_context=_copil_context,
        renderers={"pptx": pptx_renderer(copil_slides)},
        order=33,
    )
)
register(
    DocumentKind(
        section="Feuille de route",
        slug="fiche-action",
        is_draft=roadmap_is_draft,
        frozen=_actions_frozen,
        title="Fiche-action",
        description="Une fiche PDF par fiche-action (ANAP, support 4).",
        build_context=_action_context,
        variants=_action_variants,
        build_all_contexts=_all_action_contexts,
        publication=PUBLIC_OPTIONAL,
        publication_note="Une par fiche-action ; chacune nomme sa personne pilote.",
        renderers={
            "pdf": pdf_renderer(template_path(__file__, "doc_templates", "fiche-action.typ"))
        },
        order=34,
    )
)

register_bulk_scope(selectors.roadmap_read_once)
