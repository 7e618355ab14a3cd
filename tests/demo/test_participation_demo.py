"""The demo shows issue 19: members who represent people with lived experience or families,
their attendance, and the roadmap in plain language."""

import datetime as dt

import pytest

from ptsm.demo.loader import DEMO_SLUG, load_demo
from ptsm.documents.registry import get_kind
from ptsm.documents.selectors import document_catalogue
from ptsm.governance.participation import ATTENDANCE_KEY, MEMBERS_KEY, project_figures
from ptsm.organisations.models import Organisation
from ptsm.projects.models import Project

pytestmark = pytest.mark.django_db


def test_the_demo_measures_participation_and_speaks_plainly():
    load_demo(today=dt.date(2026, 11, 24), region=False)
    project = Project.objects.get(slug=DEMO_SLUG)
    represents = dict(
        Organisation.objects.filter(project=project, category="usagers_familles").values_list(
            "sub_type", "represents"
        )
    )
    assert represents == {"unafam": "proches", "gem": "personnes_concernees"}
    figures = {f.key: f for f in project_figures(project)}
    # In the COPIL: the UNAFAM, the GEM and the pair-aidante employed by the EPSM.
    copil = next(f for f in project_figures(project) if f.label == "Comité de pilotage (COPIL)")
    assert copil.value == 3
    assert figures[MEMBERS_KEY].value > 3  # the UNAFAM also sits in the working groups
    assert figures[ATTENDANCE_KEY].value > 0
    rows = [r for r in document_catalogue(project) if r.kind == get_kind("feuille-de-route-facile")]
    assert rows and rows[0].unavailable is None
    assert rows[0].notice.startswith("1 fiche-action n'a pas encore de résumé en langage facile")
