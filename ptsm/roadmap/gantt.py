"""The roadmap's timeline (Gantt chart) as an offline, accessible SVG."""

import datetime as dt

from django.utils.html import escape

from ptsm.core.formatting import MONTHS

ROW, LABEL, TOP = 26, 300, 34
STATUS_COLOURS = {
    "projet": "#929292",
    "validee": "#000091",
    "en_cours": "#6a6af4",
    "realisee": "#18753c",
    "reportee": "#b34000",
    "abandonnee": "#ce0500",
}


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], dt.date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def gantt_svg(rows, start: dt.date | None, end: dt.date | None, *, width: int = 1100) -> str:
    if start is None or end is None:
        return ""
    months = _months(start, end)
    first, last = months[0], dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
    days = (last - first).days or 1
    scale = (width - LABEL - 10) / days

    def x(day: dt.date) -> float:
        return LABEL + (day - first).days * scale

    height = TOP + ROW * len(rows) + 10
    grid = "".join(
        f'<line x1="{x(m):.1f}" y1="{TOP - 6}" x2="{x(m):.1f}" y2="{height}" stroke="#e5e5e5"/>'
        f'<text x="{x(m) + 2:.1f}" y="{TOP - 10}" font-size="9" font-family="sans-serif" fill="#666">'
        f"{MONTHS[m.month - 1][:4]}. {str(m.year)[2:]}</text>"
        for m in months
    )
    bars = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        action = row.action
        label = escape(f"{action.code} {action.title}"[:48])
        bars.append(
            f'<text x="4" y="{y + 16}" font-size="11" font-family="sans-serif" fill="#161616">{label}</text>'
        )
        if row.start and row.end:
            colour = STATUS_COLOURS.get(action.status, "#000091")
            bars.append(
                f'<rect x="{x(row.start):.1f}" y="{y + 5}" width="{max(2.0, x(row.end) - x(row.start)):.1f}" '
                f'height="14" rx="2" fill="{colour}"><title>{escape(action.title)} : '
                f"{row.start:%d/%m/%Y} – {row.end:%d/%m/%Y} ({escape(action.get_status_display())})</title></rect>"
            )
        for milestone in row.milestones:
            cx = x(milestone.due_date)
            bars.append(
                f'<path d="M{cx:.1f} {y + 4}l6 8l-6 8l-6 -8z" fill="#e1000f" stroke="#fff">'
                f"<title>Jalon : {escape(milestone.title)} ({milestone.due_date:%d/%m/%Y})</title></path>"
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>Calendrier des fiches-actions et de leurs jalons</title>'
        f"{grid}{''.join(bars)}</svg>"
    )
