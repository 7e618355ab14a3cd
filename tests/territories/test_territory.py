import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ptsm.territories.models import Commune, Departement, Epci, Territory
from ptsm.territories.selectors import territory_card, territory_communes, territory_map_svg
from ptsm.territories.services import (
    TerritoryDefinitionError,
    define_territory,
    parse_commune_codes,
)

pytestmark = pytest.mark.django_db


def test_departement_territory_covers_all_its_communes():
    territory = define_territory(
        territory=Territory(), name="Finistère", departements=[Departement.objects.get(code="29")]
    )
    communes = territory_communes(territory)
    assert communes.count() == Commune.objects.filter(departement_id="29").count() > 250
    card = territory_card(territory)
    assert card.communes == communes.count()
    assert card.population == sum(communes.values_list("population", flat=True))
    assert 6_500 < card.area_km2 < 7_000  # official: 6 733 km²
    assert 120 < card.density < 150
    assert card.departements == ["Finistère"]


def test_union_of_departement_epci_and_communes_counts_each_commune_once():
    brest_metropole = Epci.objects.get(code=Commune.objects.get(code="29019").epci_id)
    territory = define_territory(
        territory=Territory(),
        name="Mixte",
        departements=[Departement.objects.get(code="29")],
        epcis=[brest_metropole],
        commune_codes=["29019", "56260"],  # Brest (already in 29) and Vannes (Morbihan)
    )
    card = territory_card(territory)
    assert card.communes == Commune.objects.filter(departement_id="29").count() + 1
    assert card.departements == ["Finistère", "Morbihan"]


def test_unknown_codes_or_empty_perimeter_are_refused_and_nothing_changes():
    territory = define_territory(territory=Territory(), name="Brest", commune_codes=["29019"])
    with pytest.raises(TerritoryDefinitionError, match="Codes INSEE inconnus : 99999"):
        define_territory(territory=territory, name="Autre", commune_codes=["29019", "99999"])
    with pytest.raises(TerritoryDefinitionError, match="au moins un département"):
        define_territory(territory=territory, name="Vide")
    territory.refresh_from_db()
    assert territory.name == "Brest"
    assert list(territory.communes.values_list("code", flat=True)) == ["29019"]


def test_pasted_code_lists_are_split_and_deduplicated():
    assert parse_commune_codes("29019, 29232;29019\n2a004 ") == ["29019", "29232", "2A004"]


def test_map_has_one_shaded_path_per_commune_and_a_title():
    territory = define_territory(
        territory=Territory(), name="Finistère", departements=[Departement.objects.get(code="29")]
    )
    svg = territory_map_svg(territory)
    assert svg.count("<path ") == territory_card(territory).communes
    assert "<title>Carte du territoire Finistère" in svg
    assert "Brest — " in svg
    assert "hab./km²" in svg


def test_identity_card_and_map_cost_the_same_queries_for_any_size():
    small = define_territory(territory=Territory(), name="Brest", commune_codes=["29019"])
    large = define_territory(
        territory=Territory(),
        name="Hauts-de-France",
        departements=list(Departement.objects.filter(code__in=["02", "59", "60", "62", "80"])),
    )
    counts = []
    for territory in (small, large):
        with CaptureQueriesContext(connection) as queries:
            territory_card(territory)
            territory_map_svg(territory)
        counts.append(len(queries))
    assert territory_card(large).communes > 3000
    assert counts[0] == counts[1]
