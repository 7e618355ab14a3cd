"""Outlines: a union of communes drawn as its boundary (départements, project territories), for
the maps of a région or of France."""

import pytest
from django.db.models import Max, Min

from ptsm.territories.geometry import dissolve, parse_svg_path, snapped_path
from ptsm.territories.models import Commune, Departement
from ptsm.territories.selectors import (
    FRANCE_GRID,
    Fill,
    departement_outlines,
    france_outlines_map_svg,
)


def square(x: float, y: float, side: float = 1.0) -> str:
    return (
        f"M{x:.4f} {y:.4f}L{x + side:.4f} {y:.4f}L{x + side:.4f} {y + side:.4f}"
        f"L{x:.4f} {y + side:.4f}Z"
    )


def points(path: str) -> set[tuple[int, int]]:
    """The absolute points of a snapped path (one ring)."""
    start, moves = path[1:-1].split("l")
    x, y = map(int, start.split())
    found = {(x, y)}
    numbers = list(map(int, moves.split()))
    for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
        x, y = x + dx, y + dy
        found.add((x, y))
    return found


def test_two_neighbours_dissolve_into_one_ring_without_their_shared_border():
    rings = dissolve([square(0, 0), square(1, 0)])
    assert len(rings) == 1
    assert sorted(rings[0]) == sorted(
        [(0, 0), (10000, 0), (20000, 0), (20000, 10000), (10000, 10000), (0, 10000)]
    )


def test_a_commune_left_out_is_a_hole():
    """Eight communes around a ninth that is not in the territory: the outer ring and a hole."""
    around = [square(x, y) for x in range(3) for y in range(3) if (x, y) != (1, 1)]
    rings = dissolve(around)
    assert len(rings) == 2
    assert sorted(len(r) for r in rings) == [4, 12]  # the hole, the outer boundary


def test_snapping_keeps_a_shared_border_shared_and_drops_specks():
    left, right = dissolve([square(0, 0)]), dissolve([square(1, 0)])
    assert snapped_path(left, 100) == "M0 0l0 100 100 0 0 -100z"  # 1° = 100 cells of 0.01°
    # The shared border (x = 1°) is on both, on the same grid: no gap, no overlap.
    assert {(100, 0), (100, 100)} <= points(snapped_path(left, 100))
    assert {(100, 0), (100, 100)} <= points(snapped_path(right, 100))
    assert snapped_path(dissolve([square(0, 0, side=0.0001)]), 100) == ""  # under a cell


@pytest.mark.django_db
def test_each_departement_has_its_outline_from_its_communes():
    finistere = Departement.objects.get(code="29")
    box = Commune.objects.filter(departement=finistere).aggregate(
        Min("min_x"), Min("min_y"), Max("max_x"), Max("max_y")
    )
    assert finistere.outline.startswith("M")
    assert (finistere.min_x, finistere.max_y) == pytest.approx(
        (box["min_x__min"], box["max_y__max"]), abs=1e-4
    )
    # Far fewer points than its communes have: only the boundary is left.
    communes_points = sum(
        len(ring)
        for path in Commune.objects.filter(departement=finistere).values_list("svg_path", flat=True)
        for ring in parse_svg_path(path)
    )
    assert sum(len(r) for r in parse_svg_path(finistere.outline)) < communes_points / 3


@pytest.mark.django_db
def test_the_map_of_france_draws_every_departement_outline_with_overseas_insets():
    svg = france_outlines_map_svg(
        {"29": Fill("#31688e", "PTSM du Finistère : Mise en œuvre")},
        title="Carte de France par département",
        legend=[("Mise en œuvre", "#31688e")],
    )
    outlines = departement_outlines(grid=FRANCE_GRID)
    assert len(outlines) >= 100
    assert "<title>Finistère (29) — PTSM du Finistère : Mise en œuvre</title>" in svg
    assert "<title>La Réunion (974)</title>" in svg
    assert "<circle" not in svg  # outlines, not discs
    assert len(svg) < 400_000
