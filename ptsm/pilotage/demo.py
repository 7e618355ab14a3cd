"""Demo content for the cockpit: three more projects of the demo région at different phases, and
one published transparency page with its validated documents. `populate_project` fills a project
with a plausible action plan in a few bulk inserts (also used by the bench and the tests).

The lead wires `load_cockpit_demo` into `load_demo` (ptsm/demo/)."""

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction

from ptsm.commitments.models import CommitmentLetter, Signatory, SignatoryStatus
from ptsm.diagnostic.models import DiagnosticVersion, Indicator, IndicatorValue, Level
from ptsm.documents.selectors import public_files
from ptsm.documents.services import generate_document
from ptsm.organisations.categories import default_represents
from ptsm.organisations.models import Organisation
from ptsm.projects.models import Milestone, Phase, PhaseChange, Project
from ptsm.projects.services import create_project
from ptsm.roadmap.models import (
    Action,
    ActionStatus,
    Funder,
    FundingLine,
    FundingStatus,
    Objective,
    Orientation,
    RoadmapVersion,
    Theme,
)
from ptsm.territories.models import Departement

from . import services

# Three départements of Bretagne (the demo's région) besides Finistère.
COCKPIT_DEMO = [
    ("demo-cotes-d-armor", "PTSM des Côtes-d'Armor", "22", Phase.DIAGNOSTIC, 6),
    ("demo-ille-et-vilaine", "PTSM d'Ille-et-Vilaine", "35", Phase.ROADMAP, 14),
    ("demo-morbihan", "PTSM du Morbihan", "56", Phase.IMPLEMENTATION, 22),
]
PUBLISHED_DEMO = "demo-morbihan"
ORIENTATIONS = [
    "Améliorer l'accès au diagnostic et aux soins",
    "Construire des parcours sans rupture",
    "Prévenir et gérer les situations de crise",
    "Promouvoir les droits et lutter contre la stigmatisation",
]
STATUS_CYCLE = [
    ActionStatus.VALIDATED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.POSTPONED,
]
FUNDERS = [Funder.FIR, Funder.CD, Funder.HEALTH_INSURANCE, Funder.SELF]
ORGANISATIONS = [
    ("Centre hospitalier de référence en psychiatrie", "sanitaire_public", "290000017"),
    (
        "Union nationale de familles et amis de personnes malades (UNAFAM) — délégation",
        "usagers_familles",
        "",
    ),
    ("Groupe d'entraide mutuelle", "usagers_familles", ""),
    ("Maison départementale des personnes handicapées", "institutions_financeurs", ""),
]

DEMO_INDICATORS = ["PAUVRETE", "SUICIDE", "MDPH_SAMSAH"]

# The phases whose method step implies a validated diagnostic, roadmap, signatures.
PHASES = list(Phase.values)


def _reached(phase: str, step: Phase) -> bool:
    return PHASES.index(phase) >= PHASES.index(step)


def populate_project(
    project: Project,
    *,
    phase: str,
    actions: int,
    start: dt.date,
    finess_shared: str = "290000017",
) -> None:
    """A plausible state for a project at `phase`: phase history, directory, COPIL validations,
    `actions` fiches-actions with two funding lines each, commitments. Bulk inserts: a few
    queries whatever `actions` is. Contacts are left out on purpose (no personal data needed)."""
    organisations = Organisation.objects.bulk_create(
        Organisation(
            project=project,
            name=name,
            category=category,
            finess_et=finess if finess else "",
            # The UNAFAM speaks for families, the GEM for people with lived experience.
            represents=default_represents(
                category, "unafam" if "UNAFAM" in name else "gem" if "entraide" in name else ""
            ),
        )
        for name, category, finess in ORGANISATIONS
    )
    if finess_shared != ORGANISATIONS[0][2]:
        organisations[0].finess_et = finess_shared
        organisations[0].save(update_fields=["finess_et"])
    changes, previous = [], Phase.CADRAGE
    for i, value in enumerate(PHASES[1 : PHASES.index(phase) + 1], start=1):
        changes.append(
            PhaseChange(
                project=project,
                changed_on=start + dt.timedelta(days=75 * i),
                from_phase=previous,
                to_phase=value,
                event="demo",
                reason="Étape de la méthode franchie",
            )
        )
        previous = value
    PhaseChange.objects.bulk_create(changes)
    # The method's milestones of the phases already gone through are done.
    for milestone in Milestone.objects.filter(project=project, done_on__isnull=True):
        if milestone.phase and PHASES.index(milestone.phase) < PHASES.index(phase):
            milestone.done_on = milestone.due_date
            milestone.save(update_fields=["done_on"])
    Project.objects.filter(pk=project.pk).update(phase=phase)
    project.phase = phase
    digest = hashlib.sha256(project.slug.encode()).hexdigest()
    if _reached(phase, Phase.ROADMAP):
        DiagnosticVersion.objects.create(
            project=project,
            number=1,
            decision="Le COPIL valide le diagnostic partagé.",
            validated_on=start + dt.timedelta(days=150),
            sha256=digest,
            content={"demo": True},
        )
    if actions:
        orientations = Orientation.objects.bulk_create(
            Orientation(project=project, title=title, number=i, position=i)
            for i, title in enumerate(ORIENTATIONS, start=1)
        )
        themes = Theme.objects.bulk_create(
            Theme(orientation=o, title=f"Thématique {o.number}", number=1) for o in orientations
        )
        objectives = Objective.objects.bulk_create(
            Objective(theme=t, title=f"Objectif {t.orientation.number}.1", number=1) for t in themes
        )
        validated = _reached(phase, Phase.COMMITMENT)
        rows = Action.objects.bulk_create(
            Action(
                objective=objectives[i % len(objectives)],
                title=f"Fiche-action {i + 1} : {ORIENTATIONS[i % len(ORIENTATIONS)].lower()}",
                number=i + 1,
                position=i,
                entry_doors=[i % 5 + 1] if i % 3 else [i % 5 + 1, (i + 2) % 5 + 1],
                status=STATUS_CYCLE[i % len(STATUS_CYCLE)] if validated else ActionStatus.DRAFT,
                pilot_organisation=organisations[i % len(organisations)],
                start_date=start + dt.timedelta(days=200 + 10 * (i % 30)),
                end_date=start + dt.timedelta(days=700 + 10 * (i % 30)),
            )
            for i in range(actions)
        )
        Action.operators.through.objects.bulk_create(
            Action.operators.through(action_id=a.pk, organisation_id=organisations[0].pk)
            for a in rows[::2]
        )
        FundingLine.objects.bulk_create(
            FundingLine(
                action=a,
                funder=FUNDERS[(i + k) % len(FUNDERS)],
                operator=organisations[0] if i % 2 == 0 else None,
                amount=Decimal(5000 + 250 * (i % 40) + 1000 * k),
                year=start.year + 1,
                status=FundingStatus.GRANTED if (i + k) % 2 else FundingStatus.REQUESTED,
            )
            for i, a in enumerate(rows)
            for k in range(2)
        )
    if _reached(phase, Phase.COMMITMENT):
        RoadmapVersion.objects.create(
            project=project,
            number=1,
            decision="Le COPIL valide la feuille de route.",
            validated_on=start + dt.timedelta(days=300),
            sha256=digest,
            lines=["Feuille de route (démonstration)"],
        )
        letter = CommitmentLetter.objects.create(project=project)
        implemented = _reached(phase, Phase.IMPLEMENTATION)
        Signatory.objects.bulk_create(
            Signatory(
                letter=letter,
                organisation=o,
                status=SignatoryStatus.SIGNED if implemented or i == 0 else SignatoryStatus.SENT,
                signed_on=start + dt.timedelta(days=380 + i) if implemented or i == 0 else None,
            )
            for i, o in enumerate(organisations)
        )
    # Plausible orders of magnitude (rates) and one small count, masked as the diagnostic does.
    seed = sum(project.slug.encode()) % 9
    values = {
        "PAUVRETE": 10.5 + seed / 2,
        "SUICIDE": 17.0 + seed,
        "MDPH_SAMSAH": None if seed % 2 else 30.0 + seed,
    }
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            project=project,
            indicator=indicator,
            level=Level.TERRITORY,
            year=start.year - 2,
            value=values[indicator.code],
            masked=values[indicator.code] is None,
            source=indicator.source,
        )
        for indicator in Indicator.objects.filter(code__in=DEMO_INDICATORS)
    )


@transaction.atomic
def load_cockpit_demo(*, today: dt.date) -> list[Project]:
    """The cockpit's demo: three projects of Bretagne at different phases (idempotent), the last
    one's transparency page published."""
    projects = []
    for slug, name, code, phase, months_ago in COCKPIT_DEMO:
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            departement = Departement.objects.select_related("region").get(code=code)
            start = today.replace(day=1) - dt.timedelta(days=30 * months_ago)
            project = create_project(
                name=name,
                region=departement.region,
                start_date=start,
                territory_name=departement.name,
                departements=[departement],
                slug=slug,
                description=(
                    "Projet territorial de santé mentale (démonstration du pilotage régional)."
                ),
            )
            populate_project(project, phase=phase, actions=8 + 6 * len(projects), start=start)
        projects.append(project)
    published = next(p for p in projects if p.slug == PUBLISHED_DEMO)
    if not getattr(getattr(published, "public_page", None), "published", False):
        page = services.publish(project=published)
        services.choose_indicators(
            project=published,
            codes=[c for c in DEMO_INDICATORS if Indicator.objects.filter(code=c).exists()],
        )
        # The validated documents it publishes, as the chef de projet would have generated them
        # from the Documents page (frozen by the COPIL's validations).
        for missing in public_files(published, page.document_kinds):
            if missing.document is None:
                generate_document(
                    project=published,
                    kind_slug=missing.kind.slug,
                    fmt="pdf",
                    variant_key=missing.variant.key,
                )
    return projects
