"""Accessible SVG bar charts comparing the territory with its département, région and France.
Each chart comes with its data table in the page; masked or missing values draw no bar."""

from django.utils.html import escape

from ptsm.core.formatting import french_number

from .models import Level
from .selectors import LEVELS, IndicatorRow

COLOURS = {
    Level.TERRITORY: "#000091",
    Level.DEPARTEMENT: "#6a6af4",
    Level.REGION: "#8585f6",
    Level.FRANCE: "#929292",
}
LABELS = dict(Level.choices)


def _number(value: float) -> str:
    return french_number(value, 0 if float(value).is_integer() else 1)


def comparison_chart(row: IndicatorRow, *, width: int = 520) -> str:
    bar_height, gap, label_width = 22, 10, 170
    values = [(level, row.values.get(level)) for level in LEVELS]
    numbers = [v.value for _, v in values if v is not None and v.value is not None]
    top = max(numbers) if numbers else 1
    height = len(values) * (bar_height + gap) + gap
    bars = []
    for index, (level, value) in enumerate(values):
        y = gap + index * (bar_height + gap)
        name = LABELS[level]
        if value is not None and not row.single_year:
            name = f"{name} ({value.year})"  # never a value under another year than its own
        label = (
            f'<text x="0" y="{y + 15}" font-size="12" font-family="sans-serif" fill="#161616">'
            f"{escape(name)}</text>"
        )
        if value is None or value.value is None:
            text = "< 11" if value is not None and value.masked else "valeur manquante"
            bars.append(
                label
                + f'<text x="{label_width}" y="{y + 15}" font-size="12" font-family="sans-serif" '
                f'fill="#666">{text}</text>'
            )
            continue
        length = (width - label_width - 70) * value.value / top if top else 0
        bars.append(
            label + f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{COLOURS[level]}"/><text x="{label_width + length + 6:.1f}" y="{y + 15}" font-size="12" '
            f'font-family="sans-serif" fill="#161616">{_number(value.value)}</text>'
        )
    title = (
        f"{row.indicator.label} ({row.indicator.unit}) : territoire, département, région et France"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>{"".join(bars)}</svg>'
    )


def series_chart(row: IndicatorRow, *, width: int = 520) -> str:
    """Every year stored, one line per level (dots only for a single year); the page shows the
    same figures in a table. Empty when there is at most one year."""
    years = row.years
    if len(years) < 2:
        return ""
    points = {
        level: [(v.year, v.value) for v in row.history.get(level, []) if v.value is not None]
        for level in LEVELS
    }
    numbers = [value for series in points.values() for _, value in series]
    if not numbers:
        return ""
    left, right, top, bottom, height = 60, 20, 16, 40, 200
    low, high = min(0.0, min(numbers)), max(numbers) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / (len(years) - 1)

    def x(year: int) -> float:
        return left + years.index(year) * step

    def y(value: float) -> float:
        return top + plot_h - (value - low) / (high - low or 1) * plot_h

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#929292"/>',
        f'<text x="{left - 6}" y="{y(high) + 4:.1f}" font-size="11" text-anchor="end" '
        f'font-family="sans-serif" fill="#161616">{_number(high)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h + 4}" font-size="11" text-anchor="end" '
        f'font-family="sans-serif" fill="#161616">{_number(low)}</text>',
    ]
    for year in years:
        parts.append(
            f'<text x="{x(year):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
            f'font-family="sans-serif" fill="#161616">{year}</text>'
        )
    legend_x = left
    for level in LEVELS:
        series = points[level]
        if not series:
            continue
        colour = COLOURS[level]
        path = " ".join(f"{x(year):.1f},{y(value):.1f}" for year, value in series)
        if len(series) > 1:
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        parts.extend(
            f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}"/>'
            for year, value in series
        )
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{height - 5}" font-size="11" font-family="sans-serif" '
            f'fill="#161616">{escape(LABELS[level])}</text>'
        )
        legend_x += 14 + 8 * len(LABELS[level]) + 12
    title = f"{row.indicator.label} ({row.indicator.unit}) : évolution de {years[0]} à {years[-1]}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" height="{height}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" style="max-width:{width}px">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )
