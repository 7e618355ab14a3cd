"""The search box of a project: what the user finds, grouped by type, and what they never see."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.diagnostic.models import Finding
from ptsm.governance.models import Body, Decision, Meeting
from ptsm.organisations.models import Contact, Organisation
from ptsm.roadmap.models import Action, ActionStatus, Objective, Orientation, Theme
from ptsm.roadmap.services import renumber
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db
POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="recherche plein texte de PostgreSQL"
)


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


def fill(project, *, actions: int = 1, organisations: int = 1):
    chu = Organisation.objects.create(
        project=project,
        name="CHU de Brest — Hôpital de Bohars",
        category="sanitaire_public",
        address="Route de Ploudalmézeau",
        email="secretariat@chu-brest.fr",
    )
    for n in range(1, organisations):
        Organisation.objects.create(
            project=project, name=f"CMP de Brest n° {n}", category="sanitaire_public"
        )
    Organisation.objects.create(
        project=project, name="EPSM Finistère Sud", category="sanitaire_public"
    )
    Contact.objects.create(
        project=project,
        organisation=chu,
        first_name="Morgane",
        last_name="Le Gall",
        function="Cadre de santé en psychiatrie",
        email="morgane.legall@chu-brest.fr",
    )
    orientation = Orientation.objects.create(project=project, title="Parcours", position=1)
    theme = Theme.objects.create(orientation=orientation, title="Accès", position=1)
    objective = Objective.objects.create(theme=theme, title="Accueil", position=1)
    for n in range(1, actions + 1):
        Action.objects.create(
            objective=objective,
            title=f"Plateforme d'accueil en CMP n° {n}",
            description="Une plateforme téléphonique commune aux CMP du pays de Brest.",
            position=n,
            status=ActionStatus.VALIDATED,
        )
    renumber(project=project)
    Finding.objects.create(
        project=project,
        entry_door=1,
        kind="faiblesse",
        text="Délais d'attente en CMP supérieurs à trois mois sur le pays de Brest.",
    )
    copil = Body.objects.create(project=project, kind="copil", name="Comité de pilotage")
    start = timezone.make_aware(dt.datetime(2027, 3, 12, 14))
    meeting = Meeting.objects.create(
        body=copil,
        title="COPIL de validation du diagnostic",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Brest, salle du conseil",
    )
    Decision.objects.create(meeting=meeting, text="Le diagnostic partagé est validé.")
    return chu


def search(client, project, query):
    return client.get(reverse("search:results", kwargs={"slug": project.slug}), {"q": query})


def group_titles(response) -> dict[str, list[str]]:
    return {group.label: [hit.title for hit in group.hits] for group in response.context["groups"]}


def test_brest_finds_organisations_fiches_actions_findings_and_meetings(client, project):
    fill(project)
    login(client, member(project, Role.PROJECT_LEAD))
    response = search(client, project, "Brest")
    assert response.status_code == 200
    found = group_titles(response)
    assert found["Organisations"] == ["CHU de Brest — Hôpital de Bohars"]
    assert found["Fiches-actions"] == ["Fiche-action 1.1.1.1 — Plateforme d'accueil en CMP n° 1"]
    assert len(found["Constats du diagnostic"]) == 1
    assert found["Séances"] == ["COPIL de validation du diagnostic"]
    assert "EPSM Finistère Sud" not in page_text(response)
    # Each hit leads to its page.
    action = Action.objects.get()
    assert reverse("roadmap:action", kwargs={"slug": project.slug, "pk": action.pk}) in page_text(
        response
    )


def test_every_word_must_match_and_contacts_are_found_by_name_and_function(client, project):
    fill(project)
    login(client, member(project, Role.PROJECT_LEAD))
    found = group_titles(search(client, project, "le gall psychiatrie"))
    assert found == {"Contacts": ["Morgane Le Gall"]}
    assert group_titles(search(client, project, "Brest Quimper")) == {}
    found = group_titles(search(client, project, "diagnostic validé"))
    assert found["Décisions"] == ["Le diagnostic partagé est validé."]
    assert "Documents" in group_titles(search(client, project, "lettre de cadrage"))


def test_a_reader_finds_contacts_without_their_email_addresses(client, project):
    fill(project)
    login(client, member(project, Role.READER))
    response = search(client, project, "Morgane")
    assert group_titles(response) == {"Contacts": ["Morgane Le Gall"]}
    assert "morgane.legall@chu-brest.fr" not in page_text(response)


def test_another_projects_data_is_never_found(client, project):
    other = make_project(departement="22", name="PTSM des Côtes-d'Armor")
    fill(other)
    login(client, member(project, Role.PROJECT_LEAD))
    response = search(client, project, "Brest")
    assert group_titles(response) == {}
    assert "Aucun résultat" in visible_text(response)


def test_only_members_search_a_project(client, project):
    fill(project)
    response = search(client, project, "Brest")
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
    login(client, member(make_project(departement="22"), Role.PROJECT_LEAD))
    assert search(client, project, "Brest").status_code == 404


def test_a_query_too_long_or_made_of_operators_is_answered_in_french(client, project):
    fill(project)
    login(client, member(project, Role.PROJECT_LEAD))
    response = search(client, project, "b" * 201)
    assert response.status_code == 400
    assert "limitée à 200 caractères" in visible_text(response)
    # tsquery operators and punctuation are not syntax here.
    response = search(client, project, "!(&|:* ' \\")
    assert response.status_code == 200 and group_titles(response) == {}
    response = search(client, project, "brest & | !bohars")
    assert response.status_code == 200
    assert "Organisations" in group_titles(response)


def test_the_search_costs_the_same_queries_for_three_rows_and_for_three_hundred(client, project):
    fill(project, actions=3, organisations=3)
    login(client, member(project, Role.PROJECT_LEAD))
    with CaptureQueriesContext(connection) as small:
        search(client, project, "Brest")
    other = make_project(departement="56", name="PTSM du Morbihan")
    fill(other)
    objective = Objective.objects.get(theme__orientation__project=project)
    Action.objects.bulk_create(
        Action(objective=objective, title=f"Accueil à Brest n° {n}", position=10 + n)
        for n in range(300)
    )
    Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Antenne de Brest n° {n}", category="social")
        for n in range(300)
    )
    renumber(project=project)
    with CaptureQueriesContext(connection) as large:
        response = search(client, project, "Brest")
    assert len(large) == len(small)
    found = group_titles(response)
    assert len(found["Fiches-actions"]) == 10 and response.context["groups"][0].more


def test_the_search_box_is_in_the_header_of_every_project_page(client, project):
    login(client, member(project, Role.ACTION_PILOT))
    page = page_text(client.get(reverse("projects:dashboard", kwargs={"slug": project.slug})))
    assert 'id="header-search-input"' in page
    assert reverse("search:results", kwargs={"slug": project.slug}) in page
    assert 'id="header-search-input"' not in page_text(client.get(reverse("projects:list")))


@POSTGRES_ONLY
def test_postgres_finds_words_without_accents_and_other_forms_of_a_word(client, project):
    fill(project)
    login(client, member(project, Role.PROJECT_LEAD))
    assert group_titles(search(client, project, "hopital bohars"))["Organisations"] == [
        "CHU de Brest — Hôpital de Bohars"
    ]
    assert "Contacts" in group_titles(search(client, project, "psychiatrique"))
    # A word's beginning is enough.
    assert "Organisations" in group_titles(search(client, project, "Plouda"))
