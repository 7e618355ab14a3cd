"""The roadmap as plain data for its documents (DOCX, PDF, XLSX, PPTX)."""

from decimal import Decimal

from ptsm.core.formatting import french_date
from ptsm.core.prefetch import choice_label, prefetched
from ptsm.diagnostic.selectors import identity_card_rows, report_content
from ptsm.documents.recalls import recalls_context

from . import selectors
from .levels import project_levels
from .models import Condition, FundingNature

CONDITION_LABELS = dict(Condition.choices)


def euros(amount) -> str:
    return selectors.euros(amount)


def credits_summary(credits) -> str:
    """'625 000 €, dont 90 000 € acquis et 535 000 € sollicités'."""
    if not credits.requested:
        return f"{euros(credits.total)}, tous acquis" if credits.total else euros(0)
    if not credits.acquired:
        return f"{euros(credits.total)}, sollicités (aucun acquis à ce jour)"
    return (
        f"{euros(credits.total)}, dont {euros(credits.acquired)} acquis "
        f"et {euros(credits.requested)} sollicités"
    )


def action_data(action) -> dict:
    lines = list(prefetched(action, "funding_lines"))
    operators = list(prefetched(action, "operators"))
    self_total = sum(
        (line.amount for line in lines if line.nature == FundingNature.SELF), Decimal(0)
    )
    aid_total = sum((line.amount for line in lines if line.nature == FundingNature.AID), Decimal(0))
    pilot = action.pilot_organisation.name if action.pilot_organisation else "à désigner"
    if action.pilot_contact:
        pilot += f" ({action.pilot_contact.full_name})"
    return {
        "pk": action.pk,
        "code": action.code,
        "title": action.title,
        "orientation": f"{action.objective.theme.orientation.code}. {action.objective.theme.orientation.title}",
        "theme": ""
        if action.objective.theme.implicit
        else f"{action.objective.theme.code} {action.objective.theme.title}",
        "objective": f"{action.objective.code} {action.objective.title}",
        # Orientation › (theme ›) objective: a project without themes skips that level.
        "path": " › ".join(
            part
            for part in (
                f"{action.objective.theme.orientation.code}. {action.objective.theme.orientation.title}",
                ""
                if action.objective.theme.implicit
                else f"{action.objective.theme.code} {action.objective.theme.title}",
                f"{action.objective.code} {action.objective.title}",
            )
            if part
        ),
        "doors": selectors.doors_label(action),
        "priorities": ", ".join(action.decree_priorities) or "—",
        "findings": [f.text for f in prefetched(action, "findings")],
        "context": action.context or "—",
        "operational_objectives": action.operational_objectives or "—",
        "description": action.description or "—",
        "target_public": action.target_public or "—",
        "pilot": pilot,
        "operators": ", ".join(o.name for o in operators) or "—",
        "operator_ids": [o.pk for o in operators],
        "partners": ", ".join(o.name for o in prefetched(action, "partners")) or "—",
        "territory": action.territory_concerned or "—",
        "period": selectors.period(action),
        "milestones": [
            {"date": french_date(m.due_date), "title": m.title, "status": choice_label(m, "status")}
            for m in prefetched(action, "milestones")
        ],
        "human_resources": action.human_resources or "—",
        "material_resources": action.material_resources or "—",
        "funding": [
            {
                "funder": choice_label(line, "funder")
                + (f" ({line.funder_details})" if line.funder_details else ""),
                "nature": line.get_nature_display(),
                "operator": line.operator.name if line.operator else "—",
                "operator_id": line.operator_id,
                "year": str(line.year),
                "amount": euros(line.amount),
                "amount_value": str(line.amount),
                "status": choice_label(line, "status"),
                "recurring": "oui" if line.recurring else "non",
            }
            for line in lines
        ],
        "self_total": euros(self_total),
        "aid_total": euros(aid_total),
        "conditions": ", ".join(CONDITION_LABELS.get(c, c) for c in action.conditions) or "aucune",
        "conditions_details": action.conditions_details,
        "expected_results": action.expected_results or "—",
        "indicators": [
            {
                "name": i.name,
                "baseline": i.baseline or "—",
                "target": i.target or "—",
                "source": i.source or "—",
                "frequency": i.frequency or "—",
            }
            for i in prefetched(action, "indicators")
        ],
        "risks": action.risks or "—",
        "priority": choice_label(action, "priority"),
        "status": choice_label(action, "status"),
        "quick_win": "oui" if action.quick_win else "non",
    }


def commitment_data(action) -> dict:
    """What an operator's annex says of a fiche-action (`action_data`'s values, not the whole
    sheet): read from `selectors.annexed_actions`, which prefetches only these."""
    return {
        "code": action.code,
        "title": action.title,
        "description": action.description or "—",
        "conditions": ", ".join(CONDITION_LABELS.get(c, c) for c in action.conditions) or "aucune",
        "period": selectors.period(action),
        "milestones": [
            {"date": french_date(m.due_date), "title": m.title, "status": choice_label(m, "status")}
            for m in prefetched(action, "milestones")
        ],
    }


def roadmap_context(project) -> dict:
    actions = list(selectors.project_actions(project))
    by_pk = {a.pk: a for a in actions}
    diagnostic = report_content(project)
    tree = []
    for orientation in selectors.roadmap_tree(project):
        if orientation.archived:
            continue
        themes = []
        for theme in orientation.themes.all():
            if theme.archived:
                continue
            objectives = [
                {
                    "code": o.code,
                    "title": o.title,
                    "description": o.description,
                    "actions": [f"{a.code} {a.title}" for a in o.actions.all() if not a.archived],
                }
                for o in theme.objectives.all()
                if not o.archived
            ]
            themes.append(
                {
                    "code": theme.code,
                    "title": theme.title,
                    "implicit": theme.implicit,
                    "objectives": objectives,
                }
            )
        funding = []
        for theme in orientation.themes.all():
            for objective in theme.objectives.all():
                for action in objective.actions.all():
                    if action.pk in by_pk:
                        requested, acquired = selectors.funding_split(
                            by_pk[action.pk].funding_lines.all()
                        )
                        funding.append(
                            {
                                "code": action.code,
                                "requested": float(requested),
                                "acquired": float(acquired),
                            }
                        )
        tree.append(
            {
                "code": orientation.code,
                "title": orientation.title,
                "description": orientation.description,
                "themes": themes,
                "funding": funding,
            }
        )
    credits = selectors.credits_table(actions)
    return {
        "title": "Feuille de route",
        "levels": project_levels(project).as_context(),
        "identity_card": identity_card_rows(project),
        "door_priorities": [
            {"title": door["title"], "priorities": door["priorities"]}
            for door in diagnostic["doors"]
        ],
        "orientations": tree,
        # What other apps recall in the roadmap (the consultations held on it, with their figures).
        "recalls": recalls_context(project, "feuille-de-route"),
        "plan_columns": [
            "N°",
            "Fiche-action",
            "Portes",
            "Pilote",
            "Opérateurs",
            "Calendrier",
            "Statut",
        ],
        "plan": [
            [
                a.code,
                a.title,
                selectors.doors_label(a),
                a.pilot_organisation.name if a.pilot_organisation else "—",
                ", ".join(o.name for o in a.operators.all()) or "—",
                selectors.period(a),
                choice_label(a, "status"),
            ]
            for a in actions
        ],
        "actions": [action_data(a) for a in actions],
        "timeline": [
            {
                "label": f"{a.code} {a.title}",
                "status": a.status,
                "status_label": choice_label(a, "status"),
                "start": a.start_date.isoformat() if a.start_date else "",
                "end": a.end_date.isoformat() if a.end_date else "",
                "milestones": [
                    {"title": m.title, "date": m.due_date.isoformat()} for m in a.milestones.all()
                ],
            }
            for a in actions
        ],
        # Requested money is never presented as secured: the total says what is acquired.
        "credits_total": credits_summary(credits),
        "credits_by_funder": [
            [label, euros(amount)] for label, amount in sorted(credits.by_funder.items())
        ],
        "credits_by_year": [
            [str(year), euros(amount)] for year, amount in sorted(credits.by_year.items())
        ],
    }
