from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ptsm.demo.loader import DEMO_SLUG
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.postgresql]


def test_fill_a_fiche_actions_funding_lines_adding_three_rows_in_place(
    page, live_server, demo, axe
):
    from ptsm.roadmap.models import Action

    action = Action.objects.filter(pilot_user__email="pilote@demo.ptsm.fr").first()
    before = set(action.funding_lines.values_list("pk", flat=True))
    log_in(page, live_server, "pilote@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/feuille-de-route/fiches-actions/{action.pk}/")
    page.get_by_role("link", name="Modifier la fiche-action").click()
    page.get_by_role("link", name="Financement", exact=True).click()
    expect(page.get_by_role("heading", name="Financement", exact=True)).to_be_visible()
    total = page.locator("#id_financements-TOTAL_FORMS")
    start = int(total.input_value())
    loaded_at = page.evaluate("() => performance.timeOrigin")

    lines = [("fir", "40000", "2027"), ("cd", "12500", "2027"), ("autofinancement", "3000", "2028")]
    for offset in range(3):
        page.get_by_role("button", name="Ajouter une ligne").click()
        expect(total).to_have_value(str(start + offset + 1))
    for offset, (funder, amount, year) in enumerate(lines):
        row = f"financements-{start + offset}-"
        page.locator(f"[name='{row}funder']").select_option(funder)
        page.locator(f"[name='{row}amount']").fill(amount)
        page.locator(f"[name='{row}year']").fill(year)
    # The rows came in place: still the same page, not a reload.
    assert page.evaluate("() => performance.timeOrigin") == loaded_at
    assert axe(page) == []

    # A fourth row added by mistake is removed in place and ignored.
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(page.locator(f"[name='financements-{start + 3}-amount']")).to_be_visible()
    page.get_by_role("button", name=f"Retirer la ligne {start + 4}").click()
    expect(page.locator(f"[name='financements-{start + 3}-amount']")).to_have_count(0)

    # Enter in a field saves the section (it does not add a row).
    page.locator(f"[name='financements-{start + 2}-year']").press("Enter")
    expect(page.get_by_text("section « Financement » enregistrée")).to_be_visible()
    added = action.funding_lines.exclude(pk__in=before)
    assert sorted((f.funder, f.amount, f.year) for f in added) == sorted(
        (funder, Decimal(amount), int(year)) for funder, amount, year in lines
    )
    # Read back: the section, reloaded, shows the three saved lines among the former ones.
    expect(total).to_have_value(str(start + 3))
    shown = set()
    for index in range(start + 3):
        row = f"financements-{index}-"
        shown.add(
            (
                page.locator(f"[name='{row}funder']").input_value(),
                Decimal(page.locator(f"[name='{row}amount']").input_value()),
                page.locator(f"[name='{row}year']").input_value(),
            )
        )
    assert {(f, Decimal(a), y) for f, a, y in lines} <= shown
    assert axe(page) == []


def test_pick_a_fiche_actions_pilot_and_partner_by_searching_the_directory(
    page, live_server, demo, axe
):
    from ptsm.organisations.models import Organisation
    from ptsm.projects.models import Project
    from ptsm.roadmap.models import Action

    project = Project.objects.get(slug=DEMO_SLUG)
    # A directory too long to send whole: the page offers a search instead of every option.
    Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Structure {i:03d}", category="social")
        for i in range(150)
    )
    mda = Organisation.objects.create(
        project=project, name="Maison des adolescents de Quimper", category="social"
    )
    action = Action.objects.filter(objective__theme__orientation__project=project).first()
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    url = (
        f"{live_server.url}/projets/{DEMO_SLUG}/feuille-de-route/fiches-actions/"
        f"{action.pk}/modifier/pilotage/"
    )
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        assert page.locator("#id_pilot_organisation option").count() <= 2
        assert axe(page) == []

    page.get_by_label("Organisation pilote : rechercher une organisation").fill(
        "maison adolescents"
    )
    choice = page.get_by_role("button", name="Maison des adolescents de Quimper")
    expect(choice).to_be_visible()
    assert axe(page) == []
    choice.click()
    expect(page.locator("#id_pilot_organisation")).to_have_value(str(mda.pk))
    # A partner, by the keyboard: the tag that shows it removes it.
    search = page.get_by_label("Partenaires : rechercher une organisation")
    search.fill("MAISON des ado")
    expect(
        page.locator("#id_partners-resultats").get_by_role("button", name="Maison des adolescents")
    ).to_be_visible()
    expect(page.get_by_text("1 organisation trouvée.").first).to_be_attached()
    search.press("Tab")
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("button", name="Retirer Maison des adolescents de Quimper")
    ).to_be_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("section « Pilotage et partenaires » enregistrée")).to_be_visible()
    action.refresh_from_db()
    assert action.pilot_organisation == mda
    assert mda in action.partners.all()
    # Read back: the page, reloaded, shows the choices.
    expect(page.locator("#id_pilot_organisation")).to_have_value(str(mda.pk))
    expect(
        page.get_by_role("button", name="Retirer Maison des adolescents de Quimper")
    ).to_be_visible()
    assert axe(page) == []
