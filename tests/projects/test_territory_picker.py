"""Choosing a project's territory by searching the referential, with the map previewing it."""

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.projects.models import Project
from tests.factories import make_project, member
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère")


@pytest.fixture
def ars(client, project):
    login(client, member(project, Role.ARS_ADMIN))
    return client


def test_the_search_finds_departements_epci_and_communes_by_name(ars):
    page = ars.get(reverse("projects:territory_search"), {"q": "quimper"})
    text = " ".join(visible_text(page).split())
    assert "Commune Quimper (Finistère, 29232)" in text
    assert "Ajouter la commune Quimper" in text
    assert "ajouter=commune:29232" in page.content.decode()
    departement = visible_text(ars.get(reverse("projects:territory_search"), {"q": "finis"}))
    assert "Département Finistère (29)" in " ".join(departement.split())
    nothing = visible_text(ars.get(reverse("projects:territory_search"), {"q": "zzzz"}))
    assert "Aucun département, EPCI ni commune pour « zzzz »." in nothing


def test_adding_a_commune_fills_the_field_and_previews_the_map(ars):
    response = ars.get(
        reverse("projects:territory_preview"),
        {"ajouter": "commune:29232", "commune_codes": "29019", "territory_name": ""},
    )
    html = response.content.decode()
    text = " ".join(visible_text(response).split())
    # The fields come back, swapped in place by their id, with the commune added once.
    assert 'id="id_commune_codes"' in html and 'hx-swap-oob="true"' in html
    assert "29019, 29232" in html
    # The territory takes the first name chosen when it has none.
    assert 'value="Quimper"' in html
    assert "« Quimper » ajouté au territoire." in text
    assert "2 communes" in text and "habitants" in text
    assert "<svg" in html and "Aperçu du territoire : 2 communes" in html
    again = ars.get(
        reverse("projects:territory_preview"),
        {"ajouter": "commune:29232", "commune_codes": "29019, 29232", "territory_name": "Brest"},
    )
    assert "29019, 29232" in again.content.decode() and 'value="Brest"' in again.content.decode()


def test_a_departement_is_selected_in_its_list_and_its_communes_counted(ars):
    response = ars.get(reverse("projects:territory_preview"), {"ajouter": "departement:29"})
    html = response.content.decode()
    assert '<option value="29" selected>' in html
    text = " ".join(visible_text(response).split())
    assert "« Finistère » ajouté au territoire." in text
    communes = int(text.split("ajouté au territoire.")[1].split()[0].replace("\u202f", ""))
    assert communes > 200  # every commune of the Finistère


def test_an_unknown_code_adds_nothing_and_an_empty_choice_says_so(ars):
    response = ars.get(reverse("projects:territory_preview"), {"ajouter": "commune:99999"})
    text = visible_text(response)
    assert "Aucune commune choisie pour l'instant." in text
    assert "ajouté" not in text
    bad = ars.get(reverse("projects:territory_preview"), {"ajouter": "pays:FR"})
    assert bad.status_code == 200 and "Aucune commune choisie" in visible_text(bad)


def test_the_picker_needs_a_signed_in_user(client):
    response = client.get(reverse("projects:territory_search"), {"q": "quimper"})
    assert response.status_code == 302 and "connexion" in response.url


def test_the_creation_form_preselects_the_administrators_region(ars, project):
    html = ars.get(reverse("projects:create")).content.decode()
    assert f'<option value="{project.region.code}" selected>' in html
    assert 'id="territory-preview"' in html and 'id="territory-search"' in html


def test_a_project_is_created_with_the_territory_picked(ars, project):
    response = ars.post(
        reverse("projects:create"),
        {
            "name": "PTSM de Cornouaille",
            "region": project.region.code,
            "start_date": "2026-03-01",
            "planned_duration_months": "18",
            "territory_name": "Quimper",
            "commune_codes": "29019, 29232",
        },
    )
    assert response.status_code == 302
    created = Project.objects.get(name="PTSM de Cornouaille")
    assert sorted(created.territory.communes.values_list("code", flat=True)) == ["29019", "29232"]
