"""Each of the demo's six roles opens the project and finds their own « À faire » first, every
link of it working; the signataire deposits their signed annex from « Mon engagement »."""

import re

import pytest
from playwright.sync_api import expect

from ptsm.demo.loader import DEMO_PASSWORD, DEMO_SLUG
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Role, login, the heading of their own section and a line of it.
ROLES = [
    (
        "chef de projet",
        "chef.projet@demo.ptsm.fr",
        "Prochaines étapes de la phase « Engagement »",
        "Obtenir la signature des lettres d'engagement",
    ),
    ("pilote", "pilote@demo.ptsm.fr", "Mes fiches-actions", "Créer une plateforme d'orientation"),
    ("signataire", "signataire@demo.ptsm.fr", "Mon engagement", "Signer l'annexe de SAMSAH"),
    (
        "membre du COPIL",
        "copil@demo.ptsm.fr",
        "Prochaine séance du COPIL",
        "COPIL de suivi des engagements",
    ),
    ("lecteur", "lecteur@demo.ptsm.fr", "Où en est le projet", "Le projet est en phase"),
    ("administratrice ARS", "ars@demo.ptsm.fr", "Les projets de la région", "PTSM du Finistère"),
]


def log_in_any(page, live_server, email: str) -> None:
    if email != "ars@demo.ptsm.fr":
        log_in(page, live_server, email)
        return
    from ptsm.demo.loader import demo_totp_device
    from tests.helpers import totp_code

    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/comptes/double-authentification/**")
    page.get_by_role("textbox", name="Code à 6 chiffres").fill(totp_code(demo_totp_device(email)))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/")


def test_each_role_finds_their_own_todo_with_working_links(
    browser, live_server, demo, axe, output_dir
):
    home = f"{live_server.url}/projets/{DEMO_SLUG}/"
    for name, email, heading, line in ROLES:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="fr-FR", bypass_csp=True
        )
        page = context.new_page()
        log_in_any(page, live_server, email)
        page.goto(home)
        todo = page.locator("#a-faire")
        expect(todo.get_by_role("heading", name="À faire")).to_be_visible()
        expect(todo.get_by_role("heading", name=heading)).to_be_visible()
        expect(todo).to_contain_text(line)
        # Their own section comes before the phase stepper and the milestones.
        assert page.locator("main h2").first.inner_text() == "À faire", name
        assert axe(page) == [], name
        page.screenshot(path=str(output_dir / f"a-faire-{email.split('@')[0]}.png"), full_page=True)
        links = [
            href
            for href in todo.locator("a").evaluate_all("(links) => links.map(a => a.href)")
            if "#" not in href.replace(home, "")[:1]
        ]
        assert links, name
        for href in dict.fromkeys(links):
            response = page.request.get(href)
            assert response.ok, (name, href, response.status)
        context.close()


def test_the_signataire_deposits_their_signed_annex_from_mon_engagement_and_no_other(
    browser, live_server, demo, tmp_path, output_dir
):
    from ptsm.commitments.models import AnnexVersion, Signatory, SignatoryStatus

    annex = AnnexVersion.objects.get(
        letter__project__slug=DEMO_SLUG, organisation__name="SAMSAH Les Genêts"
    )
    scanned = tmp_path / "annexe-samsah-signee.pdf"
    with annex.pdf.content.open("rb") as handle:
        scanned.write_bytes(handle.read() + b"\n% signee a la main et numerisee\n")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    log_in(page, live_server, "signataire@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    engagement = page.locator("#a-faire-mon-engagement")
    expect(engagement).to_contain_text("SAMSAH Les Genêts")
    expect(engagement).not_to_contain_text("Fondation Ildys")
    expect(engagement).not_to_contain_text("@demo-partenaire.fr")
    assert page.locator("form[enctype='multipart/form-data']").count() == 1
    page.screenshot(path=str(output_dir / "mon-engagement-390.png"), full_page=True)

    # Another operator's annex, posted by hand with the page's own token: refused, unchanged.
    other = Signatory.objects.get(
        letter__project__slug=DEMO_SLUG, organisation__name="CHU de Brest"
    )
    token = page.locator("#depot-annexe-signee input[name=csrfmiddlewaretoken]").input_value()
    response = page.request.post(
        f"{live_server.url}/projets/{DEMO_SLUG}/engagements/signataires/{other.pk}/signe/",
        multipart={
            "csrfmiddlewaretoken": token,
            "signed_on": "2026-11-20",
            "signed_outside": "on",
            "file": {
                "name": "autre.pdf",
                "mimeType": "application/pdf",
                "buffer": scanned.read_bytes(),
            },
        },
        headers={"Referer": page.url},
    )
    assert response.status == 404
    other.refresh_from_db()
    assert other.status != SignatoryStatus.SIGNED and not other.signed_file

    engagement.get_by_label("PDF signé").set_input_files(str(scanned))
    engagement.get_by_text("Signature manuscrite scannée").click()
    engagement.get_by_role("button", name="Déposer l'annexe signée").click()
    page.wait_for_url(re.compile(rf".*/projets/{DEMO_SLUG}/$"))
    expect(page.get_by_text("Engagement de SAMSAH Les Genêts signé.")).to_be_visible()
    engagement = page.locator("#a-faire-mon-engagement")
    expect(engagement.locator("#mon-engagement-statut")).to_have_text("Signé")
    expect(engagement.get_by_role("link", name=re.compile("PDF signé déposé"))).to_be_visible()
    context.close()
