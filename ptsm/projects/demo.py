"""The demo project: a real département, its real communes, one user per role."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ptsm.accounts.models import ArsAdministration, Membership, Role, User
from ptsm.accounts.services import ensure_confirmed_totp_device
from ptsm.territories.models import Departement
from ptsm.territories.naming import of_name

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


def demo_totp_device(email: str):
    """The TOTP device of a demo user (None for users without one, or not from the demo)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if email not in {demo.email for demo in [*DEMO_USERS, OTHER_LEAD]}:
        return None
    return TOTPDevice.objects.filter(user__email=email, confirmed=True).first()


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
            "Projet territorial de santé mentale du département "
            f"{of_name(departement.name, departement.name_type)}, "
            "conduit selon la méthode ANAP avec l'ensemble des acteurs du parcours."
        ),
    )
    project.phase = phase
    project.save(update_fields=["phase"])
    return project


# (name, sub-type, commune, FINESS ET, mental health, contact: civility, first, last, function)
DEMO_ORGANISATIONS = [
    (
        "ARS Bretagne — délégation départementale du Finistère",
        "ars",
        "29232",
        "",
        False,
        ("M.", "Hervé", "Le Floc'h", "Directeur général de l'ARS Bretagne"),
    ),
    (
        "Conseil départemental du Finistère",
        "conseil_departemental",
        "29232",
        "",
        False,
        ("M.", "Jean-Yves", "Kerhervé", "Président du conseil départemental"),
    ),
    ("MDPH du Finistère", "mdph", "29232", "", False, ("M.", "Alain", "Guivarc'h", "Directeur")),
    (
        "CPAM du Finistère",
        "assurance_maladie",
        "29232",
        "",
        False,
        ("Mme", "Sophie", "Lannuzel", "Responsable des partenariats"),
    ),
    (
        "CHU de Brest",
        "ch_mco",
        "29019",
        "290000017",
        False,
        ("M.", "Erwan", "Morvan", "Cadre de santé"),
    ),
    (
        "EPSM Finistère Sud",
        "etab_psy_public",
        "29232",
        "290000975",
        True,
        ("Dr", "Katell", "Le Bihan", "Psychiatre, présidente de CME"),
    ),
    (
        "Fondation Ildys",
        "etab_psy_espic",
        "29019",
        "290000447",
        True,
        ("M.", "Yves", "Nédélec", "Directeur général"),
    ),
    (
        "UNAFAM Finistère",
        "unafam",
        "29019",
        "",
        False,
        ("M.", "Loïc", "Tanguy", "Délégué départemental"),
    ),
    ("GEM L'Escale", "gem", "29039", "", False, ("Mme", "Nolwenn", "Caroff", "Animatrice")),
    ("CLSM de Brest", "clsm", "29019", "", False, ("Mme", "Gwenola", "Le Bras", "Coordinatrice")),
    (
        "CPTS du pays de Morlaix",
        "cpts",
        "29151",
        "",
        False,
        ("Dr", "Hervé", "Abgrall", "Président"),
    ),
    (
        "SAMSAH Les Genêts",
        "savs_samsah",
        "29232",
        "290018381",
        False,
        ("Mme", "Armelle", "Jézéquel", "Cheffe de service"),
    ),
    (
        "ESAT de l'Odet",
        "esat",
        "29232",
        "290018399",
        False,
        ("M.", "Pierre", "Cloarec", "Directeur"),
    ),
    (
        "Résidence accueil Ty Laouen",
        "logement_accompagne",
        "29019",
        "",
        False,
        ("Mme", "Claire", "Kerdraon", "Responsable"),
    ),
    (
        "DAC Appui Santé Finistère",
        "dac",
        "29232",
        "",
        False,
        ("M.", "Julien", "Le Roux", "Coordinateur"),
    ),
]


def _directory_and_governance(project: Project, today: dt.date) -> None:
    from ptsm.governance.models import (
        Body,
        BodyKind,
        CommunicationAction,
        InitiativeKind,
        LocalInitiative,
        Meeting,
        MemberRole,
    )
    from ptsm.governance.services import (
        add_body_member,
        add_decision,
        create_default_bodies,
        invite_body_members,
        save_minutes,
    )
    from ptsm.organisations.categories import category_of
    from ptsm.organisations.models import Contact, LegalBasis, Organisation
    from ptsm.territories.models import Commune

    if project.organisations.exists():
        return
    communes = {
        c.code: c for c in Commune.objects.filter(code__in={o[2] for o in DEMO_ORGANISATIONS})
    }
    contacts = {}
    for name, sub_type, commune, finess, mental_health, person in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.create(
            project=project,
            name=name,
            sub_type=sub_type,
            category=category_of(sub_type),
            commune=communes.get(commune),
            finess_et=finess,
            mental_health=mental_health,
        )
        civility, first, last, function = person
        email = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = email.translate(str.maketrans("àâäéèêëïîôöùûüç", "aaaeeeeiioouuuc"))
        contacts[sub_type] = Contact.objects.create(
            project=project,
            organisation=organisation,
            civility=civility if civility != "Dr" else "",
            first_name=first,
            last_name=last,
            function=function,
            email=f"{email}@demo-partenaire.fr",
            legal_basis=LegalBasis.PUBLIC_INTEREST,
            notice_date=today - dt.timedelta(days=150),
        )
    create_default_bodies(project=project)
    bodies = {
        b.kind: b for b in Body.objects.filter(project=project).exclude(kind=BodyKind.WORKING_GROUP)
    }
    copil = bodies[BodyKind.COPIL]
    for sub_type, role in [
        ("ars", MemberRole.CO_PRESIDENT),
        ("conseil_departemental", MemberRole.CO_PRESIDENT),
        ("mdph", MemberRole.MEMBER),
        ("assurance_maladie", MemberRole.MEMBER),
        ("etab_psy_public", MemberRole.MEMBER),
        ("unafam", MemberRole.MEMBER),
        ("gem", MemberRole.MEMBER),
    ]:
        add_body_member(body=copil, contact=contacts[sub_type], role=role)
    groups = list(
        Body.objects.filter(project=project, kind=BodyKind.WORKING_GROUP).order_by("entry_door")
    )
    facilitators = ["etab_psy_public", "etab_psy_espic", "savs_samsah", "cpts", "ch_mco"]
    for group, sub_type in zip(groups, facilitators, strict=True):
        add_body_member(body=group, contact=contacts[sub_type], role=MemberRole.FACILITATOR)
        add_body_member(body=group, contact=contacts["unafam"], role=MemberRole.MEMBER)
    start = timezone.make_aware(
        dt.datetime.combine(project.start_date + dt.timedelta(days=30), dt.time(14))
    )
    launch = Meeting.objects.create(
        body=copil,
        title="COPIL de lancement",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="ARS, délégation départementale, Quimper",
        agenda="1. Lettre de cadrage\n2. Calendrier\n3. Groupes de travail",
    )
    invite_body_members(meeting=launch)
    save_minutes(
        meeting=launch,
        minutes="Le COPIL valide la lettre de cadrage et le calendrier prévisionnel.",
    )
    add_decision(
        meeting=launch,
        text="Lettre de cadrage validée ; signature par le DG ARS et le président du conseil départemental.",
    )
    add_decision(
        meeting=launch, text="Cinq groupes de travail, un par porte d'entrée de la Rosace."
    )
    upcoming = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=21), dt.time(9, 30))
    )
    Meeting.objects.create(
        body=copil,
        title="COPIL de validation du diagnostic",
        starts_at=upcoming,
        ends_at=upcoming + dt.timedelta(hours=2, minutes=30),
        video_link="https://webconf.numerique.gouv.fr/ptsm29",
        agenda="1. Restitution du diagnostic partagé\n2. Priorités par porte d'entrée",
    )
    from ptsm.framing.services import ensure_letter

    ensure_letter(project=project)
    LocalInitiative.objects.create(
        project=project,
        kind=InitiativeKind.CLSM,
        name="Conseil local de santé mentale de Brest",
        carrier=Organisation.objects.get(project=project, sub_type="clsm"),
        area="Brest Métropole",
        link_to_project=(
            "Relais du groupe de travail « crise » ; retour d'expérience sur les cellules de cas complexes."
        ),
    )
    LocalInitiative.objects.create(
        project=project,
        kind=InitiativeKind.CPTS,
        name="CPTS du pays de Morlaix",
        carrier=Organisation.objects.get(project=project, sub_type="cpts"),
        area="Pays de Morlaix",
        link_to_project="Accès aux soins somatiques des personnes suivies en psychiatrie.",
    )
    for days, objective, audience, channel, status in [
        (
            10,
            "Annoncer le lancement de la démarche",
            "Tous les partenaires",
            "Courrier et lettre de cadrage",
            "realisee",
        ),
        (
            35,
            "Mobiliser pour la plénière de lancement",
            "Acteurs du territoire",
            "Invitation et site de l'ARS",
            "realisee",
        ),
        (
            220,
            "Restituer le diagnostic partagé",
            "Partenaires et élus",
            "Plénière et synthèse écrite",
            "prevue",
        ),
    ]:
        CommunicationAction.objects.create(
            project=project,
            objective=objective,
            audience=audience,
            channel=channel,
            date=project.start_date + dt.timedelta(days=days),
            status=status,
            owner="Chef de projet",
        )


# (code, level, value) — illustrative figures for the demo, not official statistics.
DEMO_VALUES = [
    ("POP_75", "territoire", 12.4),
    ("POP_75", "france", 10.1),
    ("PAUVRETE", "territoire", 11.2),
    ("PAUVRETE", "departement", 11.2),
    ("PAUVRETE", "region", 11.0),
    ("PAUVRETE", "france", 14.5),
    ("SUICIDE", "territoire", 24.6),
    ("SUICIDE", "region", 21.3),
    ("SUICIDE", "france", 13.4),
    ("LITS_PSY", "territoire", 88.0),
    ("LITS_PSY", "france", 80.5),
    ("DELAI_CMP", "territoire", 62),
    ("SOINS_SANS_CONSENTEMENT", "territoire", 142.0),
    ("SOINS_SANS_CONSENTEMENT", "france", 130.0),
    ("LONG_SEJOUR", "territoire", 184),
    ("MDPH_DEMANDES", "territoire", 1460),
    ("MDPH_SAMSAH", "territoire", 96),
    ("MDPH_MAS", "territoire", 8),  # a small count: stored masked, shown « < 11 »
]
DEMO_FINDINGS = [
    (
        1,
        "faiblesse",
        "Délais d'accès aux CMP adultes supérieurs à deux mois en centre Finistère.",
        ["P1"],
        1,
    ),
    (1, "force", "Maillage de CMP couvrant l'ensemble du territoire.", ["P1"], None),
    (
        2,
        "rupture",
        "Hospitalisations au long cours faute de solution de logement accompagné.",
        ["P2"],
        1,
    ),
    (
        3,
        "faiblesse",
        "Handicap psychique mal connu des services d'aide à domicile.",
        ["P2", "P5"],
        1,
    ),
    (4, "rupture", "Suivi somatique irrégulier des personnes suivies en psychiatrie.", ["P3"], 1),
    (5, "rupture", "Pas d'intervention de crise à domicile la nuit en dehors de Brest.", ["P4"], 1),
    (5, "force", "Cellule de cas complexes animée par le CLSM de Brest.", ["P4", "P6"], None),
]


def _diagnostic(project: Project, today: dt.date) -> None:
    from ptsm.diagnostic.models import Finding, Indicator
    from ptsm.diagnostic.services import compute_values, set_value
    from ptsm.governance.models import Body, BodyKind

    if Finding.objects.filter(project=project).exists():
        return
    compute_values(project=project, year=today.year)
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, level, value in DEMO_VALUES:
        set_value(
            project=project,
            indicator=indicators[code],
            level=level,
            year=today.year - 2,
            value=value,
            source=f"{indicators[code].source} (valeur d'exemple)",
        )
    groups = {
        b.entry_door: b for b in Body.objects.filter(project=project, kind=BodyKind.WORKING_GROUP)
    }
    for door, kind, text, priorities, rank in DEMO_FINDINGS:
        Finding.objects.create(
            project=project,
            entry_door=door,
            kind=kind,
            text=text,
            priorities=priorities,
            priority_rank=rank,
            working_group=groups.get(door),
        )


# orientation, theme, objective, action title, doors, pilot sub-type, operators (sub-types), funding
DEMO_ACTIONS = [
    (
        "Faciliter l'accès aux soins et la continuité des parcours",
        "Accès aux soins psychiatriques",
        "Réduire les délais d'accès aux CMP",
        "Créer une plateforme d'orientation et d'accueil en CMP",
        [1],
        "etab_psy_public",
        ["etab_psy_public", "etab_psy_espic"],
        [("fir", 120000), ("autofinancement", 40000)],
    ),
    (
        "Faciliter l'accès aux soins et la continuité des parcours",
        "Accès aux soins psychiatriques",
        "Réduire les délais d'accès aux CMP",
        "Former les médecins généralistes au repérage",
        [1, 4],
        "cpts",
        ["cpts"],
        [("assurance_maladie", 15000)],
    ),
    (
        "Faciliter l'accès aux soins et la continuité des parcours",
        "Soins somatiques",
        "Garantir un suivi somatique",
        "Consultations somatiques dédiées en établissement psychiatrique",
        [4],
        "etab_psy_espic",
        ["etab_psy_espic", "ch_mco"],
        [("ars", 60000), ("autofinancement", 20000)],
    ),
    (
        "Favoriser l'inclusion et prévenir les crises",
        "Logement et vie sociale",
        "Proposer des solutions de logement accompagné",
        "Développer des places de résidence accueil",
        [2, 3],
        "logement_accompagne",
        ["logement_accompagne", "savs_samsah"],
        [("cd", 90000), ("autofinancement", 30000)],
    ),
    (
        "Favoriser l'inclusion et prévenir les crises",
        "Crise et urgence",
        "Intervenir à domicile en situation de crise",
        "Équipe mobile de crise 24 h sur 24",
        [5],
        "etab_psy_public",
        ["etab_psy_public", "clsm"],
        [("fir", 250000)],
    ),
]


def _roadmap(project: Project, today: dt.date) -> None:
    from ptsm.organisations.models import Organisation
    from ptsm.roadmap.models import (
        Action,
        ActionIndicator,
        ActionMilestone,
        ActionStatus,
        FundingLine,
        Objective,
        Orientation,
        Theme,
    )
    from ptsm.roadmap.services import renumber

    if Orientation.objects.filter(project=project).exists():
        return
    organisations = {o.sub_type: o for o in Organisation.objects.filter(project=project)}
    pilot_user = User.objects.filter(email="pilote@demo.ptsm.fr").first()
    orientations, themes, objectives = {}, {}, {}
    for index, (o_title, t_title, ob_title, title, doors, pilot, operators, funding) in enumerate(
        DEMO_ACTIONS
    ):
        if o_title not in orientations:
            orientations[o_title] = Orientation.objects.create(
                project=project, title=o_title, position=len(orientations) + 1
            )
        if t_title not in themes:
            themes[t_title] = Theme.objects.create(
                orientation=orientations[o_title], title=t_title, position=len(themes) + 1
            )
        if ob_title not in objectives:
            objectives[ob_title] = Objective.objects.create(
                theme=themes[t_title], title=ob_title, position=len(objectives) + 1
            )
        start = project.start_date + dt.timedelta(days=420 + 30 * index)
        action = Action.objects.create(
            objective=objectives[ob_title],
            title=title,
            position=index + 1,
            entry_doors=doors,
            decree_priorities=[f"P{min(d, 4)}" for d in doors],
            pilot_organisation=organisations.get(pilot),
            pilot_user=pilot_user if index == 0 else None,
            status=ActionStatus.VALIDATED,
            start_date=start,
            end_date=start + dt.timedelta(days=365),
            description="Étapes : cadrage avec les partenaires, mise en place, montée en charge, évaluation.",
            expected_results="Amélioration mesurable du parcours des personnes concernées.",
            conditions=["convention"],
            territory_concerned=project.territory.name,
        )
        action.operators.set([organisations[s] for s in operators if s in organisations])
        ActionMilestone.objects.create(action=action, title="Lancement", due_date=start)
        ActionIndicator.objects.create(
            action=action,
            name="Personnes accompagnées",
            baseline="0",
            target="200",
            source="Rapport d'activité",
            frequency="Annuelle",
        )
        operator = organisations.get(operators[0])
        for funder, amount in funding:
            FundingLine.objects.create(
                action=action,
                funder=funder,
                operator=operator,
                amount=amount,
                year=start.year,
                status="acquis" if funder == "autofinancement" else "sollicite",
            )
    renumber(project=project)


@transaction.atomic
def load_demo(*, today: dt.date) -> list[tuple[DemoUser, str]]:
    """Create (once) the demo projects and users; returns the logins to print."""
    start = today - dt.timedelta(days=200)
    project = _project(DEMO_SLUG, "PTSM du Finistère", DEMO_DEPARTEMENT, start, Phase.DIAGNOSTIC)
    for demo in DEMO_USERS:
        user = _user(demo)
        if demo.role == Role.ARS_ADMIN:
            ArsAdministration.objects.get_or_create(user=user, region=project.region)
            # The second factor is mandatory for ARS administrators: the demo one has a device
            # whose secret `load_demo` prints (and `demo_totp_code` gives its current code).
            ensure_confirmed_totp_device(user=user)
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
    _directory_and_governance(project, today)
    _diagnostic(project, today)
    _roadmap(project, today)
    from ptsm.commitments.services import ensure_letter as ensure_commitment_letter

    ensure_commitment_letter(project=project)
    # The demo signataire d'opérateur signs for the SAMSAH: they see only its annex.
    Membership.objects.filter(
        project=project, role=Role.OPERATOR_SIGNATORY, organisation__isnull=True
    ).update(organisation=project.organisations.filter(sub_type="savs_samsah").first())
    other = _project(OTHER_SLUG, "PTSM des Deux-Sèvres", OTHER_DEPARTEMENT, start, Phase.CADRAGE)
    Membership.objects.get_or_create(
        user=_user(OTHER_LEAD), project=other, defaults={"role": Role.PROJECT_LEAD}
    )
    return [(demo, DEMO_PASSWORD) for demo in [*DEMO_USERS, OTHER_LEAD]]
