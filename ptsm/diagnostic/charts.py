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
        label = (
            f'<text x="0" y="{y + 15}" font-size="12" font-family="sans-serif" fill="#161616">'
            f"{escape(LABELS[level])}</text>"
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
