import os
from pathlib import Path

import pytest

from ptsm.demo.loader import DEMO_DEPARTEMENT, OTHER_DEPARTEMENT, load_demo
from ptsm.territories.models import Commune
from ptsm.territories.services import load_referential

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), (
        "Chromium absent : lancez `make system-deps` (paquet Debian chromium)."
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # axe-core is injected as an inline script, which ptsm's Content-Security-Policy forbids.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db):
    """The demo data, committed so that the live server thread sees it."""
    if not Commune.objects.filter(departement_id=DEMO_DEPARTEMENT).exists():
        # Earlier browser tests flushed the database: reload the two départements we need.
        load_referential(force=True, only_departements={DEMO_DEPARTEMENT, OTHER_DEPARTEMENT})
    import datetime as dt

    return load_demo(today=dt.date.today(), region=False)


@pytest.fixture
def axe():
    assert AXE.exists(), "axe-core absent : lancez `make install` (npm ci)."
    source = AXE.read_text()
    prepared = set()

    def check(page) -> list[dict]:
        # Given once to the page's context, axe-core is then evaluated by Chromium in every new
        # document before its own scripts (and compiled once per renderer): sending its 550 KB
        # at each page took as long as the check itself. A page opened before is given it now.
        if id(page.context) not in prepared:
            page.context.add_init_script(source)
            prepared.add(id(page.context))
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.add_script_tag(content=source)
        # Only the violations are collected (the passes' details are not needed): faster.
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations']})"
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
            for v in result["violations"]
        ]

    return check


@pytest.fixture
def output_dir():
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
