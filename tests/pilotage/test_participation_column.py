"""The cockpit's participation column (issue 19): each project's figures from every registered
source, at the same number of queries whatever the number of projects."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ptsm.accounts.models import ArsAdministration
from tests.factories import UserFactory, make_project
from tests.governance.participation_setup import build_copil_participation
from tests.helpers import login, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory()
    ArsAdministration.objects.create(user=user, region_id="53")
    login(client, user)
    return client


def test_the_cockpit_shows_each_projects_participation(admin):
    finistere = make_project(departement="29", name="PTSM du Finistère")
    build_copil_participation(finistere)
    make_project(departement="35", name="PTSM d'Ille-et-Vilaine")
    response = admin.get(reverse("pilotage:cockpit"))
    text = " ".join(visible_text(response).split())
    assert "Participation des personnes concernées et des proches" in text
    assert (
        "Membres des instances représentant les personnes concernées ou les proches : "
        "2 sur 8 membres, dans 1 instance sur 1" in text
    )
    assert "Leur présence aux séances tenues : 3 présences sur 4 invitations" in text
    # The cockpit gives the totals, not one line per body.
    assert "Comité de pilotage (COPIL) : 2 sur 8" not in text


def test_the_export_carries_the_same_figures(admin):
    import io

    from openpyxl import load_workbook

    build_copil_participation(make_project(departement="29", name="PTSM du Finistère"))
    sheet = load_workbook(io.BytesIO(admin.get(reverse("pilotage:export")).content)).active
    headers = [c.value for c in sheet[1]]
    column = headers.index("Participation des personnes concernées et des proches")
    (row,) = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] != "Total"]
    assert row[column].splitlines() == [
        "Membres des instances représentant les personnes concernées ou les proches : "
        "2 sur 8 membres, dans 1 instance sur 1",
        "Leur présence aux séances tenues : 3 présences sur 4 invitations aux séances tenues",
    ]


def _queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("pilotage:cockpit")).status_code == 200
    return len(queries)


def test_the_column_costs_the_same_queries_for_2_and_for_6_projects(admin):
    for i in range(2):
        build_copil_participation(make_project(departement="29", name=f"Projet {i}"))
    few = _queries(admin)
    for i in range(2, 6):
        build_copil_participation(make_project(departement="56", name=f"Projet {i}"))
    assert _queries(admin) == few
