"""« À faire »: each role finds its own work first on the project's home page, computed from the
project's state, each line a link to where it is done; the page's cost does not grow with the
roadmap or the number of operators."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Membership, Role
from ptsm.commitments.models import SignatoryStatus
from ptsm.commitments.services import ensure_letter, generate_annex
from ptsm.governance.models import Body, BodyKind, Meeting
from ptsm.governance.services import add_body_member
from ptsm.organisations.models import Contact, Organisation, PendingImport
from ptsm.projects.models import Phase
from ptsm.projects.services import set_up_new_project
from ptsm.projects.todo import (
    _PROVIDERS,
    TodoContext,
    TodoItem,
    TodoProvider,
    register,
    todo_for,
    todo_sections,
)
from ptsm.roadmap.models import (
    Action,
    ActionIndicator,
    ActionMilestone,
    ActionStatus,
    Objective,
    Orientation,
    Theme,
)
from tests.commitments.test_commitments import setup_roadmap
from tests.factories import make_project, member
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db


def todo_part(client, project) -> str:
    """The « À faire » section of the project's home page, as text."""
    response = client.get(reverse("projects:dashboard", kwargs={"slug": project.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="a-faire"')
    return html[start : html.index("</section>", start)]


def todo_links(client, project) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', todo_part(client, project))


def assert_links_open(client, links: list[str]) -> None:
    for link in links:
        if link.startswith("#"):
            continue
        response = client.get(link)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200, link


def an_objective(project) -> Objective:
    """Orientation « Accès aux soins » › thématique « Soins » › objectif « Réduire les délais »."""
    return Objective.objects.create(
        theme=Theme.objects.create(
            orientation=Orientation.objects.create(project=project, title="Accès aux soins"),
            title="Soins",
        ),
        title="Réduire les délais",
    )


@pytest.fixture
def project():
    project = make_project(
        departement="29",
        name="PTSM du Finistère",
        start=timezone.localdate() - dt.timedelta(days=120),
    )
    set_up_new_project(project=project)  # what the « Nouveau projet » page does
    return project


def test_the_chef_de_projet_sees_the_phase_steps_and_late_milestones_with_working_links(
    client, project
):
    lead = member(project, Role.PROJECT_LEAD)
    login(client, lead)
    todo = todo_part(client, project)
    assert "Prochaines étapes de la phase « Cadrage »" in todo
    assert "Rédiger la lettre de cadrage" in todo
    assert "Inviter les membres du COPIL" in todo
    assert "Compléter l&#x27;annuaire des acteurs incontournables" in todo
    # Four months in: the letter and the launch plenary are late.
    assert "Jalon en retard : Signature de la lettre de cadrage" in todo
    assert "Jalon en retard : Plénière de lancement" in todo
    assert_links_open(client, todo_links(client, project))

    # Done in the app, gone from the list: the COPIL has members.
    copil = Body.objects.get(project=project, kind=BodyKind.COPIL)
    org = Organisation.objects.create(
        project=project, name="ARS Bretagne", category="institutions_financeurs", sub_type="ars"
    )
    contact = Contact.objects.create(
        project=project, organisation=org, first_name="Hervé", last_name="Le Floc'h"
    )
    add_body_member(body=copil, contact=contact, role="co_president")
    assert "Inviter les membres du COPIL" not in todo_part(client, project)

    # An import waiting for the lead's confirmation.
    PendingImport.objects.create(
        project=project, user=lead, kind="organisations", file_name="annuaire.csv"
    )
    assert "Confirmer l&#x27;import « annuaire.csv »" in todo_part(client, project)


def test_in_the_diagnostic_the_chef_de_projet_is_asked_to_complete_the_identity_card(
    client, project
):
    from ptsm.diagnostic.models import Grid, Indicator, Level
    from ptsm.diagnostic.services import set_value

    lead = member(project, Role.PROJECT_LEAD)
    project.phase = Phase.DIAGNOSTIC
    project.save(update_fields=["phase"])
    login(client, lead)
    todo = todo_part(client, project)
    to_fill = list(Indicator.objects.for_project(project).filter(grid=Grid.TERRITORY, computed=""))
    assert to_fill
    assert "Compléter la carte d&#x27;identité du territoire" in todo
    assert f"ANAP, fiche outil 2 : {len(to_fill)} indicateurs sans valeur pour le territoire" in (
        todo
    )
    assert "Renseigner les indicateurs du parcours" in todo
    assert_links_open(client, todo_links(client, project))

    for indicator in to_fill[1:]:
        set_value(project=project, indicator=indicator, level=Level.TERRITORY, year=2024, value=50)
    assert "fiche outil 2 : 1 indicateur sans valeur pour le territoire" in todo_part(
        client, project
    )
    set_value(project=project, indicator=to_fill[0], level=Level.TERRITORY, year=2024, value=50)
    assert "Compléter la carte d&#x27;identité du territoire" not in todo_part(client, project)


def test_a_pilot_sees_their_fiches_actions_with_the_indicator_due_and_records_a_measure(
    client, project
):
    pilot = member(project, Role.ACTION_PILOT)
    today = timezone.localdate()
    objective = an_objective(project)
    mine = Action.objects.create(
        objective=objective,
        title="Plateforme d'orientation",
        status=ActionStatus.IN_PROGRESS,
        pilot_user=pilot,
        start_date=today - dt.timedelta(days=120),
    )
    ActionMilestone.objects.create(
        action=mine, title="Ouverture du numéro unique", due_date=today + dt.timedelta(days=10)
    )
    indicator = ActionIndicator.objects.create(
        action=mine, name="Appels reçus", frequency="Trimestrielle"
    )
    Action.objects.create(
        objective=objective, title="Action d'un autre pilote", status=ActionStatus.IN_PROGRESS
    )
    from ptsm.roadmap.services import renumber

    renumber(project=project)
    login(client, pilot)
    todo = todo_part(client, project)
    assert "Mes fiches-actions" in todo
    assert "Plateforme d&#x27;orientation" in todo and "Action d&#x27;un autre pilote" not in todo
    assert "Statut : En cours" in todo
    assert (
        f"prochain jalon « Ouverture du numéro unique » le {today + dt.timedelta(days=10):%d/%m/%Y}"
        in todo
    )
    assert "1 indicateur à renseigner : Appels reçus" in todo
    assert "En retard" in todo  # a quarterly value, none in four months
    measure = reverse("evaluation:indicator", kwargs={"slug": project.slug, "pk": indicator.pk})
    assert f'href="{measure}"' in todo and "Enregistrer une mesure : Appels reçus" in todo
    assert_links_open(client, todo_links(client, project))

    response = client.post(
        measure, {"measured_on": today.isoformat(), "value": "310", "comment": ""}
    )
    assert response.status_code == 302
    todo = todo_part(client, project)
    assert "indicateur à renseigner" not in todo and "Enregistrer une mesure" in todo


def test_in_implementation_the_chef_de_projet_is_told_which_pilots_to_chase(client, project):
    lead = member(project, Role.PROJECT_LEAD)
    pilot = member(project, Role.ACTION_PILOT, first_name="Yann", last_name="Kerhervé")
    today = timezone.localdate()
    objective = an_objective(project)
    late_action = Action.objects.create(
        objective=objective,
        title="Plateforme d'orientation",
        status=ActionStatus.IN_PROGRESS,
        pilot_user=pilot,
        start_date=today - dt.timedelta(days=120),
    )
    overdue = ActionIndicator.objects.create(
        action=late_action, name="Appels reçus", frequency="Trimestrielle"
    )
    ActionIndicator.objects.create(  # yearly: not due yet after four months
        action=late_action, name="Usagers orientés", frequency="Annuelle"
    )
    Action.objects.create(  # not carried out yet: nothing to measure
        objective=objective, title="Équipe mobile", status=ActionStatus.VALIDATED
    )
    login(client, lead)
    project.phase = Phase.COMMITMENT
    project.save(update_fields=["phase"])
    assert "Relancer les pilotes" not in todo_part(client, project)  # before the implementation

    project.phase = Phase.IMPLEMENTATION
    project.save(update_fields=["phase"])
    todo = todo_part(client, project)
    assert "Relancer les pilotes : 1 indicateur en retard sur 1 fiche-action" in todo
    assert "Pilote : Yann Kerhervé" in todo
    overview = reverse("evaluation:overview", kwargs={"slug": project.slug})
    assert f'href="{overview}"' in todo
    assert_links_open(client, todo_links(client, project))

    # The pilot records the measure: nothing left to chase.
    from ptsm.evaluation.services import record_indicator_value

    record_indicator_value(indicator=overdue, measured_on=today, value="310", user=pilot)
    assert "Relancer les pilotes" not in todo_part(client, project)


def test_the_signataire_finds_their_engagement_and_uploads_their_signed_annex_only(client, project):
    epsm, gem = setup_roadmap(project)
    letter = ensure_letter(project=project)
    epsm_annex = generate_annex(letter=letter, organisation=epsm)
    generate_annex(letter=letter, organisation=gem)
    signataire = member(project, Role.OPERATOR_SIGNATORY)
    Membership.objects.filter(user=signataire).update(organisation=epsm)
    login(client, signataire)
    todo = todo_part(client, project)
    assert "Mon engagement" in todo and "Signer l&#x27;annexe de EPSM Finistère Sud" in todo
    assert "Escale" not in todo  # nothing of the other operator, nor its signatory's e-mail
    assert "direction@" not in todo
    epsm_signatory = letter.signatories.get(organisation=epsm)
    gem_signatory = letter.signatories.get(organisation=gem)
    assert (
        f'action="{reverse("commitments:signed", kwargs={"slug": project.slug, "pk": epsm_signatory.pk})}"'
        in todo
    )
    assert_links_open(client, todo_links(client, project))

    with epsm_annex.pdf.content.open("rb") as handle:
        scanned = handle.read() + b"\n% signee\n"
    # Another operator's annex: 404, nothing recorded.
    response = client.post(
        reverse("commitments:signed", kwargs={"slug": project.slug, "pk": gem_signatory.pk}),
        {
            "signed_on": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("x.pdf", scanned),
            "signed_outside": "on",
            "retour": "accueil",
        },
    )
    assert response.status_code == 404
    gem_signatory.refresh_from_db()
    assert gem_signatory.status != SignatoryStatus.SIGNED
    # Their own, from the home page: back to it, signed.
    response = client.post(
        reverse("commitments:signed", kwargs={"slug": project.slug, "pk": epsm_signatory.pk}),
        {
            "signed_on": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("x.pdf", scanned),
            "signed_outside": "on",
            "retour": "accueil",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "projects:dashboard", kwargs={"slug": project.slug}
    )
    assert "Engagement de EPSM Finistère Sud signé." in visible_text(response)
    epsm_signatory.refresh_from_db()
    assert epsm_signatory.status == SignatoryStatus.SIGNED
    todo = todo_part(client, project)
    assert "Signer l&#x27;annexe" not in todo and "Signé" in todo and "PDF signé déposé" in todo


def test_a_copil_member_sees_what_awaits_validation_and_the_next_meeting(client, project):
    project.phase = Phase.DIAGNOSTIC
    project.save()
    copil = Body.objects.get(project=project, kind=BodyKind.COPIL)
    starts = timezone.now() + dt.timedelta(days=12)
    Meeting.objects.create(
        body=copil,
        title="COPIL de validation du diagnostic",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place="Quimper",
        agenda="1. Restitution du diagnostic\n2. Priorités",
    )
    login(client, member(project, Role.COPIL_MEMBER))
    todo = todo_part(client, project)
    assert "Documents à valider par le COPIL" in todo
    assert "Diagnostic territorial partagé, à valider en COPIL" in todo
    assert "Prochaine séance du COPIL" in todo and "COPIL de validation du diagnostic" in todo
    assert "Restitution du diagnostic" in todo and "Quimper" in todo
    assert "Rédiger la lettre de cadrage" not in todo  # the chef de projet's work, not theirs
    assert_links_open(client, todo_links(client, project))


def test_a_reader_sees_the_state_and_the_ars_administrator_the_regions_projects(client, project):
    login(client, member(project, Role.READER))
    todo = todo_part(client, project)
    assert "Le projet est en phase « Cadrage »" in todo and "Prochain jalon" in todo
    assert "Rédiger" not in todo
    assert_links_open(client, todo_links(client, project))

    other = make_project(
        departement="29",
        name="PTSM du pays de Brest",
        with_departement=False,
        commune_codes=["29019"],
        start=timezone.localdate(),
    )
    admin = member(project, Role.ARS_ADMIN)
    login(client, admin)
    todo = todo_part(client, project)
    assert "Les projets de la région" in todo
    assert "PTSM du Finistère" in todo and "2 jalons en retard" in todo
    assert "PTSM du pays de Brest" in todo and "aucun jalon en retard" in todo
    assert reverse("projects:dashboard", kwargs={"slug": other.slug}) in todo


def test_providers_are_asked_only_for_their_roles_and_share_sections():
    calls = []

    def lines(context):
        calls.append(context.role)
        return [TodoItem("Une étape", "/x/")]

    provider = TodoProvider(
        key="essai",
        roles=frozenset({Role.READER}),
        provider=lines,
        section="etapes-essai",
        title="Essai",
    )
    other = TodoProvider(
        key="essai-2",
        roles=frozenset({Role.READER}),
        provider=lambda c: [TodoItem("Une autre", "/y/")],
        section="etapes-essai",
    )
    register(provider)
    register(other)
    try:
        with pytest.raises(ValueError):
            register(TodoProvider(key="essai", roles=frozenset(), provider=lines))
        context = TodoContext(
            project=None,
            user=None,
            role=Role.COPIL_MEMBER,
            organisation_id=None,
            today=dt.date(2026, 1, 1),
        )
        assert [s for s in _safe_sections(context) if s.key == "etapes-essai"] == []
        assert calls == []
        context = TodoContext(
            project=None,
            user=None,
            role=Role.READER,
            organisation_id=None,
            today=dt.date(2026, 1, 1),
        )
        sections = [s for s in _safe_sections(context) if s.key == "etapes-essai"]
        assert [(s.title, [i.label for i in s.items]) for s in sections] == [
            ("Essai", ["Une étape", "Une autre"])
        ]
    finally:
        del _PROVIDERS["essai"], _PROVIDERS["essai-2"]


def _safe_sections(context):
    """Only the test's providers (the apps' own need a real project)."""
    saved = dict(_PROVIDERS)
    try:
        for key in list(_PROVIDERS):
            if not key.startswith("essai"):
                del _PROVIDERS[key]
        return todo_sections(context)
    finally:
        _PROVIDERS.clear()
        _PROVIDERS.update(saved)


DOMAIN_APPS = {
    "organisations",
    "governance",
    "framing",
    "diagnostic",
    "roadmap",
    "commitments",
    "evaluation",
    "demo",
    "archives",
}


def test_projects_imports_no_domain_app():
    """ARCHITECTURE.md: the spine depends on no app hanging on it (they register instead)."""
    root = Path(__file__).resolve().parents[2] / "ptsm" / "projects"
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:  # annotations only, not a dependency at run time
                continue
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "ptsm" and len(parts) > 1 and parts[1] in DOMAIN_APPS:
                    offenders.append(f"{path.relative_to(root)}: {name}")
    assert offenders == []


def test_todo_for_someone_without_a_role_is_empty(project):
    from tests.factories import UserFactory

    assert todo_for(project, UserFactory(), today=timezone.localdate()) == []
