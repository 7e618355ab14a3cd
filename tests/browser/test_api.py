"""The API's pages in Chromium: a token created and revoked from the account page, and the
documentation page, which works under ptsm's Content-Security-Policy without the Internet."""

import json

import pytest
from playwright.sync_api import expect

from ptsm.demo.loader import DEMO_SLUG

from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_token_is_created_used_and_revoked_from_the_account_page(
    page, live_server, demo, axe, output_dir
):
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/comptes/mon-compte/")
    expect(page.get_by_role("heading", name="Accès à l'API")).to_be_visible()
    page.get_by_label("Nom du jeton").fill("Observatoire régional")
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.get_by_role("heading", name="Copiez ce jeton maintenant")).to_be_visible()
    secret = page.locator("#api-token").inner_text()
    assert secret.startswith("ptsm_")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"api-jeton-cree-{width}.png"), full_page=True)
    assert axe(page) == []
    answer = page.request.get(
        f"{live_server.url}/api/v1/projets/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200
    assert [p["slug"] for p in json.loads(answer.body())["results"]] == [DEMO_SLUG]
    page.get_by_role("link", name="Retour à mon compte").click()
    row = page.get_by_role("row", name="Observatoire régional")
    expect(row).to_contain_text("Actif")
    expect(page.locator("body")).not_to_contain_text(secret)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"api-mon-compte-{width}.png"), full_page=True)
    assert axe(page) == []
    row.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_role("row", name="Observatoire régional")).to_contain_text("Révoqué")
    answer = page.request.get(
        f"{live_server.url}/api/v1/projets/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_documentation_page_works_offline_under_the_csp(browser, live_server, output_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    outside, refused = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    def only_local(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_text("API de ptsm").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/api/v1/fiches-actions/").first).to_be_visible()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"api-docs-{width}.png"))
    assert outside == [] and refused == []
    context.close()
