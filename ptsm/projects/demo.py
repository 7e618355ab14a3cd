"""The demo project: a real département, its real communes, one user per role."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from ptsm.accounts.models import ArsAdministration, Membership, Role, User
from ptsm.territories.models import Departement

from .models import Milestone, Phase, Project
from .services import create_project

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-ptsm-2026"  # noqa: S105 — printed on purpose for local demonstrations
DEMO_DEPARTEMENT = "29"  # Finistère
OTHER_SLUG = "demo-deux-sevres"
OTHER_DEPARTEMENT = "79"


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    job_title: str
    role: Role


DEMO_USERS = [
    DemoUser(
        "ars@demo.ptsm.fr",
        "Anne",
        "Le Goff",
        "Directrice de l'offre de soins, ARS Bretagne",
        Role.ARS_ADMIN,
    ),
    DemoUser(
        "chef.projet@demo.ptsm.fr", "Yann", "Kerbrat", "Chef de projet PTSM", Role.PROJECT_LEAD
    ),
    DemoUser(
        "copil@demo.ptsm.fr",
        "Maïwenn",
        "Quéré",
        "Directrice de l'autonomie, conseil départemental",
        Role.COPIL_MEMBER,
    ),
    DemoUser(
        "pilote@demo.ptsm.fr",
        "Erwan",
        "Morvan",
        "Cadre de santé, CH de territoire",
        Role.ACTION_PILOT,
    ),
    DemoUser(
        "signataire@demo.ptsm.fr",
        "Gwenola",
        "Le Bras",
        "Directrice, association gestionnaire",
        Role.OPERATOR_SIGNATORY,
    ),
    DemoUser("lecteur@demo.ptsm.fr", "Loïc", "Tanguy", "Délégué départemental UNAFAM", Role.READER),
]
OTHER_LEAD = DemoUser(
    "chef.projet.79@demo.ptsm.fr", "Claire", "Moreau", "Cheffe de projet PTSM 79", Role.PROJECT_LEAD
)


def _user(demo: DemoUser) -> User:
    user = User.objects.filter(email=demo.email).first()
    if user is None:
        user = User.objects.create_user(
            demo.email,
            DEMO_PASSWORD,
            first_name=demo.first_name,
            last_name=demo.last_name,
            job_title=demo.job_title,
        )
    return user


def _project(slug: str, name: str, departement_code: str, start: dt.date, phase: Phase) -> Project:
    project = Project.objects.filter(slug=slug).first()
    if project is not None:
        return project
    departement = Departement.objects.select_related("region").get(code=departement_code)
    project = create_project(
        slug=slug,
        name=name,
        region=departement.region,
        start_date=start,
        territory_name=departement.name,
        departements=[departement],
        description=(
            f"Projet territorial de santé mentale du département {departement.name}, "
            "conduit selon la méthode ANAP avec l'ensemble des acteurs du parcours."
        ),
    )
    project.phase = phase
    project.save(update_fields=["phase"])
    return project


@transaction.atomic
def load_demo(*, today: dt.date) -> list[tuple[DemoUser, str]]:
    """Create (once) the demo projects and users; returns the logins to print."""
    start = today - dt.timedelta(days=200)
    project = _project(DEMO_SLUG, "PTSM du Finistère", DEMO_DEPARTEMENT, start, Phase.DIAGNOSTIC)
    for demo in DEMO_USERS:
        user = _user(demo)
        if demo.role == Role.ARS_ADMIN:
            ArsAdministration.objects.get_or_create(user=user, region=project.region)
        else:
            Membership.objects.get_or_create(
                user=user, project=project, defaults={"role": demo.role}
            )
    # The first milestones are behind us: mark the letter and the plenary as done.
    for milestone in Milestone.objects.filter(
        project=project, due_date__lt=today - dt.timedelta(days=60)
    ):
        if milestone.done_on is None:
            milestone.done_on = milestone.due_date
            milestone.save(update_fields=["done_on"])
    other = _project(OTHER_SLUG, "PTSM des Deux-Sèvres", OTHER_DEPARTEMENT, start, Phase.CADRAGE)
    Membership.objects.get_or_create(
        user=_user(OTHER_LEAD), project=other, defaults={"role": Role.PROJECT_LEAD}
    )
    return [(demo, DEMO_PASSWORD) for demo in [*DEMO_USERS, OTHER_LEAD]]
