"""Creating a project by searching its territory, the map previewing the choice (issue 15)."""

import pytest

from ptsm.projects.models import Project
from tests.browser.test_cockpit import log_in_as_ars

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_ars_creates_a_project_by_searching_its_territory(
    page, live_server, demo, axe, output_dir, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as_ars(page, live_server)
    page.goto(f"{live_server.url}/projets/nouveau/")
    # The administrator's région is chosen already.
    assert page.locator("#id_region option:checked").inner_text() == "Bretagne"
    # The preview comes in once the page has loaded (htmx).
    preview = page.locator("#territory-preview")
    preview.get_by_text("Aucune commune choisie pour l'instant.").wait_for()

    page.get_by_role("searchbox", name="Rechercher un département, un EPCI ou une commune").fill(
        "Quimper"
    )
    page.get_by_role("button", name="Ajouter la commune Quimper", exact=True).click()
    page.wait_for_function("document.querySelector('#id_commune_codes').value.includes('29232')")
    assert page.locator("#id_territory_name").input_value() == "Quimper"
    preview.locator("p", has_text="1 commune,").wait_for()
    assert preview.locator("svg path").count() == 1

    page.get_by_role("searchbox", name="Rechercher un département, un EPCI ou une commune").fill(
        "Brest"
    )
    page.get_by_role("button", name="Ajouter la commune Brest", exact=True).click()
    preview.locator("p", has_text="2 communes,").wait_for()
    assert page.locator("#id_commune_codes").input_value() == "29232, 29019"
    # The long list of départements has a search box of its own (accents and case ignored).
    page.get_by_role("searchbox", name="Filtrer « Départements »").fill("finis")
    visible = page.locator("#id_departements option:not([hidden])")
    assert [t.strip() for t in visible.all_inner_texts()] == ["Finistère (29)"]
    page.get_by_role("searchbox", name="Filtrer « Départements »").fill("")
    assert axe(page) == []
    page.screenshot(
        path=str(output_dir / f"creation-projet-territoire-{width}.png"), full_page=True
    )

    page.get_by_role("textbox", name="Nom du projet").fill(f"PTSM de Cornouaille {width}")
    page.locator("#id_start_date").fill("2027-01-04")
    page.get_by_role("button", name="Créer le projet").click()
    page.wait_for_url("**/projets/ptsm-de-cornouaille-*/")
    created = Project.objects.get(name=f"PTSM de Cornouaille {width}")
    assert sorted(created.territory.communes.values_list("code", flat=True)) == [
        "29019",
        "29232",
    ]
    assert created.territory.name == "Quimper"
