"""Reads of the evaluation app: the review calendar, the progress of the action plan, the
content of a review (page and documents)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from ptsm.commitments.selectors import amendments, engagement_period
from ptsm.core.formatting import french_date, plural
from ptsm.projects.models import add_months
from ptsm.projects.participation_panel import participation_sections
from ptsm.roadmap.models import (
    Action,
    ActionStatus,
    FundingNature,
    FundingStatus,
    MilestoneStatus,
)
from ptsm.roadmap.selectors import euros, project_actions

from .models import ActionIndicatorValue, Review, ReviewKind, ReviewValidation
from .sections import review_sections, review_slots

REVIEW_MONTHS = 6
# The plan's actions once the COPIL has validated them, whatever became of them since.
REVIEWED_STATUSES = [
    ActionStatus.VALIDATED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.POSTPONED,
    ActionStatus.ABANDONED,
]


@dataclass(frozen=True)
class ReviewSchedule:
    start: dt.date | None  # the last signature (a contract's start)
    six_months: dt.date | None
    end: dt.date | None
    signed: int
    expected: int
    annual: tuple[dt.date | None, ...] = ()  # a contract's annual reviews, n° 1 first

    def due(self, kind: str, number: int = 0) -> dt.date | None:
        if kind == ReviewKind.FINAL:
            return self.end
        if kind == ReviewKind.ANNUAL:
            return self.annual[number - 1] if 0 < number <= len(self.annual) else None
        return self.six_months

    def year(self, number: int) -> tuple[dt.date, dt.date] | None:
        """The contract's year n° `number`: [start, end) once the commitments are signed."""
        if self.start is None:
            return None
        return add_months(self.start, 12 * (number - 1)), add_months(self.start, 12 * number)


def review_schedule(project) -> ReviewSchedule:
    """The reviews follow the commitments: 6 months after the last signature, every year of a
    contract (CTSM), and at their end."""
    period = engagement_period(project)
    return ReviewSchedule(
        start=period.start,
        six_months=add_months(period.start, REVIEW_MONTHS) if period.start else None,
        end=period.end,
        signed=period.signed,
        expected=period.expected,
        annual=tuple(
            add_months(period.start, 12 * n) if period.start else None
            for n in range(1, project.annual_reviews + 1)
        ),
    )


def next_review(project, today: dt.date) -> tuple[str, dt.date] | None:
    """The next review the COPIL has not validated yet, with its due date (dashboard)."""
    schedule = review_schedule(project)
    if schedule.start is None:
        return None
    validated = set(
        ReviewValidation.objects.filter(project=project).values_list(
            "review__kind", "review__number"
        )
    )
    for slot in review_slots(project):
        if (slot.kind, slot.number) not in validated:
            return slot.label, schedule.due(slot.kind, slot.number)
    return None


def milestone_is_late(milestone, today: dt.date) -> bool:
    return milestone.status == MilestoneStatus.LATE or (
        milestone.status == MilestoneStatus.PLANNED and milestone.due_date < today
    )


@dataclass
class IndicatorRow:
    action: Action
    indicator: object
    latest: ActionIndicatorValue | None


@dataclass
class Progress:
    actions: list[Action]
    by_status: list[tuple[str, int]]
    milestones: Counter = field(default_factory=Counter)  # reached / late / planned
    late_milestones: list[tuple[Action, object]] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    credits: dict[str, Decimal] = field(default_factory=dict)


def latest_indicator_values(
    project, within: tuple[dt.date, dt.date] | None = None
) -> dict[int, ActionIndicatorValue]:
    """Indicator → its most recent value (one query); `within`: measured in [start, end) only
    (a contract year, for its annual review)."""
    values = ActionIndicatorValue.objects.filter(
        indicator__action__objective__theme__orientation__project=project
    )
    if within is not None:
        values = values.filter(measured_on__gte=within[0], measured_on__lt=within[1])
    latest = {}
    for value in values.order_by("indicator_id", "-measured_on", "-pk"):
        latest.setdefault(value.indicator_id, value)
    return latest


def progress(project, today: dt.date, within: tuple[dt.date, dt.date] | None = None) -> Progress:
    actions = [a for a in project_actions(project) if a.status in REVIEWED_STATUSES]
    counts = Counter(a.status for a in actions)
    result = Progress(
        actions=actions,
        by_status=[(ActionStatus(s).label, counts[s]) for s in REVIEWED_STATUSES],
    )
    latest = latest_indicator_values(project, within)
    credits = Counter()
    for action in actions:
        for milestone in action.milestones.all():
            if milestone.status == MilestoneStatus.REACHED:
                result.milestones["reached"] += 1
            elif milestone_is_late(milestone, today):
                result.milestones["late"] += 1
                result.late_milestones.append((action, milestone))
            else:
                result.milestones["planned"] += 1
        for indicator in action.indicators.all():
            result.indicators.append(IndicatorRow(action, indicator, latest.get(indicator.pk)))
        for line in action.funding_lines.all():
            credits[(line.nature, line.status)] += line.amount
    result.credits = {
        f"{FundingNature(nature).label} — {FundingStatus(status).label.lower()}": credits[
            (nature, status)
        ]
        for nature in FundingNature
        for status in FundingStatus
    }
    return result


def milestone_counts_label(counts) -> str:
    """'2 atteints, 1 en retard, 3 à venir'."""
    return (
        f"{plural(counts['reached'], 'atteint', 'atteints')}, {counts['late']} en retard, "
        f"{counts['planned']} à venir"
    )


def milestone_summary(action, today: dt.date) -> str:
    milestones = list(action.milestones.all())
    if not milestones:
        return "aucun jalon"
    reached = sum(m.status == MilestoneStatus.REACHED for m in milestones)
    late = sum(milestone_is_late(m, today) for m in milestones)
    text = f"{plural(reached, 'atteint', 'atteints')} sur {len(milestones)}"
    return text + (f", {late} en retard" if late else "")


def review_of(project, kind: str, number: int = 0) -> Review:
    """The project's review of that kind (and number, for an annual review), or an unsaved
    empty one until someone writes it."""
    return Review.objects.filter(project=project, kind=kind, number=number).first() or Review(
        project=project, kind=kind, number=number
    )


def reviews(project) -> dict[tuple[str, int], Review]:
    """(kind, number) → the review written so far."""
    return {(r.kind, r.number): r for r in Review.objects.filter(project=project)}


def review_validation_dates(project) -> dict[tuple[str, int], dt.date]:
    """(kind, number) → the date of the review's latest COPIL validation (one query)."""
    dates = {}
    for kind, number, validated_on in (
        ReviewValidation.objects.filter(project=project)
        .order_by("number")
        .values_list("review__kind", "review__number", "validated_on")
    ):
        dates[(kind, number)] = validated_on
    return dates


def review_validations(review: Review | None):
    if review is None or review.pk is None:
        return ReviewValidation.objects.none()
    return review.validations.select_related("meeting", "validated_by").order_by("-number")


def review_context(project, review: Review, today: dt.date) -> dict:
    """Everything a review shows, as plain data: the page, the DOCX and the PDF read it."""
    schedule = review_schedule(project)
    annual = review.kind == ReviewKind.ANNUAL
    year = schedule.year(review.number) if annual else None
    state = progress(project, today, within=year)
    comments = {a.action_id: a.comment for a in review.assessments.all()} if review.pk else {}
    due = schedule.due(review.kind, review.number)
    latest_validation = review_validations(review).first()
    not_measured = "non mesuré cette année" if annual else "non mesuré"
    return {
        "title": review.label,
        "kind": review.kind,
        "number": review.number,
        "year": {
            "number": str(review.number),
            "start": french_date(year[0]) if year else "",
            "end": french_date(year[1] - dt.timedelta(days=1)) if year else "",
            "label": (
                f"Année {review.number} du contrat : du {french_date(year[0])} au "
                f"{french_date(year[1] - dt.timedelta(days=1))}"
                if year
                else f"Année {review.number} du contrat (elle commencera à la dernière signature)"
            ),
        }
        if annual
        else None,
        "period": {
            # Until every operator has signed, the dates are said as the rule that will fix them.
            "start": french_date(schedule.start) or "à la dernière signature (non atteinte)",
            "due": french_date(due)
            or {
                ReviewKind.SIX_MONTHS: "6 mois après la dernière signature",
                ReviewKind.ANNUAL: f"{12 * review.number} mois après la dernière signature",
            }.get(review.kind, "au terme des engagements"),
            "end": french_date(schedule.end)
            or "au terme de leur durée, depuis la dernière signature",
            "signatures": f"{plural(schedule.signed, 'signature', 'signatures')} sur {schedule.expected}",
        },
        "sections": [
            {
                "key": s.key,
                "heading": s.heading,
                "paragraphs": [
                    line.strip()
                    for line in review.texts.get(s.key, "").splitlines()
                    if line.strip()
                ],
            }
            for s in review_sections(review.kind)
        ],
        # Filled from the data of every app that measures it (governance, consultations…).
        "participation": [
            {"heading": section["heading"], "lines": [line["text"] for line in section["lines"]]}
            for section in participation_sections(project)
        ],
        "status_rows": [[label, str(count)] for label, count in state.by_status],
        "milestones": {
            "reached": str(state.milestones["reached"]),
            "late": str(state.milestones["late"]),
            "planned": str(state.milestones["planned"]),
            "summary": milestone_counts_label(state.milestones),
        },
        "actions": [
            {
                "pk": a.pk,
                "code": a.code,
                "title": a.title,
                "status": a.get_status_display(),
                "pilot": a.pilot_organisation.name if a.pilot_organisation else "à désigner",
                "milestones": milestone_summary(a, today),
                "comment": comments.get(a.pk, ""),
            }
            for a in state.actions
        ],
        "value_heading": "Valeur de l'année" if annual else "Dernière valeur",
        "indicators": [
            {
                "action": row.action.code,
                "name": row.indicator.name,
                "baseline": row.indicator.baseline or "—",
                "target": row.indicator.target or "—",
                "value": row.latest.value if row.latest else not_measured,
                "measured_on": french_date(row.latest.measured_on) if row.latest else "—",
            }
            for row in state.indicators
        ],
        "credits": [[label, euros(amount)] for label, amount in state.credits.items()],
        # No funding line at all: the documents say so rather than print a table of zeros.
        "credits_recorded": any(state.credits.values()),
        "amendments": [
            {
                "operator": version.organisation.name,
                "number": str(version.number),
                "reason": version.reason,
                "date": french_date(timezone.localtime(version.created_at).date()),
                "state": "signé" if version.signed else "à signer",
            }
            for version in amendments(project)
        ],
        "validation": {
            "number": str(latest_validation.number),
            "validated_on": french_date(latest_validation.validated_on),
            "decision": latest_validation.decision,
        }
        if latest_validation
        else None,
    }


def review_lines(context: dict) -> list[str]:
    """The review as text lines: what the COPIL validates, compared between versions."""
    lines = [f"{context['title']} — échéance {context['period']['due']}"]
    if context.get("year"):
        lines.append(context["year"]["label"])
    for section in context["sections"]:
        lines.append(f"## {section['heading']}")
        lines += section["paragraphs"]
    lines += [
        f"{section['heading']} : {line}"
        for section in context["participation"]
        for line in section["lines"]
    ]
    lines += [f"{label} : {count}" for label, count in context["status_rows"]]
    lines += [
        f"{a['code']} {a['title']} — {a['status']} — jalons : {a['milestones']}"
        + (f" — {a['comment']}" if a["comment"] else "")
        for a in context["actions"]
    ]
    lines += [
        f"{i['action']} {i['name']} : {i['value']} ({i['measured_on']}), cible {i['target']}"
        for i in context["indicators"]
    ]
    lines += [f"{label} : {amount}" for label, amount in context["credits"]]
    lines += [
        f"Avenant {a['operator']} version {a['number']} ({a['date']}, {a['state']}) : {a['reason']}"
        for a in context["amendments"]
    ]
    return lines


INDICATOR_COLUMNS = [
    "N°",
    "Fiche-action",
    "Pilote",
    "Statut",
    "Indicateur",
    "Valeur de départ",
    "Cible",
    "Source",
    "Fréquence",
    "Date de mesure",
    "Valeur mesurée",
    "Commentaire",
]


def indicator_value_rows(project) -> list[list]:
    """Every measured value of every indicator of the plan (an indicator never measured still
    has its row), for the follow-up table."""
    values: dict[int, list[ActionIndicatorValue]] = {}
    for value in ActionIndicatorValue.objects.filter(
        indicator__action__objective__theme__orientation__project=project
    ).order_by("indicator_id", "measured_on", "pk"):
        values.setdefault(value.indicator_id, []).append(value)
    rows = []
    for action in project_actions(project):
        if action.status not in REVIEWED_STATUSES:
            continue
        pilot = action.pilot_organisation.name if action.pilot_organisation else ""
        for indicator in action.indicators.all():
            head = [
                action.code,
                action.title,
                pilot,
                action.get_status_display(),
                indicator.name,
                indicator.baseline,
                indicator.target,
                indicator.source,
                indicator.frequency,
            ]
            measured = values.get(indicator.pk) or [None]
            for value in measured:
                rows.append(
                    head
                    + ([value.measured_on, value.value, value.comment] if value else [None, "", ""])
                )
    return rows


@dataclass
class PilotRequest:
    """The indicators one pilot is asked to measure."""

    email: str
    name: str
    rows: list[IndicatorRow] = field(default_factory=list)


def measurement_requests(project) -> tuple[list[PilotRequest], list[Action]]:
    """Who to ask for the plan's indicator values: the action's pilot user, otherwise its pilot
    contact. Also returns the actions with indicators but nobody to ask."""
    latest = latest_indicator_values(project)
    requests: dict[str, PilotRequest] = {}
    unreachable = []
    for action in project_actions(project):
        indicators = list(action.indicators.all())
        if (
            action.status not in (ActionStatus.VALIDATED, ActionStatus.IN_PROGRESS)
            or not indicators
        ):
            continue
        if action.pilot_user and action.pilot_user.email:
            email, name = action.pilot_user.email, action.pilot_user.get_full_name()
        elif action.pilot_contact and action.pilot_contact.email:
            email, name = action.pilot_contact.email, action.pilot_contact.full_name
        else:
            unreachable.append(action)
            continue
        request = requests.setdefault(email.lower(), PilotRequest(email, name))
        request.rows += [IndicatorRow(action, i, latest.get(i.pk)) for i in indicators]
    return sorted(requests.values(), key=lambda r: r.email), unreachable


def next_reviews(project_ids, periods: dict) -> dict[int, tuple[str, dt.date]]:
    """`next_review` for several projects in one query, given their engagement periods
    (`commitments.selectors.engagement_periods`)."""
    validated: dict[int, set[str]] = {}
    for project_id, kind in ReviewValidation.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "review__kind"
    ):
        validated.setdefault(project_id, set()).add(kind)
    result = {}
    for project_id, period in periods.items():
        if period.start is None:
            continue
        done = validated.get(project_id, set())
        for kind in ReviewKind:
            if kind not in done:
                due = (
                    period.end
                    if kind == ReviewKind.FINAL
                    else add_months(period.start, REVIEW_MONTHS)
                )
                result[project_id] = (kind.label, due)
                break
    return result


def validated_reviews(project):
    """The COPIL's validations of the reviews, latest first."""
    return (
        ReviewValidation.objects.filter(project=project)
        .select_related("review")
        .order_by("-validated_on", "-pk")
    )
