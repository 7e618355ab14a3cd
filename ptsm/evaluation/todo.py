"""The follow-up's « À faire » lines: the pilot's fiches-actions (status, next milestone,
indicators whose value is due, a button to record a measure), the reviews due (chef de projet,
membre du COPIL) and the next review on the project's home page."""

import datetime as dt

from django.db.models import Max, Prefetch
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.core.formatting import plural
from ptsm.projects.models import Phase
from ptsm.projects.todo import (
    LEAD_ROLES,
    DashboardPanel,
    TodoContext,
    TodoItem,
    TodoProvider,
    TodoSection,
    register,
    register_panel,
)
from ptsm.roadmap.models import (
    Action,
    ActionIndicator,
    ActionMilestone,
    ActionStatus,
    MilestoneStatus,
)

from .models import ActionIndicatorValue, ReviewKind
from .sections import SLUG_OF_KIND
from .selectors import next_review

# How often a value is expected, from the indicator's « fréquence » (free text on the fiche);
# a yearly measure when it says nothing we know.
PERIOD_DAYS = {"mensuel": 31, "trimestri": 92, "semestri": 183, "annuel": 366}
DEFAULT_PERIOD_DAYS = 366
MEASURED_STATUSES = (ActionStatus.VALIDATED, ActionStatus.IN_PROGRESS)
REVIEW_NOTICE_DAYS = 45


def _period(frequency: str) -> dt.timedelta:
    text = frequency.lower()
    days = next((d for key, d in PERIOD_DAYS.items() if key in text), DEFAULT_PERIOD_DAYS)
    return dt.timedelta(days=days)


def indicator_due(
    indicator: ActionIndicator, action: Action, last_measure: dt.date | None, today: dt.date
) -> dt.date | None:
    """When the indicator's next value is due (None while the action is not being carried out):
    one period after its last measure, or after the action's start when it has none yet."""
    if action.status not in MEASURED_STATUSES:
        return None
    since = last_measure or action.start_date
    if since is None or since > today:
        return None
    return since + _period(indicator.frequency)


def my_actions(context: TodoContext) -> TodoSection:
    """The fiches-actions the user pilots: three queries whatever their number."""
    project, today = context.project, context.today
    actions = list(
        Action.objects.filter(
            objective__theme__orientation__project=project, pilot_user=context.user, archived=False
        )
        .select_related("objective__theme__orientation")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=ActionMilestone.objects.exclude(status=MilestoneStatus.REACHED).order_by(
                    "due_date", "pk"
                ),
                to_attr="open_milestones",
            ),
            Prefetch(
                "indicators",
                queryset=ActionIndicator.objects.order_by("pk"),
                to_attr="all_indicators",
            ),
        )
        .order_by(
            "objective__theme__orientation__position",
            "objective__theme__position",
            "objective__position",
            "position",
            "pk",
        )
    )
    last = {}
    for indicator_id, measured_on in (
        ActionIndicatorValue.objects.filter(indicator__action__in=[a.pk for a in actions])
        .order_by("indicator_id", "-measured_on")
        .values_list("indicator_id", "measured_on")
    ):
        last.setdefault(indicator_id, measured_on)
    items = []
    for action in actions:
        parts = [f"Statut : {action.get_status_display()}"]
        milestone = action.open_milestones[0] if action.open_milestones else None
        if milestone is not None:
            parts.append(f"prochain jalon « {milestone.title} » le {milestone.due_date:%d/%m/%Y}")
        due = [
            (indicator, when)
            for indicator in action.all_indicators
            if (when := indicator_due(indicator, action, last.get(indicator.pk), today))
            and when <= today + dt.timedelta(days=31)
        ]
        if due:
            parts.append(
                plural(len(due), "indicateur à renseigner", "indicateurs à renseigner")
                + " : "
                + ", ".join(indicator.name for indicator, _when in due)
            )
        measured = due[0][0] if due else (action.all_indicators or [None])[0]
        items.append(
            TodoItem(
                label=str(action),
                url=reverse("roadmap:action", kwargs={"slug": project.slug, "pk": action.pk}),
                detail=" ; ".join(parts),
                due=min((when for _i, when in due), default=None),
                late=any(when < today for _i, when in due)
                or (milestone is not None and milestone.due_date < today),
                action_label=f"Enregistrer une mesure : {measured.name}" if measured else "",
                action_url=reverse(
                    "evaluation:indicator", kwargs={"slug": project.slug, "pk": measured.pk}
                )
                if measured
                else "",
            )
        )
    return TodoSection(
        key="mes-fiches-actions",
        title="Mes fiches-actions",
        items=items,
        empty="Vous ne pilotez encore aucune fiche-action de ce projet.",
    )


def pilots_to_chase(context: TodoContext) -> list[TodoItem]:
    """For the chef de projet, once the actions are carried out: the indicators whose measure is
    overdue, and the pilots to ask for it (one query whatever the roadmap's size)."""
    project, today = context.project, context.today
    if project.phase not in (Phase.IMPLEMENTATION, Phase.EVALUATION):
        return []
    indicators = (
        ActionIndicator.objects.filter(
            action__objective__theme__orientation__project=project,
            action__archived=False,
            action__status__in=MEASURED_STATUSES,
        )
        .select_related("action__pilot_user", "action__pilot_organisation")
        .annotate(last_measure=Max("values__measured_on"))
    )
    late = [
        indicator
        for indicator in indicators
        if (due := indicator_due(indicator, indicator.action, indicator.last_measure, today))
        and due < today
    ]
    if not late:
        return []
    actions = {indicator.action for indicator in late}
    pilots = sorted(
        {
            str(action.pilot_user or action.pilot_organisation or "")
            for action in actions
            if action.pilot_user_id or action.pilot_organisation_id
        }
    )
    without_pilot = sum(1 for a in actions if not (a.pilot_user_id or a.pilot_organisation_id))
    detail = []
    if pilots:
        shown = ", ".join(pilots[:5])
        more = len(pilots) - 5
        detail.append(
            ("Pilote : " if len(pilots) == 1 else "Pilotes : ")
            + shown
            + (f" et {plural(more, 'autre', 'autres')}" if more > 0 else "")
        )
    if without_pilot:
        detail.append(
            plural(without_pilot, "fiche-action sans pilote", "fiches-actions sans pilote")
        )
    return [
        TodoItem(
            label=(
                "Relancer les pilotes : "
                + plural(len(late), "indicateur en retard", "indicateurs en retard")
                + " sur "
                + plural(len(actions), "fiche-action", "fiches-actions")
            ),
            url=reverse("evaluation:overview", kwargs={"slug": project.slug}),
            detail=" ; ".join(detail),
            late=True,
        )
    ]


def _after_commitments(project) -> bool:
    """The reviews follow the signed commitments: nothing to review before the « Engagement »
    phase (and no query spent on it)."""
    phases = list(Phase.values)
    return phases.index(project.phase) >= phases.index(Phase.COMMITMENT)


def _review_due(context: TodoContext) -> tuple[str, dt.date] | None:
    if not _after_commitments(context.project):
        return None
    upcoming = next_review(context.project, context.today)
    if upcoming is None or upcoming[1] is None:
        return None
    if upcoming[1] > context.today + dt.timedelta(days=REVIEW_NOTICE_DAYS):
        return None
    return upcoming


def _review_url(project, label: str) -> str:
    kind = next((k for k in ReviewKind if k.label == label), None)
    if kind is None or kind not in SLUG_OF_KIND:
        return reverse("evaluation:overview", kwargs={"slug": project.slug})
    return reverse("evaluation:review", kwargs={"slug": project.slug, "kind": SLUG_OF_KIND[kind]})


def reviews_due(context: TodoContext) -> list[TodoItem]:
    due = _review_due(context)
    if due is None:
        return []
    label, when = due
    return [
        TodoItem(
            label=f"Préparer le {label[0].lower()}{label[1:]} et le faire valider par le COPIL",
            url=_review_url(context.project, label),
            due=when,
            late=when < context.today,
        )
    ]


def review_to_validate(context: TodoContext) -> list[TodoItem]:
    due = _review_due(context)
    if due is None:
        return []
    label, when = due
    return [
        TodoItem(
            label=f"{label}, à valider en COPIL",
            url=_review_url(context.project, label),
            due=when,
            late=when < context.today,
        )
    ]


def next_review_panel(project, today) -> dict | None:
    if not _after_commitments(project):
        return None
    upcoming = next_review(project, today)
    if upcoming is None:
        return None
    return {
        "label": upcoming[0],
        "due": upcoming[1],
        "late": upcoming[1] < today,
        "slug": project.slug,
    }


def register_todo() -> None:
    register(
        TodoProvider(
            key="mes-fiches-actions",
            roles=frozenset({Role.ACTION_PILOT}),
            provider=my_actions,
            order=10,
        )
    )
    register(
        TodoProvider(
            key="bilans", roles=LEAD_ROLES, provider=reviews_due, order=17, section="etapes"
        )
    )
    register(
        TodoProvider(
            key="relance-pilotes",
            roles=LEAD_ROLES,
            provider=pilots_to_chase,
            order=18,
            section="etapes",
        )
    )
    register(
        TodoProvider(
            key="bilan-a-valider",
            roles=frozenset({Role.COPIL_MEMBER}),
            provider=review_to_validate,
            title="Documents à valider par le COPIL",
            order=22,
            section="a-valider",
        )
    )
    register_panel(
        DashboardPanel(
            key="prochain-bilan",
            template="evaluation/_dashboard_panel.html",
            context=next_review_panel,
            order=20,
        )
    )
