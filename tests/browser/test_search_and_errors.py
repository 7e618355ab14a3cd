"""The header's search box finds « Brest » among organisations and fiches-actions; a missing
page and a forbidden one answer in French, as the DSFR words them (issue 15)."""

import pytest

from ptsm.demo.loader import DEMO_SLUG
from tests.browser.test_journeys import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


def test_search_brest_then_a_404_and_a_403_in_french(page, live_server, demo, axe, settings):
    assert settings.DEBUG is False  # the error pages users see in production
    log_in(page, live_server, "lecteur@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    page.get_by_role("searchbox", name="Rechercher dans le projet").fill("Brest")
    page.get_by_role("searchbox", name="Rechercher dans le projet").press("Enter")
    page.wait_for_url("**/recherche/?q=Brest")
    organisations = page.get_by_role("region", name="Organisations")
    assert organisations.get_by_role("link", name="CHU de Brest").is_visible()
    actions = page.get_by_role("region", name="Fiches-actions")
    assert actions.get_by_role("link").first.inner_text().startswith("Fiche-action ")
    assert "Équipe mobile de crise 24 h sur 24" in actions.inner_text()
    assert axe(page) == []

    missing = page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/page-qui-n-existe-pas/")
    assert missing.status == 404
    assert page.get_by_role("heading", name="Page non trouvée").is_visible()
    assert page.get_by_role("link", name="Retour à mes projets").is_visible()
    assert axe(page) == []

    forbidden = page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/modifier/")
    assert forbidden.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    assert "Votre rôle dans ce projet ne permet pas" in page.content()
    assert axe(page) == []
