"""The DSFR's mandatory footer links and the pages they lead to, readable without an account."""

import re

import pytest
from django.urls import reverse

from ptsm.accounts.models import Role
from tests.helpers import page_text, visible_text

FOOTER_LINKS = {
    "Mentions légales": "/mentions-legales/",
    "Données personnelles": "/donnees-personnelles/",
    "Gestion des cookies": "/cookies/",
    "Aide": "/aide/",
}


def footer_links(response) -> dict[str, str]:
    footer = page_text(response).split('id="footer"', 1)[1]
    return {
        re.sub(r"\s+", " ", text).strip(): href
        for href, text in re.findall(
            r'<a class="fr-footer__bottom-link" href="([^"]+)">([^<]+)</a>', footer
        )
    }


@pytest.mark.django_db
def test_every_page_carries_the_mandatory_footer_links(client):
    links = footer_links(client.get(reverse("accounts:login")))
    assert links["Accessibilité : non conforme"] == "/accessibilite/"
    for label, href in FOOTER_LINKS.items():
        assert links[label] == href
    for href in links.values():
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_the_accessibility_statement_follows_the_rgaa_model_and_names_the_publisher(
    client, settings
):
    settings.PTSM_PUBLISHER = "Agence régionale de santé Bretagne"
    settings.PTSM_CONTACT_EMAIL = "ars-bretagne-ptsm@ars.sante.fr"
    response = client.get(reverse("accessibility"))
    page = visible_text(response)
    assert "<title>Déclaration d'accessibilité" in page_text(response)
    for heading in [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d'accessibilité",
        "Retour d'information et contact",
        "Voies de recours",
    ]:
        assert heading in page, heading
    assert "Agence régionale de santé Bretagne s'engage" in page
    assert "non conforme avec le référentiel général d'amélioration de l'accessibilité" in page
    assert "Aucun audit de conformité" in page
    assert "ars-bretagne-ptsm@ars.sante.fr" in page
    assert "Défenseur des droits" in page


@pytest.mark.django_db
def test_an_audited_deployment_states_its_measured_level_in_the_footer_and_the_statement(
    client, settings
):
    settings.PTSM_ACCESSIBILITY_STATUS = "partiellement conforme"
    settings.PTSM_ACCESSIBILITY_RATE = "78"
    settings.PTSM_ACCESSIBILITY_AUDIT_DATE = "12 mars 2027"
    response = client.get(reverse("accessibility"))
    assert "Accessibilité : partiellement conforme" in footer_links(response)
    page = visible_text(response)
    assert "78 % des critères du RGAA version 4.1 sont respectés" in page
    assert "Aucun audit" not in page


@pytest.mark.django_db
def test_the_legal_notice_shows_the_configured_publisher(client, settings):
    settings.PTSM_PUBLISHER = "Conseil départemental du Finistère"
    settings.PTSM_PUBLICATION_DIRECTOR = "Le président du conseil départemental"
    settings.PTSM_HOSTING = "Hébergeur agréé HDS, 1 rue de l'Exemple, 29000 Quimper"
    page = visible_text(client.get(reverse("legal_notice")))
    assert "Conseil départemental du Finistère" in page
    assert "Le président du conseil départemental" in page
    assert "Hébergeur agréé HDS" in page
    assert "AGPL-3.0-or-later" in page
    # The footer of every page names the publisher too.
    assert "Service publié par Conseil départemental du Finistère" in page


@pytest.mark.django_db
def test_the_cookie_page_lists_the_cookies_the_server_actually_sets(client):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    client.get(reverse("accounts:login"))
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    set_cookies = set(client.cookies.keys())
    assert {"sessionid", "csrftoken"} <= set_cookies, set_cookies
    page = visible_text(client.get(reverse("cookies")))
    for name in set_cookies:
        assert name in page, name
    assert "exemptés de consentement" in page


@pytest.mark.django_db
def test_the_help_page_describes_the_five_steps_and_every_role(client):
    page = visible_text(client.get(reverse("help")))
    for step in [
        "Cadrage",
        "Diagnostic partagé",
        "Feuille de route",
        "Engagement",
        "Mise en œuvre et évaluation",
    ]:
        assert step in page
    for role in Role:
        assert role.label in page, role.label


@pytest.mark.django_db
def test_the_public_pages_refuse_writes(client):
    for name in ["accessibility", "legal_notice", "cookies", "help"]:
        assert client.post(reverse(name)).status_code == 405


def test_the_state_block_is_shown_only_when_the_publisher_is_a_state_service(client, settings):
    settings.PTSM_PUBLISHER = "Conseil départemental du Finistère"
    settings.PTSM_STATE_SERVICE = False
    page = client.get(reverse("accessibility")).content.decode()
    assert "République<br>Française" not in page and "fr-logo" not in page
    assert "Conseil départemental du Finistère" in visible_text(client.get(reverse("help")))
    settings.PTSM_PUBLISHER = "Agence régionale de santé Bretagne"
    settings.PTSM_STATE_SERVICE = True
    page = client.get(reverse("accessibility")).content.decode()
    assert page.count('<p class="fr-logo">République<br>Française</p>') == 2  # header, footer
