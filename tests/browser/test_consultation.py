"""A consultation from both sides: the chef de projet opens one and copies its link; a
participant answers it on a phone (390 px) without an account — the form passes axe with zero
violations, a missing category is named in the error summary, a second answer within a minute gets
the « attendez » page; the chef de projet moderates, closes and summarises it; the closed link
shows no form any more."""

import re

import pytest
from playwright.sync_api import expect

from ptsm.consultations.models import Consultation, Response
from ptsm.demo.loader import DEMO_SLUG
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, label: str) -> None:
    """Tick a DSFR radio as a person does: by its label (the DSFR draws its own round over the
    native input, which takes no click)."""
    page.locator("label.fr-label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()
    expect(page.get_by_label(label, exact=True)).to_be_checked()


def test_a_consultation_opened_answered_on_a_phone_moderated_and_closed(
    browser, page, live_server, demo, axe, output_dir
):
    base = f"{live_server.url}/projets/{DEMO_SLUG}/consultations"
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{base}/nouvelle/")
    page.get_by_label("Titre").fill("Votre avis sur la pair-aidance")
    page.get_by_label("Introduction").fill(
        "Nous voulons savoir ce que la pair-aidance vous apporte."
    )
    page.get_by_label("Étape de la démarche concernée").select_option(
        label="Projet de feuille de route"
    )
    page.get_by_label("Ouverture des réponses").fill("2026-01-01")
    page.get_by_label("Clôture des réponses").fill("2030-12-31")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre avis sur la pair-aidance")
    page.get_by_label("Type de question").select_option(label="Accord sur une échelle")
    page.locator("#id_text").fill("La pair-aidance m'aide au quotidien.")
    page.get_by_role("button", name="Ajouter la question").click()
    page.get_by_label("Type de question").select_option(label="Texte libre")
    page.locator("#id_text").fill("Que faudrait-il changer ?")
    page.get_by_role("button", name="Ajouter la question").click()
    page.get_by_role("button", name="Ouvrir la consultation").click()
    expect(page.get_by_text("La consultation est ouverte")).to_be_visible()
    consultation = Consultation.objects.get(project__slug=DEMO_SLUG, title__contains="pair-aidance")
    number = consultation.number
    page.goto(f"{base}/")
    row = page.get_by_role("row").filter(has_text="Votre avis sur la pair-aidance")
    expect(row).to_contain_text("Ouverte")
    expect(row.get_by_role("button", name="Copier le lien")).to_be_visible()
    assert axe(page) == []
    link = row.locator("code").inner_text()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    row.get_by_role("button", name="Copier le lien").click()
    expect(page.locator("#copy-status")).to_have_text("Lien copié.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert link.endswith(f"/consultation/{consultation.token}/")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fr-FR", bypass_csp=True, is_mobile=True
    )
    participant = phone.new_page()
    participant.goto(link)
    expect(participant.get_by_role("heading", level=1)).to_have_text(
        "Votre avis sur la pair-aidance"
    )
    expect(
        participant.get_by_text("N'écrivez rien qui permette de vous reconnaître").first
    ).to_be_visible()
    assert axe(participant) == []
    participant.screenshot(path=str(output_dir / "consultation-390.png"), full_page=True)
    # No horizontal scrolling on a phone.
    assert participant.evaluate("document.documentElement.scrollWidth") <= 390
    # The browser stops the text at the limit (the server refuses more: tests/consultations).
    assert (
        participant.get_by_label("Que faudrait-il changer ?").get_attribute("maxlength") == "1500"
    )
    choose(participant, "Plutôt d'accord")
    participant.get_by_role("button", name="Envoyer ma réponse").click()  # no category
    expect(participant.get_by_role("alert")).to_contain_text("Le formulaire contient une erreur")
    expect(participant.get_by_role("alert")).to_contain_text("Vous répondez en tant que")
    assert axe(participant) == []
    choose(participant, "Proche")
    participant.get_by_label("Que faudrait-il changer ?").fill(
        "Plus de permanences le samedi, Jean D."
    )
    participant.get_by_role("button", name="Envoyer ma réponse").click()
    expect(participant.get_by_role("heading", name="Merci pour votre réponse")).to_be_visible()
    participant.goto(link)
    choose(participant, "Élu")
    choose(participant, "Tout à fait d'accord")
    participant.get_by_role("button", name="Envoyer ma réponse").click()
    expect(
        participant.get_by_role("heading", name="Votre réponse vient d'être envoyée")
    ).to_be_visible()
    assert Response.objects.filter(consultation=consultation).count() == 1

    page.goto(f"{base}/{number}/moderation/")
    page.get_by_label("Motif du masquage de la réponse").fill("Nomme une personne.")
    page.get_by_role("button", name="Masquer").click()
    expect(page.get_by_text("La réponse est masquée")).to_be_visible()
    page.goto(f"{base}/{number}/")
    page.get_by_role("button", name="Clore la consultation").click()
    page.get_by_label("Synthèse").fill("Une seule réponse, masquée : la consultation est relancée.")
    page.get_by_role("button", name="Enregistrer la synthèse").click()
    page.goto(f"{base}/{number}/resultats/")
    expect(page.get_by_text("1 réponse masquée par la modération")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Jean D.")
    assert axe(page) == []

    participant.goto(link)
    expect(participant.get_by_text("Cette consultation est close")).to_be_visible()
    expect(participant.get_by_role("button", name="Envoyer ma réponse")).to_have_count(0)
    assert axe(participant) == []
    phone.close()
