"""Errors are French DSFR pages with the reason and a way back (DEBUG off, as in production)."""

import pytest
from django.test import Client
from django.urls import reverse

from ptsm.accounts.models import Role
from tests.factories import make_project, member
from tests.helpers import login, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return make_project(departement="29")


def test_a_role_without_the_right_gets_a_french_403_with_the_reason(client, project, settings):
    settings.DEBUG = False
    login(client, member(project, Role.READER))
    response = client.get(reverse("projects:delete", kwargs={"slug": project.slug}))
    page = page_text(response)
    assert response.status_code == 403
    assert "Accès refusé" in page
    assert "Votre rôle dans ce projet ne permet pas cette action." in page
    assert "Retour à mes projets" in page and '<html lang="fr"' in page


def test_an_unknown_page_is_a_french_404(client, project, settings):
    settings.DEBUG = False
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.get("/projets/inexistant/")
    assert response.status_code == 404
    assert "Page non trouvée" in page_text(response)


def test_a_server_error_is_a_french_500_page(project, settings, monkeypatch):
    settings.DEBUG = False
    from ptsm.projects import views

    def broken(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(views, "territory_card", broken)
    client = Client(raise_request_exception=False)
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.get(reverse("projects:territory", kwargs={"slug": project.slug}))
    assert response.status_code == 500
    page = page_text(response)
    assert "Erreur inattendue" in page and "Retour à l'accueil" in page


def test_the_personal_data_page_is_public_and_states_the_retention_periods(client, settings):
    settings.PTSM_AUDIT_RETENTION_DAYS = 365
    response = client.get(reverse("personal_data"))
    page = page_text(response)
    assert response.status_code == 200
    assert "mission d'intérêt public" in page and "Archivage légal" in page
    assert "365 jours" in page and "3 ans" in page
    assert client.post(reverse("personal_data")).status_code == 405
