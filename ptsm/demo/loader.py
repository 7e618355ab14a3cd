"""The demo project: a real département, its real communes, one user per role, and a story that
holds together. The PTSM du Finistère started thirteen months ago: its framing letter was signed
at the launch COPIL, the plenary held, the diagnostic then the roadmap validated by the COPIL
(each meeting with its attendance recorded); the commitment letters are out for signature
(Fondation Ildys has signed, the SAMSAH's signatory has theirs to sign). Every step goes through
the apps' services, so that phases and milestones follow as they would for a real project.

This module sits above every domain app (ARCHITECTURE.md): a second demo project (a CTSM) adds
its own `load_*` function and is called from `load_demo`.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ptsm.accounts.models import ArsAdministration, Membership, Role, User
from ptsm.accounts.services import ensure_confirmed_totp_device
from ptsm.consultations.demo import load_consultations_demo
from ptsm.governance.demo_participation import build_participation_demo
from ptsm.projects.models import Milestone, MilestoneKey, Project, add_months
from ptsm.projects.services import create_project, save_milestone
from ptsm.roadmap.demo_plain_language import write_plain_summaries
from ptsm.territories.models import Departement
from ptsm.territories.naming import of_name

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
        "Cadre supérieur de santé, EPSM Finistère Sud",
        Role.ACTION_PILOT,
    ),
    DemoUser(
        "signataire@demo.ptsm.fr",
        "Gwenola",
        "Le Bras",
        "Directrice du SAMSAH Les Genêts",
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


@functools.cache
def _demo_password_hash(default_hasher: str) -> str:
    """The demo password hashed once (per hasher setting) for all the demo accounts: same
    password, same salt; PBKDF2's half-second per account was most of their creation's time."""
    return make_password(DEMO_PASSWORD)


def _user(demo: DemoUser) -> User:
    user = User.objects.filter(email=demo.email).first()
    if user is None:
        user = User(
            email=demo.email,
            password=_demo_password_hash(settings.PASSWORD_HASHERS[0]),
            first_name=demo.first_name,
            last_name=demo.last_name,
            job_title=demo.job_title,
        )
        user.save()
    return user


def _project(slug: str, name: str, departement_code: str, start: dt.date) -> Project:
    """The project as created from the « Nouveau projet » page: in phase « Cadrage », with the
    method's default milestones; the story's events move it on."""
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
    return project


# (name, sub-type, commune, FINESS ET, mental health, contact: civility, first, last, function)
DEMO_ORGANISATIONS = [
    (
        "Agence régionale de santé Bretagne",
        "ars",
        "35238",  # Rennes: outside the Finistère, left empty when only the 29 is loaded
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
        ("Mme", "Catherine", "Le Gall", "Directrice générale"),
    ),
    (
        "EPSM Finistère Sud",
        "etab_psy_public",
        "29232",
        "290000975",
        True,
        ("M.", "Thierry", "Gourmelen", "Directeur"),
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
    ("CLSM de Brest", "clsm", "29019", "", False, ("Mme", "Soizic", "Le Gall", "Coordinatrice")),
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
        ("Mme", "Gwenola", "Le Bras", "Directrice"),
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
        ("Mme", "Claire", "Kerdraon", "Directrice"),
    ),
    (
        "DAC Appui Santé Finistère",
        "dac",
        "29232",
        "",
        False,
        ("M.", "Julien", "Le Roux", "Directeur"),
    ),
]


def _directory(project: Project, today: dt.date) -> dict:
    """The directory (fiche 5): organisations and one contact each, the person who signs for it."""
    from ptsm.organisations.categories import category_of
    from ptsm.organisations.models import Contact, LegalBasis, Organisation
    from ptsm.territories.models import Commune

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
            notice_date=project.start_date,
        )
    return contacts


# A held meeting's attendance: most members present, one excused, one represented.
def _held(meeting, *, minutes: str, decisions: list[str], excused: int = -1) -> None:
    from ptsm.governance.models import Attendance
    from ptsm.governance.services import (
        add_decision,
        invite_body_members,
        record_attendance,
        save_minutes,
    )

    invite_body_members(meeting=meeting)
    invitations = list(meeting.invitations.select_related("contact").order_by("pk"))
    for index, invitation in enumerate(invitations):
        if index == (excused % len(invitations)):
            record_attendance(invitation=invitation, attendance=Attendance.EXCUSED)
        elif index == 2:
            record_attendance(
                invitation=invitation,
                attendance=Attendance.REPRESENTED,
                represented_by=f"l'adjoint(e) de {invitation.contact.full_name}",
            )
        else:
            record_attendance(invitation=invitation, attendance=Attendance.PRESENT)
    save_minutes(meeting=meeting, minutes=minutes)
    for text in decisions:
        add_decision(meeting=meeting, text=text)


def _meeting(body, title: str, day: dt.date, hour: int, **fields):
    from ptsm.governance.models import Meeting
    from ptsm.governance.services import save_meeting

    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    return save_meeting(
        meeting=Meeting(
            body=body,
            title=title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2, minutes=30),
            **fields,
        )
    )


@dataclass
class Story:
    """The dates of the demo's story, from the project's start."""

    start: dt.date
    today: dt.date

    def months(self, n: int, days: int = 0) -> dt.date:
        return add_months(self.start, n) + dt.timedelta(days=days)


def _governance(project: Project, contacts: dict, story: Story) -> dict:
    """Bodies (fiches 2–4), the meetings held with their attendance, the next COPIL."""
    from ptsm.governance.models import (
        Body,
        BodyKind,
        CommunicationAction,
        InitiativeKind,
        LocalInitiative,
        MemberRole,
    )
    from ptsm.governance.services import add_body_member, create_default_bodies

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
    plenary = bodies[BodyKind.PLENARY]
    for sub_type, contact in contacts.items():
        add_body_member(
            body=plenary,
            contact=contact,
            role=MemberRole.PRESIDENT if sub_type == "ars" else MemberRole.MEMBER,
        )
    groups = list(
        Body.objects.filter(project=project, kind=BodyKind.WORKING_GROUP).order_by("entry_door")
    )
    facilitators = ["etab_psy_public", "etab_psy_espic", "savs_samsah", "cpts", "ch_mco"]
    for group, sub_type in zip(groups, facilitators, strict=True):
        add_body_member(body=group, contact=contacts[sub_type], role=MemberRole.FACILITATOR)
        add_body_member(body=group, contact=contacts["unafam"], role=MemberRole.MEMBER)

    meetings = {}
    meetings["launch"] = launch = _meeting(
        copil,
        "COPIL de lancement",
        story.months(0, 14),
        14,
        place="ARS, délégation départementale du Finistère, Quimper",
        agenda="1. Lettre de cadrage\n2. Calendrier\n3. Groupes de travail",
    )
    _held(
        launch,
        minutes="Le COPIL valide la lettre de cadrage et le calendrier prévisionnel ; le directeur "
        "général de l'ARS et le président du conseil départemental la signent en séance.",
        decisions=[
            "Lettre de cadrage signée en séance par le DG de l'ARS et le président du conseil "
            "départemental.",
            "Cinq groupes de travail, un par porte d'entrée de la Rosace.",
        ],
    )
    meetings["plenary"] = plenary_meeting = _meeting(
        plenary,
        "Plénière de lancement",
        story.months(1, 3),
        9,
        place="Pôle Max Jacob, Quimper",
        agenda="1. La démarche PTSM\n2. Les cinq portes d'entrée\n3. Inscription aux groupes",
    )
    _held(
        plenary_meeting,
        minutes="Cent vingt participants ; inscriptions aux cinq groupes de travail.",
        decisions=["Les groupes de travail se réunissent d'ici la fin du mois."],
        excused=4,
    )
    meetings["diagnostic"] = diagnostic = _meeting(
        copil,
        "COPIL de validation du diagnostic",
        story.months(6, -4),
        14,
        video_link="https://webconf.numerique.gouv.fr/ptsm29",
        agenda="1. Restitution du diagnostic partagé\n2. Priorités par porte d'entrée",
    )
    _held(
        diagnostic,
        minutes="Le COPIL valide le diagnostic territorial partagé et ses priorités.",
        decisions=["Diagnostic partagé validé ; transmission au DG de l'ARS pour adoption."],
        excused=3,
    )
    meetings["roadmap"] = roadmap = _meeting(
        copil,
        "COPIL de validation de la feuille de route",
        story.months(12, -20),
        14,
        place="Conseil départemental du Finistère, Quimper",
        agenda="1. Fiches-actions proposées par les groupes\n2. Financements\n3. Engagements",
    )
    _held(
        roadmap,
        minutes="Le COPIL valide la feuille de route : deux orientations, cinq fiches-actions.",
        decisions=["Feuille de route validée ; envoi des lettres d'engagement aux opérateurs."],
        excused=5,
    )
    meetings["next"] = _meeting(
        copil,
        "COPIL de suivi des engagements",
        story.today + dt.timedelta(days=21),
        9,
        video_link="https://webconf.numerique.gouv.fr/ptsm29",
        agenda="1. Point sur les signatures des lettres d'engagement\n"
        "2. Calendrier de mise en œuvre des fiches-actions\n3. Préparation du bilan à 6 mois",
    )
    from ptsm.governance.services import invite_body_members

    invite_body_members(meeting=meetings["next"])  # prepared; the invitations are not sent yet

    from ptsm.organisations.models import Organisation

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
    for day, objective, audience, channel, status in [
        (
            story.months(0, 10),
            "Annoncer le lancement de la démarche",
            "Tous les partenaires",
            "Courrier et lettre de cadrage",
            "realisee",
        ),
        (
            story.months(1, -5),
            "Mobiliser pour la plénière de lancement",
            "Acteurs du territoire",
            "Invitation et site de l'ARS",
            "realisee",
        ),
        (
            story.months(6, 10),
            "Restituer le diagnostic partagé",
            "Partenaires et élus",
            "Plénière et synthèse écrite",
            "realisee",
        ),
        (
            story.months(15),
            "Faire connaître les fiches-actions engagées",
            "Professionnels et usagers",
            "Lettre d'information et réseaux sociaux",
            "prevue",
        ),
    ]:
        CommunicationAction.objects.create(
            project=project,
            objective=objective,
            audience=audience,
            channel=channel,
            date=day,
            status=status,
            owner="Chef de projet",
        )
    return meetings


def _framing(project: Project, lead: User, meeting) -> None:
    """Written by the chef de projet, reviewed, validated, then signed in session at the launch
    COPIL: the signature moves the project to the diagnostic and closes its milestone."""
    from ptsm.framing.models import SignatureMode
    from ptsm.framing.services import change_status, ensure_letter, sign_version

    letter = ensure_letter(project=project)
    signed_on = timezone.localtime(meeting.starts_at).date()
    change_status(letter=letter, to_status="relecture", user=lead, comment="Relecture du COPIL")
    change_status(letter=letter, to_status="validee", user=lead, comment="Validée par le COPIL")
    sign_version(
        version=letter.versions.first(),
        user=lead,
        mode=SignatureMode.SESSION,
        signed_on=signed_on,
    )


def _plenary_milestone(project: Project, meeting) -> None:
    """The launch plenary has no method event: the chef de projet marks its milestone done."""
    milestone = Milestone.objects.get(project=project, key=MilestoneKey.LAUNCH_PLENARY)
    milestone.done_on = timezone.localtime(meeting.starts_at).date()
    save_milestone(milestone=milestone)


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


def _diagnostic(project: Project, lead: User, meeting, story: Story) -> None:
    from ptsm.diagnostic.models import Finding, Indicator
    from ptsm.diagnostic.selectors import report_content
    from ptsm.diagnostic.services import compute_values, set_value, validate_diagnostic
    from ptsm.governance.models import Body, BodyKind

    year = story.months(3).year
    compute_values(project=project, year=year)
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, level, value in DEMO_VALUES:
        set_value(
            project=project,
            indicator=indicators[code],
            level=level,
            year=year - 2,
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
    validate_diagnostic(
        project=project,
        meeting=meeting,
        decision="Le COPIL valide le diagnostic territorial partagé.",
        validated_on=timezone.localtime(meeting.starts_at).date(),
        user=lead,
        content=report_content(project),
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
        ["etab_psy_public", "dac"],
        [("fir", 250000)],
    ),
]


# What the diagnostic found that a fiche-action answers (its « Contexte »).
DEMO_CONTEXTS = {
    "Équipe mobile de crise 24 h sur 24": (
        "Le diagnostic partagé a relevé qu'aucune intervention de crise à domicile n'est possible "
        "la nuit en dehors de Brest ; les urgences du CHU de Brest et du CH de Quimper reçoivent "
        "des situations qui auraient pu être prises en charge sur place."
    ),
}


def _roadmap(project: Project, lead: User, meeting, story: Story) -> None:
    """Drafted by the working groups (« En projet »), validated by the COPIL, then each
    fiche-action marked « Validée » by the chef de projet."""
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
    from ptsm.roadmap.selectors import roadmap_lines
    from ptsm.roadmap.services import renumber, validate_roadmap

    organisations = {o.sub_type: o for o in Organisation.objects.filter(project=project)}
    pilot_user = User.objects.filter(email="pilote@demo.ptsm.fr").first()
    orientations, themes, objectives = {}, {}, {}
    actions = []
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
        # The actions start once the commitments are signed, one a month.
        start = story.months(14, 15 + 30 * index)
        action = Action.objects.create(
            objective=objectives[ob_title],
            title=title,
            position=index + 1,
            entry_doors=doors,
            decree_priorities=[f"P{min(d, 4)}" for d in doors],
            pilot_organisation=organisations.get(pilot),
            pilot_user=pilot_user if index in (0, 4) else None,
            status=ActionStatus.DRAFT,
            start_date=start,
            end_date=start + dt.timedelta(days=365),
            description="Étapes : cadrage avec les partenaires, mise en place, montée en charge, évaluation.",
            expected_results="Amélioration mesurable du parcours des personnes concernées.",
            conditions=["convention"],
            territory_concerned=project.territory.name,
            context=DEMO_CONTEXTS.get(title, ""),
        )
        actions.append(action)
        action.operators.set([organisations[s] for s in operators if s in organisations])
        ActionMilestone.objects.create(action=action, title="Lancement", due_date=start)
        ActionMilestone.objects.create(
            action=action, title="Premier bilan d'activité", due_date=start + dt.timedelta(days=180)
        )
        ActionIndicator.objects.create(
            action=action,
            name="Personnes accompagnées",
            baseline="0",
            target="200",
            source="Rapport d'activité",
            frequency="Trimestrielle",
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
    validate_roadmap(
        project=project,
        meeting=meeting,
        decision="Le COPIL valide la feuille de route et ses cinq fiches-actions.",
        validated_on=timezone.localtime(meeting.starts_at).date(),
        user=lead,
        lines=roadmap_lines(project),
    )
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(status=ActionStatus.VALIDATED)


def _commitments(project: Project, lead: User, story: Story) -> None:
    """The letters sent to two operators after the roadmap's validation; Fondation Ildys has
    signed (a scan of the annex it received), the SAMSAH has its annex to sign."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from ptsm.commitments.services import (
        ensure_letter,
        generate_annex,
        record_signed_pdf,
        send_for_signature,
    )

    letter = ensure_letter(project=project)
    signatories = {
        s.organisation.sub_type: s for s in letter.signatories.select_related("organisation")
    }
    # The demo's partners are fictitious: their e-mails go nowhere.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for sub_type in ("etab_psy_espic", "savs_samsah"):
            signatory = signatories[sub_type]
            generate_annex(letter=letter, organisation=signatory.organisation, user=lead)
            send_for_signature(signatory=signatory, base_url="http://127.0.0.1:8000")
    ildys = signatories["etab_psy_espic"]
    version = ildys.letter.annex_versions.filter(organisation=ildys.organisation).first()
    with version.pdf.content.open("rb") as handle:
        # Printed, signed by hand and scanned back: not the PDF the platform produced.
        scanned = handle.read() + b"\n% signee a la main et numerisee\n"
    record_signed_pdf(
        signatory=ildys,
        upload=SimpleUploadedFile("annexe-signee-ildys.pdf", scanned, "application/pdf"),
        signed_on=story.today - dt.timedelta(days=6),
        user=lead,
        signed_outside=True,
    )


def _users(project: Project) -> None:
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


def load_finistere(*, today: dt.date) -> Project:
    """The PTSM du Finistère, in its « Engagement » phase."""
    project = Project.objects.filter(slug=DEMO_SLUG).first()
    if project is not None:
        _users(project)
        return project
    story = Story(start=add_months(today, -13), today=today)
    project = _project(DEMO_SLUG, "PTSM du Finistère", DEMO_DEPARTEMENT, story.start)
    _users(project)
    lead = User.objects.get(email="chef.projet@demo.ptsm.fr")
    contacts = _directory(project, today)
    build_participation_demo(project)  # issue 19: who represents people, a pair-aidante
    meetings = _governance(project, contacts, story)
    _framing(project, lead, meetings["launch"])
    _plenary_milestone(project, meetings["plenary"])
    _diagnostic(project, lead, meetings["diagnostic"], story)
    load_consultations_demo(project=project, meeting=meetings["roadmap"], today=today)
    _roadmap(project, lead, meetings["roadmap"], story)
    write_plain_summaries(project)  # issue 19: the roadmap in plain language
    _commitments(project, lead, story)
    # The demo signataire d'opérateur signs for the SAMSAH they run: they see only its annex.
    Membership.objects.filter(project=project, role=Role.OPERATOR_SIGNATORY).update(
        organisation=project.organisations.filter(sub_type="savs_samsah").first()
    )
    return project


def load_deux_sevres(*, today: dt.date) -> Project:
    """A second project, in another région, whose chef de projet the Finistère's users are not:
    a PTSM followed by its five-year CTSM, in its annual-review stage."""
    from ptsm.evaluation.demo_ctsm import build_ctsm_demo

    lead = _user(OTHER_LEAD)
    project = Project.objects.filter(slug=OTHER_SLUG).first() or build_ctsm_demo(
        today=today, slug=OTHER_SLUG, lead=lead
    )
    Membership.objects.get_or_create(
        user=lead, project=project, defaults={"role": Role.PROJECT_LEAD}
    )
    return project


def load_regional_projects(*, today: dt.date) -> list[Project]:
    """Three more projects of Bretagne at different phases, one with its transparency page
    published, so that the regional cockpit shows a real région."""
    from ptsm.pilotage.demo import load_cockpit_demo

    return load_cockpit_demo(today=today)


# The demo's projects, loaded in this order; the région's other projects come last (the browser
# tests, which need only the first two, skip them).
DEMO_PROJECTS = [load_finistere, load_deux_sevres]
REGIONAL_PROJECTS = [load_regional_projects]


@transaction.atomic
def load_demo(*, today: dt.date, region: bool = True) -> list[tuple[DemoUser, str]]:
    """Create (once) the demo projects and users; returns the logins to print. `region`: also
    the région's other projects (their départements must be in the referential)."""
    for load in [*DEMO_PROJECTS, *(REGIONAL_PROJECTS if region else [])]:
        load(today=today)
    return [(demo, DEMO_PASSWORD) for demo in [*DEMO_USERS, OTHER_LEAD]]
