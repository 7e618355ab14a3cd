import math
import struct

import pytest
from django.core.management import call_command

from ptsm.territories.geometry import GeometryError, area_km2, decode_wkb, svg_path
from ptsm.territories.models import Commune, Departement, Epci, Region
from ptsm.territories.services import load_referential

pytestmark = pytest.mark.django_db


def test_the_whole_of_france_is_loaded():
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Epci.objects.count() > 1200
    assert Commune.objects.count() > 34000
    assert Departement.objects.get(code="2A").region.name == "Corse"
    brest = Commune.objects.select_related("departement", "epci").get(code="29019")
    assert brest.name == "Brest"
    assert brest.departement.name == "Finistère"
    assert brest.epci.name == "Brest Métropole"
    assert 130_000 < brest.population < 150_000
    assert 45 < brest.area_km2 < 55  # official area: 49.51 km²
    assert brest.svg_path.startswith("M") and brest.svg_path.endswith("Z")


def test_reloading_is_idempotent_and_skipped_when_up_to_date():
    communes = Commune.objects.count()
    population = sum(Commune.objects.values_list("population", flat=True))
    report = load_referential()
    assert report.up_to_date
    forced = load_referential(force=True)
    assert not forced.up_to_date
    assert forced.communes == communes
    assert Commune.objects.count() == communes
    assert sum(Commune.objects.values_list("population", flat=True)) == population


def test_a_changed_commune_is_updated_on_forced_reload():
    Commune.objects.filter(code="29019").update(name="Nom erroné", population=1)
    load_referential(force=True)
    brest = Commune.objects.get(code="29019")
    assert brest.name == "Brest"
    assert brest.population > 100_000


def test_load_command_reports_in_french(capsys):
    call_command("load_territories")
    assert "déjà à jour" in capsys.readouterr().out


def _square_wkb(size_deg: float, lat: float) -> str:
    ring = [(0, lat), (size_deg, lat), (size_deg, lat + size_deg), (0, lat + size_deg), (0, lat)]
    body = struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(ring))
    body += b"".join(struct.pack("<dd", x, y) for x, y in ring)
    multi = struct.pack("<BII", 1, 6, 1) + body
    return multi.hex()


def test_area_of_a_square_degree_at_the_equator():
    polygons = decode_wkb(_square_wkb(1.0, 0.0))
    # One degree on a side at the equator ≈ 111.2 km × 111.2 km.
    assert math.isclose(area_km2(polygons), 12_364, rel_tol=0.01)


def test_svg_path_uses_longitude_and_negated_latitude():
    path = svg_path(decode_wkb(_square_wkb(1.0, 45.0)))
    assert path.startswith("M0.0000 -45.0000L1.0000 -45.0000")
    assert path.endswith("Z")


def test_unreadable_geometry_is_refused():
    with pytest.raises(GeometryError):
        decode_wkb("0106000000ffff")
    with pytest.raises(GeometryError):
        decode_wkb("pas de l'hexadécimal")
