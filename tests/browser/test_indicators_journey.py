import pytest

from ptsm.demo.loader import DEMO_SLUG
from tests.browser.test_journeys import log_in
from tests.diagnostic.test_indicators import odisse_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_adds_an_indicator_and_imports_an_odisse_export(
    page, live_server, demo, axe, output_dir
):
    base = f"{live_server.url}/projets/{DEMO_SLUG}/diagnostic"
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{base}/indicateurs/")
    assert axe(page) == []
    page.get_by_role("link", name="Ajouter un indicateur").click()
    form = page.locator("main form")
    form.locator("[name=label]").fill("Hospitalisations pour geste suicidaire")
    form.locator("[name=definition]").fill("Taux standardisé, tous âges.")
    form.locator("[name=unit]").fill("pour 100 000")
    form.locator("[name=grid]").select_option("parcours")
    form.locator("[name=entry_door]").select_option("4")
    form.locator("[name=geographic_level]").select_option("département")
    form.locator("[name=source]").fill("Santé publique France (Odissé)")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("L'indicateur a été ajouté au catalogue du projet.").is_visible()

    page.goto(f"{base}/importer-export/")
    page.set_input_files(
        "input[name=file]",
        {"name": "odisse.csv", "mimeType": "text/csv", "buffer": odisse_export()},
    )
    page.get_by_role("button", name="Lire le fichier").click()
    page.locator("main form [name=indicator]").select_option(
        label="Hospitalisations pour geste suicidaire (pour 100 000) — propre au projet"
    )
    page.get_by_role("button", name="Voir l'aperçu").click()
    assert page.get_by_text("6 valeurs à enregistrer").is_visible()
    assert axe(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"import-odisse-{width}.png"), full_page=True)
    page.get_by_role("button", name="Confirmer l'import").click()
    assert page.get_by_role("heading", name="Hospitalisations pour geste suicidaire").is_visible()
    assert page.get_by_role("table", name="Valeurs par année").is_visible()
    assert axe(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"indicateur-serie-{width}.png"), full_page=True)
    for name, path in (("catalogue", "indicateurs/"), ("diagnostic", "")):
        page.goto(f"{base}/{path}")
        assert axe(page) == [], name
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(output_dir / f"{name}-{width}.png"), full_page=True)
