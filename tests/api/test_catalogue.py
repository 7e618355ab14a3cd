"""The catalogue of the diagnostic's indicators, read by a client that pushes values: the ANAP
indicators for everyone, a project's own indicators for its members only."""

import datetime as dt

import pytest
from django.utils import timezone

from ptsm.accounts.models import Role
from ptsm.diagnostic.catalogue import sync_catalogue
from ptsm.diagnostic.models import Indicator
from ptsm.diagnostic.services import create_indicator

from .conftest import API, client_for, problem

pytestmark = pytest.mark.django_db


def own_indicator(project, label: str) -> Indicator:
    return create_indicator(
        project=project,
        indicator=Indicator(
            label=label,
            definition="Personnes suivies dans l'année.",
            unit="personnes",
            source="CMP",
            geographic_level="territoire",
            grid="parcours",
            entry_door=2,
            is_count=True,
        ),
    )


def every_page(client, **params) -> list[dict]:
    rows, url = [], API + "indicateurs/"
    while url:
        page = client.get(url, {**params, "taille": 1000} if url.endswith("/") else None).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_members_read_the_anap_catalogue_and_their_projects_own_indicators(small):
    own_a = own_indicator(small["a"], "File active du CMP de Morlaix")
    own_b = own_indicator(small["b"], "File active du CMP de Niort")
    reader = client_for(small["a"], Role.READER)
    rows = every_page(reader)
    codes = {r["code"] for r in rows}
    anap = set(Indicator.objects.filter(project=None).values_list("code", flat=True))
    assert codes == anap | {own_a.code} and own_b.code not in codes
    mine = next(r for r in rows if r["code"] == own_a.code)
    assert mine["projet"] == small["a"].slug and mine["libelle"] == "File active du CMP de Morlaix"
    assert (mine["unite"], mine["effectif"], mine["calcule"]) == ("personnes", True, False)
    assert mine["porte_entree"]["numero"] == 2 and mine["grille"]["code"] == "parcours"
    assert {r["projet"] for r in rows if r["code"] in anap} == {None}
    # The same for the project named; another project's own indicator does not exist.
    assert {r["code"] for r in every_page(reader, projet=small["a"].slug)} == codes
    problem(reader.get(API + "indicateurs/", {"projet": small["b"].slug}), 404)
    problem(reader.get(f"{API}indicateurs/{own_b.pk}/"), 404)
    assert reader.get(f"{API}indicateurs/{own_a.pk}/").json() == mine


def test_the_codes_read_in_the_catalogue_are_the_ones_the_batch_accepts(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    own = own_indicator(small["a"], "File active")
    codes = [r["code"] for r in every_page(lead) if not r["calcule"]]
    assert own.code in codes
    values = [
        {"indicateur": code, "niveau": "territoire", "annee": 2024, "valeur": 42} for code in codes
    ]
    response = lead.post(
        API + "valeurs-diagnostic/lot/",
        {"projet": small["a"].slug, "valeurs": values},
        format="json",
    )
    assert response.status_code == 200, response.content[:400]


def test_a_catalogue_sync_changes_only_what_changed(small):
    lead = client_for(small["a"], Role.PROJECT_LEAD)
    Indicator.objects.update(updated_at=timezone.now() - dt.timedelta(days=10))
    changed = Indicator.objects.filter(project=None).order_by("code").first()
    Indicator.objects.filter(pk=changed.pk).update(label="Ancien intitulé")
    sync_catalogue()
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert [r["code"] for r in every_page(lead, modifie_depuis=since)] == [changed.code]
