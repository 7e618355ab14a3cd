"""Reads of the territories app: communes of a territory, identity card, offline map."""

import math
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils.html import escape

from ptsm.core.formatting import french_number

from .models import Commune, Epci, Territory
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
    communes = territory_communes(territory)
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
        f"<title>Carte du territoire {escape(territory.name)} : {len(rows)} communes, "
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


SEARCH_LIMIT = 15


def search_referential(query: str) -> SearchResults:
    communes = (
        Commune.objects.filter(Q(name__icontains=query) | Q(code__startswith=query))
        .select_related("departement")
        .order_by("-population")[:SEARCH_LIMIT]
    )
    epcis = Epci.objects.filter(Q(name__icontains=query) | Q(code__startswith=query))[:SEARCH_LIMIT]
    return SearchResults(communes=list(communes), epcis=list(epcis))


def default_place(territory: Territory) -> str:
    """Where a letter about the territory is signed by default: the chef-lieu of its (first)
    département, or of the département of its first commune; "" when the referential has none."""
    departement = territory.departements.order_by("code").first()
    if departement is None:
        commune = (
            territory_communes(territory).select_related("departement").order_by("code").first()
        )
        departement = commune.departement if commune else None
    return departement.chef_lieu if departement else ""


def territory_of(territory: Territory) -> str:
    """The territory's name after "de", with its article: "du Finistère", "des Deux-Sèvres";
    the INSEE article when the territory is exactly one département of that name."""
    departements = list(territory.departements.all()[:2])
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


def communes_map_svg(
    communes: QuerySet[Commune],
    fills: dict[str, Fill],
    *,
    title: str,
    legend: list[tuple[str, str]],
    width: int = 640,
) -> str:
    """Offline SVG map of a set of communes (a région), each filled as `fills` says (by INSEE
    code; the others grey), with a legend. Two queries."""
    bounds = communes.aggregate(
        min_x=Min("min_x"), min_y=Min("min_y"), max_x=Max("max_x"), max_y=Max("max_y")
    )
    if bounds["min_x"] is None:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="0" height="0">'
            f"<title>{escape(title)}</title></svg>"
        )
    x_scale = math.cos(math.radians(-(bounds["min_y"] + bounds["max_y"]) / 2))
    span_x = (bounds["max_x"] - bounds["min_x"]) * x_scale or 1e-6
    span_y = bounds["max_y"] - bounds["min_y"] or 1e-6
    height = round(width * span_y / span_x)
    paths = []
    for code, name, path in communes.order_by("code").values_list("code", "name", "svg_path"):
        fill = fills.get(code)
        colour = fill.colour if fill else NO_DATA_COLOUR
        label = f"{name} — {fill.label}" if fill else name
        paths.append(f'<path d="{path}" fill="{colour}"><title>{escape(label)}</title></path>')
    scale_x, scale_y = width / span_x * x_scale, height / span_y
    stroke = span_y / height * 0.4
    legend_height = 18 * len(legend) + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height + legend_height}" viewBox="0 0 {width} {height + legend_height}">'
        f"<title>{escape(title)}</title>"
        f'<g transform="scale({scale_x} {scale_y}) '
        f'translate({-bounds["min_x"]} {-bounds["min_y"]})" stroke="#ffffff" '
        f'stroke-width="{stroke:.5f}" stroke-linejoin="round">{"".join(paths)}</g>'
        f'<g transform="translate(0 {height})">{_legend_svg(legend)}</g>'
        "</svg>"
    )


def departements_map_svg(
    fills: dict[str, Fill],
    *,
    title: str,
    legend: list[tuple[str, str]],
    width: int = 640,
) -> str:
    """Offline SVG map of France by département, light enough for a page: each département of
    metropolitan France is a disc at the centre of its communes, filled as `fills` says (by
    département code; the others grey). Overseas départements are drawn in a row below. One
    query."""
    from django.db.models import Avg, F

    rows = list(
        Commune.objects.values("departement_id", "departement__name")
        .annotate(
            x=Avg((F("min_x") + F("max_x")) / 2),
            y=Avg((F("min_y") + F("max_y")) / 2),
        )
        .order_by("departement_id")
    )
    mainland = [r for r in rows if not r["departement_id"].startswith("97") and r["x"] is not None]
    overseas = [r for r in rows if r["departement_id"].startswith("97")]
    if not mainland:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="0" height="0">'
            f"<title>{escape(title)}</title></svg>"
        )
    min_x, max_x = min(r["x"] for r in mainland), max(r["x"] for r in mainland)
    min_y, max_y = min(r["y"] for r in mainland), max(r["y"] for r in mainland)
    x_scale = math.cos(math.radians(-(min_y + max_y) / 2))
    margin = 16
    inner = width - 2 * margin
    span_x = (max_x - min_x) * x_scale or 1e-6
    height = round(inner * (max_y - min_y) / span_x) + 2 * margin
    scale = inner / span_x

    def disc(row, cx: float, cy: float) -> str:
        fill = fills.get(row["departement_id"])
        colour = fill.colour if fill else NO_DATA_COLOUR
        label = f"{row['departement__name']} ({row['departement_id']})"
        label += f" — {fill.label}" if fill else ""
        return (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="11" fill="{colour}" stroke="#ffffff">'
            f"<title>{escape(label)}</title></circle>"
            f'<text x="{cx:.1f}" y="{cy + 3:.1f}" font-size="8" text-anchor="middle" '
            f'font-family="sans-serif" fill="#161616" aria-hidden="true">'
            f"{escape(row['departement_id'])}</text>"
        )

    discs = [
        disc(r, margin + (r["x"] - min_x) * x_scale * scale, margin + (r["y"] - min_y) * scale)
        for r in mainland
    ]
    discs += [disc(r, margin + 14 + 30 * i, height + 14) for i, r in enumerate(overseas)]
    height += 34 if overseas else 0
    legend_height = 18 * len(legend) + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height + legend_height}" viewBox="0 0 {width} {height + legend_height}">'
        f"<title>{escape(title)}</title>{''.join(discs)}"
        f'<g transform="translate(0 {height})">{_legend_svg(legend)}</g>'
        "</svg>"
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
