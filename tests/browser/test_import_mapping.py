"""The column-mapping step of an import, in a real browser."""

import pytest
from playwright.sync_api import expect

from ptsm.demo.loader import DEMO_SLUG
from ptsm.organisations.models import Organisation
from tests.browser.test_journeys import log_in
from tests.organisations.test_import_mapping import HOSPITAL_ROWS, hospital_list_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_project_lead_maps_the_columns_of_a_hospital_list_then_imports_it(
    page, live_server, demo, axe, output_dir, tmp_path
):
    path = tmp_path / "etablissements-sante.xlsx"
    path.write_bytes(hospital_list_xlsx(HOSPITAL_ROWS[:2]))  # the demo's CHU and EPSM
    phone_before = Organisation.objects.get(project__slug=DEMO_SLUG, finess_et="290000017").phone
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/annuaire/importer/")
    page.get_by_label("Fichier CSV ou Excel (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_url("**/annuaire/importer/*/")

    # The proposal from the headers: « raison_sociale » is the name, « telephone » the phone.
    expect(page.get_by_label("raison_sociale")).to_have_value("name")
    expect(page.get_by_label("telephone")).to_have_value("phone")
    assert axe(page) == []
    page.screenshot(path=str(output_dir / "import-correspondance-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(output_dir / "import-correspondance-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The user ignores the phone column and applies the mapping.
    page.get_by_label("telephone").select_option(label="— ignorer cette colonne —")
    page.get_by_role("button", name="Appliquer la correspondance").click()
    expect(page.get_by_text("Correspondance appliquée")).to_be_visible()
    expect(page.get_by_label("telephone")).to_have_value("")
    expect(page.locator("#import-preview")).to_contain_text("2 lignes lues, toutes valides")

    page.get_by_role("button", name="Confirmer l'import").click()
    expect(
        page.get_by_text("Import terminé : 0 organisation ajoutée, 2 mises à jour.")
    ).to_be_visible()
    chu = Organisation.objects.get(project__slug=DEMO_SLUG, finess_et="290000017")
    assert chu.address == "2 AVENUE FOCH"
    assert chu.phone == phone_before  # the ignored column wrote nothing
