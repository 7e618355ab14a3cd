"""Issue 19 in the browser: the chef de projet says a COPIL member represents families, the
dashboard's participation panel counts them; the pages pass axe."""

import pytest
from playwright.sync_api import expect

from ptsm.demo.loader import DEMO_SLUG
from tests.browser.test_journeys import log_in

pytestmark = pytest.mark.browser


def test_the_chef_de_projet_marks_a_member_who_represents_families(page, live_server, demo, axe):
    from ptsm.governance.models import Body, BodyKind

    copil = Body.objects.get(project__slug=DEMO_SLUG, kind=BodyKind.COPIL)
    mdph = copil.members.select_related("contact").get(contact__organisation__sub_type="mdph")
    log_in(page, live_server, "chef.projet@demo.ptsm.fr")
    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    panel = page.locator("#participation ~ ul").first
    expect(
        page.get_by_role("heading", name="Participation des personnes concernées et des proches")
    ).to_be_visible()
    before = panel.inner_text()
    assert "3 sur" in before  # the UNAFAM, the GEM and the pair-aidante

    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/gouvernance/instances/{copil.pk}/")
    assert axe(page) == []
    page.get_by_role("link", name=f"Modifier {mdph.contact}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(mdph.contact))
    assert axe(page) == []
    page.get_by_label("Représente").select_option("proches")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le membre a été enregistré.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=str(mdph.contact))
    expect(row).to_contain_text("Proches et familles (à titre personnel)")

    page.goto(f"{live_server.url}/projets/{DEMO_SLUG}/")
    expect(page.get_by_text("Comité de pilotage (COPIL) : 4 sur")).to_be_visible()
