"""The ARS administrator's cockpit in a real browser: the table sorted by phase, the map, an
indicator comparison, the XLSX export; the public page of the published demo project."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ptsm.demo.loader import DEMO_PASSWORD, DEMO_SLUG, demo_totp_device
from ptsm.pilotage.demo import PUBLISHED_DEMO, load_cockpit_demo
from ptsm.territories.models import Commune
from ptsm.territories.services import load_referential
from tests.helpers import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BRETAGNE = {"22", "29", "35", "56"}


@pytest.fixture
def cockpit_demo(demo):
    if (
        Commune.objects.filter(departement_id__in=BRETAGNE)
        .values("departement_id")
        .distinct()
        .count()
        < 4
    ):
        load_referential(force=True, only_departements=BRETAGNE | {"79"})
    return load_cockpit_demo(today=dt.date.today())


def log_in_as_ars(page, live_server):
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_role("textbox", name="Adresse électronique").fill("ars@demo.ptsm.fr")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/comptes/double-authentification/**")
    page.get_by_role("textbox", name="Code à 6 chiffres").fill(
        totp_code(demo_totp_device("ars@demo.ptsm.fr"))
    )
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/")


def row_names(page) -> list[str]:
    return [t.strip() for t in page.locator("#cockpit-table tbody th[scope=row]").all_inner_texts()]


def test_the_ars_sorts_by_phase_reads_the_map_compares_and_exports(
    page, live_server, cockpit_demo, axe, output_dir
):
    log_in_as_ars(page, live_server)
    page.get_by_role("link", name="Pilotage régional").click()
    page.wait_for_url("**/pilotage/")
    assert len(row_names(page)) >= 4  # the demo project and the three cockpit projects
    assert axe(page) == []
    page.locator("#cockpit-table a[data-sort=phase]").click()
    page.wait_for_url("**tri=phase**")
    phases = page.locator("#cockpit-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.phase)"
    )
    order = [
        "cadrage",
        "diagnostic",
        "feuille_de_route",
        "engagement",
        "mise_en_oeuvre",
        "evaluation",
        "clos",
    ]
    assert phases == sorted(phases, key=order.index)
    assert "PTSM des Côtes-d'Armor" in row_names(page)
    # The map: Bretagne's départements, each project's territory one outline coloured by its
    # phase (the Morbihan in implementation), and the table saying the same in words.
    svg = page.locator("#phase-map-53 svg")
    assert svg.is_visible()
    morbihan = page.locator("#phase-map-53 path", has_text="PTSM du Morbihan (Morbihan)")
    assert morbihan.count() == 1
    assert morbihan.get_attribute("fill") == "#31688e"  # Mise en œuvre
    assert "Mise en œuvre" in page.locator("#phase-map-table").inner_text()
    # Drill-down: the project's name opens its page, with the ARS's rights.
    assert page.locator("#cockpit-table tbody a", has_text="PTSM du Morbihan").count() == 1
    page.screenshot(path=str(output_dir / "pilotage-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(output_dir / "pilotage-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "pilotage-bretagne.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    names = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert "PTSM du Morbihan" in names and names[-1] == "Total"

    page.get_by_role("link", name="Comparer les projets").click()
    page.get_by_label("Indicateur du catalogue").select_option(index=1)
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_url("**indicateur=**")
    assert page.locator("#indicator-table tbody tr").count() >= 4
    assert page.locator("#indicator-map svg").is_visible()
    assert axe(page) == []
    page.screenshot(path=str(output_dir / "pilotage-comparer-1280.png"), full_page=True)


def test_the_published_demo_page_needs_no_login_and_no_javascript(
    browser, page, live_server, cockpit_demo, axe, output_dir
):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    anonymous = context.new_page()
    response = anonymous.goto(f"{live_server.url}/public/{PUBLISHED_DEMO}/")
    assert response.status == 200
    assert anonymous.get_by_role("heading", name="PTSM du Morbihan").is_visible()
    assert anonymous.locator("#public-actions tbody tr").count() >= 1
    # The validated documents, downloaded without login nor JavaScript.
    with anonymous.expect_download() as download_info:
        anonymous.locator("#public-documents a", has_text="Diagnostic partagé").click()
    download = download_info.value
    assert download.suggested_filename == "diagnostic.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    anonymous.screenshot(path=str(output_dir / "public-1280.png"), full_page=True)
    assert anonymous.goto(f"{live_server.url}/public/{DEMO_SLUG}/").status == 404
    context.close()
    # RGAA: axe on the public page (axe needs JavaScript: the same page in a normal context).
    page.goto(f"{live_server.url}/public/{PUBLISHED_DEMO}/")
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(output_dir / "public-390.png"), full_page=True)
