"""The axe-core walk for every role of the demo, on a phone (390 px) and a desktop (1280 px; the
chef de projet's is in test_journeys): every page the role may open has zero violations; the
pages it may not open answer 403 in French (issue 15)."""

import pytest

from tests.browser.test_cockpit import log_in_as_ars
from tests.browser.test_journeys import MAIN_PAGES, OTHER_PAGES, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    "chef.projet@demo.ptsm.fr",
    "copil@demo.ptsm.fr",
    "pilote@demo.ptsm.fr",
    "signataire@demo.ptsm.fr",
    "lecteur@demo.ptsm.fr",
    "ars@demo.ptsm.fr",
]


WALKS = [(email, 390) for email in ROLES] + [(email, 1280) for email in ROLES[1:]]


@pytest.mark.parametrize("email, width", WALKS)
def test_every_page_of_every_role_passes_axe(browser, live_server, demo, axe, email, width):
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width == 390 else 900},
        locale="fr-FR",
        bypass_csp=True,
    )
    page = context.new_page()
    try:
        if email.startswith("ars@"):
            log_in_as_ars(page, live_server)
        else:
            log_in(page, live_server, email)
        violations, opened, refused = {}, 0, 0
        for path in [path for _label, path in MAIN_PAGES] + OTHER_PAGES:
            response = page.goto(f"{live_server.url}{path}")
            if response.status == 403:
                refused += 1
                assert "Accès refusé" in page.content(), path
                continue
            assert response.status == 200, (path, response.status)
            opened += 1
            if found := axe(page):
                violations[path] = found
        assert violations == {}, violations
        assert opened >= 10, (email, opened, refused)
    finally:
        context.close()
