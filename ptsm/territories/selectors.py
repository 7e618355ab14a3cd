"""Reads of the territories app: communes of a territory, identity card, offline map."""

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils.html import escape

from ptsm.core.formatting import french_number, plural

from .geometry import UNITS_PER_DEGREE, dissolve, parse_svg_path, snapped_path
from .models import Commune, Departement, Epci, ReferentialVersion, Territory
from .naming import of_name

# Light to dark blue (DSFR "bleu France" scale); five density classes.
DENSITY_COLOURS = ["#e3e3fd", "#cacafb", "#8585f6", "#4b4bd6", "#000091"]
NO_DATA_COLOUR = "#d5d5d5"


def territory_communes(territory: Territory) -> QuerySet[Commune]:
    """Communes covered by a territory: its départements, its EPCI and its listed communes.

    Built from subqueries so that it costs one query whatever the size of the territory.
    """
    through_departement = Territory.departements.through.objects.filter(territory_id=territory.pk)
    through_epci = Territory.epcis.through.objects.filter(territory_id=territory.pk)
    through_commune = Territory.communes.through.objects.filter(territory_id=territory.pk)
    return Commune.objects.filter(
        Q(departement_id__in=through_departement.values("departement_id"))
        | Q(epci_id__in=through_epci.values("epci_id"))
        | Q(code__in=through_commune.values("commune_id"))
    )


@dataclass(frozen=True)
class TerritoryCard:
    """Carte d'identité du territoire: key figures (more indicators come with the diagnostic)."""

    name: str
    population: int
    communes: int
    epcis: int
    area_km2: float
    departements: list[str]

    @property
    def density(self) -> float:
        return self.population / self.area_km2 if self.area_km2 else 0.0

    def as_rows(self) -> list[tuple[str, str]]:
        from ptsm.core.formatting import french_number

        return [
            ("Population municipale", f"{french_number(self.population)} habitants"),
            ("Communes", french_number(self.communes)),
            ("EPCI", french_number(self.epcis)),
            ("Superficie", f"{french_number(self.area_km2, 0)} km²"),
            ("Densité", f"{french_number(self.density, 1)} hab./km²"),
            (
                "Département" if len(self.departements) == 1 else "Départements",
                ", ".join(self.departements) or "—",
            ),
        ]


def territory_card(territory: Territory) -> TerritoryCard:
    communes = territory_communes(territory)
    figures = communes.aggregate(
        population=Sum("population"),
        communes=Count("code"),
        epcis=Count("epci", distinct=True),
        area=Sum("area_km2"),
    )
    departements = (
        communes.order_by("departement_id").values_list("departement__name", flat=True).distinct()
    )
    return TerritoryCard(
        name=territory.name,
        population=figures["population"] or 0,
        communes=figures["communes"] or 0,
        epcis=figures["epcis"] or 0,
        area_km2=figures["area"] or 0.0,
        departements=list(departements),
    )


def _density_thresholds(densities: list[float]) -> list[float]:
    """Quintile limits, so that each colour covers about a fifth of the communes."""
    ordered = sorted(densities)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, len(ordered) * k // 5)] for k in range(1, 5)]


def _density_class(density: float, thresholds: list[float]) -> int:
    return sum(1 for limit in thresholds if density >= limit)


@dataclass(frozen=True)
class MapPoint:
    longitude: float
    latitude: float
    colour: str
    label: str


def territory_map_svg(
    territory: Territory,
    *,
    width: int = 640,
    values: dict[str, float] | None = None,
    unit: str = "hab./km²",
    points: list[MapPoint] = (),
    legend_points: list[tuple[str, str]] = (),
    no_data_label: str = "",
) -> str:
    """Offline SVG map of the territory, communes shaded in five classes.

    By default communes are shaded by population density; `values` (by INSEE code) shades them by
    another measure. With `no_data_label`, communes absent from `values` are shown apart (grey)
    instead of counting as 0. `points` places markers (organisations) by longitude/latitude. Paths are
    stored in (longitude, -latitude) degrees; a horizontal scale by cos(latitude) gives a faithful
    local aspect ratio without any tile server.
    """
    return communes_map_svg(
        territory_communes(territory),
        f"Carte du territoire {territory.name}",
        width=width,
        values=values,
        unit=unit,
        points=points,
        legend_points=legend_points,
        no_data_label=no_data_label,
    )


def communes_map_svg(
    communes: QuerySet[Commune],
    title: str,
    *,
    width: int = 640,
    values: dict[str, float] | None = None,
    unit: str = "hab./km²",
    points: list[MapPoint] = (),
    legend_points: list[tuple[str, str]] = (),
    no_data_label: str = "",
) -> str:
    """The map of any set of communes (a territory, a selection being made), as
    `territory_map_svg` describes."""
    bounds = communes.aggregate(
        min_x=Min("min_x"), min_y=Min("min_y"), max_x=Max("max_x"), max_y=Max("max_y")
    )
    rows = list(
        communes.order_by("code").values_list("code", "name", "population", "area_km2", "svg_path")
    )
    if not rows or bounds["min_x"] is None:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="0" height="0">'
            "<title>Aucune commune dans le territoire</title></svg>"
        )
    x_scale = math.cos(math.radians(-(bounds["min_y"] + bounds["max_y"]) / 2))
    span_x = (bounds["max_x"] - bounds["min_x"]) * x_scale or 1e-6
    span_y = bounds["max_y"] - bounds["min_y"] or 1e-6
    height = round(width * span_y / span_x)
    if values is None:
        measures = [pop / area if area else 0.0 for _, _, pop, area, _ in rows]
    else:
        default = None if no_data_label else 0.0
        measures = [values.get(code, default) for code, *_ in rows]
    known = [m for m in measures if m is not None]
    # Rates and shares given as values keep a decimal; counts and densities do not.
    decimals = (
        1
        if values is not None
        and known
        and max(known) < 100
        and any(not float(m).is_integer() for m in known)
        else 0
    )
    thresholds = _density_thresholds(known)
    paths = []
    for (_code, name, _population, _area, path), measure in zip(rows, measures, strict=True):
        if measure is None:
            colour, label = NO_DATA_COLOUR, no_data_label
        else:
            colour = DENSITY_COLOURS[_density_class(measure, thresholds)]
            label = f"{french_number(measure, decimals)} {unit}"
        paths.append(
            f'<path d="{path}" fill="{colour}"><title>{escape(name)} — {escape(label)}</title></path>'
        )
    legend_items = [f"< {french_number(thresholds[0], decimals)}"] if thresholds else []
    legend_items += [
        f"{french_number(low, decimals)} à {french_number(high, decimals)}"
        for low, high in zip(thresholds, thresholds[1:], strict=False)
    ]
    if thresholds:
        legend_items.append(f"≥ {french_number(thresholds[-1], decimals)}")
    classes = [(f"{label} {unit}", DENSITY_COLOURS[i]) for i, label in enumerate(legend_items)]
    if None in measures:
        classes.append((no_data_label, NO_DATA_COLOUR))
    legend = "".join(
        f'<g transform="translate(8 {8 + 18 * i})"><rect width="14" height="14" '
        f'fill="{colour}" stroke="#666" stroke-width="0.5"/>'
        f'<text x="20" y="11" font-size="11" font-family="sans-serif" fill="#161616">'
        f"{escape(label)}</text></g>"
        for i, (label, colour) in enumerate(classes)
    )
    legend += "".join(
        f'<g transform="translate(230 {8 + 18 * i})"><circle cx="7" cy="7" r="5" fill="{colour}" '
        f'stroke="#fff" stroke-width="1"/><text x="20" y="11" font-size="11" font-family="sans-serif" '
        f'fill="#161616">{escape(label)}</text></g>'
        for i, (label, colour) in enumerate(legend_points)
    )
    scale_x, scale_y = width / span_x * x_scale, height / span_y
    markers = "".join(
        f'<circle cx="{(p.longitude - bounds["min_x"]) * scale_x:.1f}" '
        f'cy="{(-p.latitude - bounds["min_y"]) * scale_y:.1f}" r="4" fill="{p.colour}" '
        f'stroke="#ffffff" stroke-width="1"><title>{escape(p.label)}</title></circle>'
        for p in points
    )
    stroke = span_y / height * 0.6
    legend_height = 18 * max(len(classes), len(legend_points)) + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height + legend_height}" viewBox="0 0 {width} {height + legend_height}">'
        f"<title>{escape(title)} : {plural(len(rows), 'commune', 'communes')}, "
        f"teintées selon {'la densité de population' if values is None else escape(unit)}</title>"
        f'<g transform="scale({scale_x} {scale_y}) '
        f'translate({-bounds["min_x"]} {-bounds["min_y"]})" stroke="#ffffff" '
        f'stroke-width="{stroke:.5f}" stroke-linejoin="round">{"".join(paths)}</g>'
        f"{markers}"
        f'<g transform="translate(0 {height})">{legend}</g>'
        "</svg>"
    )


@dataclass(frozen=True)
class SearchResults:
    communes: list[Commune]
    epcis: list[Epci]
    departements: list[Departement] = ()


SEARCH_LIMIT = 15


def search_referential(query: str) -> SearchResults:
    communes = (
        Commune.objects.filter(Q(name__icontains=query) | Q(code__startswith=query))
        .select_related("departement")
        .order_by("-population")[:SEARCH_LIMIT]
    )
    epcis = Epci.objects.filter(Q(name__icontains=query) | Q(code__startswith=query))[:SEARCH_LIMIT]
    departements = (
        Departement.objects.filter(Q(name__icontains=query) | Q(code__iexact=query))
        .only("code", "name")
        .order_by("code")[:SEARCH_LIMIT]
    )
    return SearchResults(
        communes=list(communes), epcis=list(epcis), departements=list(departements)
    )


def selection_communes(
    departement_codes: list[str], epci_codes: list[str], commune_codes: list[str]
) -> QuerySet[Commune]:
    """The communes a territory being defined would cover (as `territory_communes` for a saved
    one): every commune of its départements and EPCI, and the communes listed."""
    return Commune.objects.filter(
        Q(departement_id__in=departement_codes)
        | Q(epci_id__in=epci_codes)
        | Q(code__in=commune_codes)
    )


def default_place(territory: Territory) -> str:
    """Where a letter about the territory is signed by default: the chef-lieu of its (first)
    département, or of the département of its first commune; "" when the referential has none."""
    departement = territory.departements.defer("outline").order_by("code").first()
    if departement is None:
        commune = (
            territory_communes(territory).select_related("departement").order_by("code").first()
        )
        departement = commune.departement if commune else None
    return departement.chef_lieu if departement else ""


def territory_of(territory: Territory) -> str:
    """The territory's name after "de", with its article: "du Finistère", "des Deux-Sèvres";
    the INSEE article when the territory is exactly one département of that name."""
    # Name and article only: a département's outline weighs hundreds of kilobytes.
    departements = list(territory.departements.only("code", "name", "name_type")[:2])
    if len(departements) == 1 and departements[0].name == territory.name:
        return of_name(territory.name, departements[0].name_type)
    return of_name(territory.name)


# Maps of several territories (regional and national cockpit).


def communes_by_territory(territory_ids) -> dict[int, set[str]]:
    """Territory → INSEE codes of the communes it covers (its départements, EPCI and listed
    communes), for many territories in three queries."""
    ids = list(territory_ids)
    covered: dict[int, set[str]] = {pk: set() for pk in ids}
    for relation in ("departement__territory", "epci__territory", "territory"):
        rows = Commune.objects.filter(**{f"{relation}__in": ids}).values_list(
            "code", f"{relation}__id"
        )
        for code, territory_id in rows:
            covered[territory_id].add(code)
    return covered


@dataclass(frozen=True)
class Fill:
    colour: str
    label: str


def _legend_svg(legend: list[tuple[str, str]]) -> str:
    return "".join(
        f'<g transform="translate(8 {8 + 18 * i})"><rect width="14" height="14" '
        f'fill="{colour}" stroke="#666" stroke-width="0.5"/>'
        f'<text x="20" y="11" font-size="11" font-family="sans-serif" fill="#161616">'
        f"{escape(label)}</text></g>"
        for i, (label, colour) in enumerate(legend)
    )


def departements_by_territory(territory_ids) -> dict[int, set[str]]:
    """Territory → codes of the départements it reaches (wholly or through some of its
    communes), for many territories in three queries."""
    ids = list(territory_ids)
    reached: dict[int, set[str]] = {pk: set() for pk in ids}
    for relation in ("departement__territory", "epci__territory", "territory"):
        rows = (
            Commune.objects.filter(**{f"{relation}__in": ids})
            .values_list("departement_id", f"{relation}__id")
            .distinct()
        )
        for code, territory_id in rows:
            reached[territory_id].add(code)
    return reached


# Maps drawn from outlines (the cockpit's région and France): a département or a territory is
# one path, its communes' boundary (`geometry.dissolve`), simplified for the map's scale.

REGION_GRID = 25  # 1e-4 degree units: 0.0025°, under a pixel on a région's map
FRANCE_GRID = 150  # 0.015°, about a pixel on the map of France


def referential_stamp() -> str:
    """Changes whenever the referential is read again: the key of the geometry cached for the
    maps (it does not change between two loads)."""
    last = ReferentialVersion.objects.aggregate(last=Max("loaded_at"))["last"]
    return last.strftime("%Y%m%d%H%M%S%f") if last else "aucun"


@dataclass(frozen=True)
class Outline:
    key: str  # département code, territory id
    label: str
    path: str  # `geometry.snapped_path` data, in grid cells
    bounds: tuple[float, float, float, float]  # min_x, min_y, max_x, max_y in degrees


def departement_outlines(*, grid: int, region_code: str | None = None) -> list[Outline]:
    """The départements (of a région, or all), simplified for `grid`: read and simplified once
    per referential load (cached), then one query."""
    key = f"ptsm:carte:departements:{referential_stamp()}:{grid}:{region_code or 'france'}"
    outlines = cache.get(key)
    if outlines is None:
        departements = Departement.objects.exclude(outline="").order_by("code")
        if region_code is not None:
            departements = departements.filter(region_id=region_code)
        outlines = [
            Outline(
                d.code,
                f"{d.name} ({d.code})",
                snapped_path(parse_svg_path(d.outline), grid),
                (d.min_x, d.min_y, d.max_x, d.max_y),
            )
            for d in departements
        ]
        cache.set(key, outlines, timeout=None)
    return outlines


def territory_outlines(territory_ids, *, grid: int) -> dict[int, str]:
    """Territory → its outline simplified for `grid` (path data), cached by its communes: four
    queries, five when a territory was never drawn."""
    covered = communes_by_territory(territory_ids)
    stamp = referential_stamp()
    keys = {
        pk: "ptsm:carte:territoire:{}:{}:{}".format(
            stamp, grid, hashlib.sha256(",".join(sorted(codes)).encode()).hexdigest()
        )
        for pk, codes in covered.items()
    }
    found = cache.get_many(list(set(keys.values())))
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        needed = set().union(*(covered[pk] for pk in missing))
        paths = dict(Commune.objects.filter(code__in=needed).values_list("code", "svg_path"))
        drawn = {
            keys[pk]: snapped_path(
                dissolve(paths[code] for code in covered[pk] if code in paths), grid
            )
            for pk in missing
        }
        cache.set_many(drawn, timeout=None)
        found.update(drawn)
    return {pk: found[key] for pk, key in keys.items()}


def _outlines_svg(
    base: list[Outline],
    bounds: tuple[float, float, float, float],
    shapes: list[tuple[str, Fill]],
    *,
    grid: int,
    width: int,
    x: float = 0,
    y: float = 0,
) -> tuple[str, int]:
    """One map's group (its départements in grey, then the shapes on top) fitted to `width`;
    returns the group and its height."""
    min_x, min_y, max_x, max_y = bounds
    x_scale = math.cos(math.radians(-(min_y + max_y) / 2))
    span_x = (max_x - min_x) * x_scale or 1e-6
    span_y = max_y - min_y or 1e-6
    height = round(width * span_y / span_x)
    if height > width * 1.2:  # a tall département (an overseas inset): fit the height instead
        height = round(width * 1.2)
        width = round(height * span_x / span_y)
    cell = grid / UNITS_PER_DEGREE
    scale_x, scale_y = width / span_x * x_scale * cell, height / span_y * cell
    parts = [
        f'<path d="{o.path}" fill="{NO_DATA_COLOUR}" stroke="#ffffff" stroke-width="1.2">'
        f"<title>{escape(o.label)}</title></path>"
        for o in base
    ]
    parts += [
        f'<path d="{path}" fill="{fill.colour}" stroke="#3a3a3a" stroke-width="0.8">'
        f"<title>{escape(fill.label)}</title></path>"
        for path, fill in shapes
        if path
    ]
    group = (
        f'<g transform="translate({x} {y}) scale({scale_x:.6g} {scale_y:.6g}) '
        f'translate({-min_x / cell:.6g} {-min_y / cell:.6g})" fill-rule="evenodd" '
        f'stroke-linejoin="round">{"".join(parts)}</g>'
    )
    return group.replace("<path ", '<path vector-effect="non-scaling-stroke" '), height


def _empty_map(title: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="0" height="0">'
        f"<title>{escape(title)}</title></svg>"
    )


def _framed(title: str, body: str, width: int, height: int, legend: list) -> str:
    """The map with its legend below (none: the page shows it in HTML)."""
    legend_height = 18 * len(legend) + 10 if legend else 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height + legend_height}" viewBox="0 0 {width} {height + legend_height}">'
        f"<title>{escape(title)}</title>{body}"
        f'<g transform="translate(0 {height})">{_legend_svg(legend)}</g>'
        "</svg>"
    )


def _enclosing(outlines: list[Outline]) -> tuple[float, float, float, float]:
    return (
        min(o.bounds[0] for o in outlines),
        min(o.bounds[1] for o in outlines),
        max(o.bounds[2] for o in outlines),
        max(o.bounds[3] for o in outlines),
    )


def region_outlines_map_svg(
    region_code: str,
    territories: list[tuple[int, Fill]],
    *,
    title: str,
    legend: list[tuple[str, str]],
    width: int = 640,
) -> str:
    """Offline SVG map of a région: its départements' outlines in grey, each territory's outline
    on top, filled as its `Fill` says (the last one given is drawn on top). Light: one path per
    département and per territory, whatever the number of communes."""
    base = departement_outlines(grid=REGION_GRID, region_code=region_code)
    if not base:
        return _empty_map(title)
    drawn = territory_outlines([pk for pk, _ in territories], grid=REGION_GRID)
    group, height = _outlines_svg(
        base,
        _enclosing(base),
        [(drawn[pk], fill) for pk, fill in territories],
        grid=REGION_GRID,
        width=width,
    )
    return _framed(title, group, width, height, legend)


def france_outlines_map_svg(
    fills: dict[str, Fill],
    *,
    title: str,
    legend: list[tuple[str, str]],
    width: int = 640,
) -> str:
    """Offline SVG map of France by département (outlines), each filled as `fills` says (by
    département code; the others grey); the overseas départements in a row of insets below."""
    outlines = departement_outlines(grid=FRANCE_GRID)
    mainland = [o for o in outlines if not o.key.startswith("97")]
    overseas = [o for o in outlines if o.key.startswith("97")]
    if not outlines:
        return _empty_map(title)

    def shapes(items: list[Outline]) -> list[tuple[str, Fill]]:
        return [
            (o.path, Fill(fills[o.key].colour, f"{o.label} — {fills[o.key].label}"))
            for o in items
            if o.key in fills
        ]

    body, height = "", 0
    if mainland:
        body, height = _outlines_svg(
            mainland, _enclosing(mainland), shapes(mainland), grid=FRANCE_GRID, width=width
        )
    inset = 72
    for i, outline in enumerate(overseas):
        group, _ = _outlines_svg(
            [outline],
            outline.bounds,
            shapes([outline]),
            grid=FRANCE_GRID,
            width=inset - 12,
            x=8 + i * inset,
            y=height + 8,
        )
        body += group
    if overseas:
        height += inset + 8
    return _framed(title, body, width, height, legend)
