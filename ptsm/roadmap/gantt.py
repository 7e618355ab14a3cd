"""The roadmap's timeline (Gantt chart) as an offline, accessible SVG, for its page and its
document: French month abbreviations, bars coloured by status with their legend, a line for
today, labels cut with an ellipsis whose full text is given on hover and to screen readers."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.html import escape

from ptsm.core.formatting import MONTH_ABBREVIATIONS, french_date

from .models import ActionStatus

ROW, LABEL, LEGEND, TOP = 26, 300, 22, 58
LABEL_CHARS = 50  # what fits in LABEL pixels at 11 px
MIN_MONTH_LABEL_SPACING = 50  # pixels between two month labels ("sept. 2027" is 45 px wide)
STATUS_COLOURS = {
    ActionStatus.DRAFT: "#929292",
    ActionStatus.VALIDATED: "#000091",
    ActionStatus.IN_PROGRESS: "#6a6af4",
    ActionStatus.DONE: "#18753c",
    ActionStatus.POSTPONED: "#b34000",
    ActionStatus.ABANDONED: "#ce0500",
}
MILESTONE_COLOUR = "#e1000f"
TODAY_COLOUR = "#ce0500"


@dataclass
class GanttRow:
    label: str  # "1.1.1.1 Créer une plateforme…"
    status: str
    status_label: str
    start: dt.date | None
    end: dt.date | None
    milestones: list[tuple[str, dt.date]] = field(default_factory=list)


def rows_from_timeline(timeline_rows) -> list[GanttRow]:
    """From `selectors.timeline` (the page)."""
    return [
        GanttRow(
            label=f"{r.action.code} {r.action.title}",
            status=r.action.status,
            status_label=r.action.get_status_display(),
            start=r.start,
            end=r.end,
            milestones=[(m.title, m.due_date) for m in r.milestones],
        )
        for r in timeline_rows
    ]


def rows_from_context(timeline: list[dict]) -> list[GanttRow]:
    """From a document's context (plain data, dates in ISO format)."""

    def day(value):
        return dt.date.fromisoformat(value) if value else None

    return [
        GanttRow(
            label=r["label"],
            status=r["status"],
            status_label=r["status_label"],
            start=day(r["start"]),
            end=day(r["end"]),
            milestones=[(m["title"], day(m["date"])) for m in r["milestones"]],
        )
        for r in timeline
    ]


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], dt.date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def month_label(month: dt.date) -> str:
    """date(2027, 2, 1) -> 'févr. 2027'."""
    return f"{MONTH_ABBREVIATIONS[month.month - 1]} {month.year}"


def short_label(text: str) -> str:
    """The label cut between words, with an ellipsis, when it is longer than its column."""
    if len(text) <= LABEL_CHARS:
        return text
    cut = text[: LABEL_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"


def _period(row: GanttRow) -> str:
    if row.start and row.end:
        return f"du {french_date(row.start)} au {french_date(row.end)}"
    return "non daté"


def _dates(rows: list[GanttRow]) -> list[dt.date]:
    return [d for r in rows for d in (r.start, r.end, *(m[1] for m in r.milestones)) if d]


def gantt_svg(
    rows: list[GanttRow],
    today: dt.date | None = None,
    *,
    width: int = 1100,
    span: tuple[dt.date, dt.date] | None = None,
) -> str:
    """`span`: the first and last days shown (by default, those of the rows)."""
    dates = _dates(rows)
    if not dates:
        return ""
    start, end = span or (min(dates), max(dates))
    months = _months(start, end)
    first, last = months[0], dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
    days = (last - first).days or 1
    scale = (width - LABEL - 10) / days

    def x(day: dt.date) -> float:
        return LABEL + (day - first).days * scale

    height = TOP + ROW * len(rows) + 10
    shows_today = today is not None and first <= today < last
    parts = [_legend(rows, shows_today)]
    step = max(1, -(-MIN_MONTH_LABEL_SPACING // max(1, int(scale * 30.4))))
    for index, month in enumerate(months):
        parts.append(
            f'<line x1="{x(month):.1f}" y1="{TOP - 6}" x2="{x(month):.1f}" y2="{height}" '
            'stroke="#e5e5e5"/>'
        )
        if index % step == 0:
            parts.append(
                f'<text x="{x(month) + 2:.1f}" y="{TOP - 10}" font-size="9" '
                f'font-family="sans-serif" fill="#666">{month_label(month)}</text>'
            )
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        colour = STATUS_COLOURS.get(row.status, "#000091")
        description = f"{row.label} — {row.status_label}, {_period(row)}"
        if row.milestones:
            description += " ; jalons : " + " ; ".join(
                f"{title} ({french_date(day)})" for title, day in row.milestones
            )
        # One group per action: its title gives the full label on hover, its aria-label reads
        # the whole row (label, status, period, milestones) to screen readers.
        parts.append(
            f'<g role="img" aria-label="{escape(description)}"><title>{escape(description)}</title>'
            f'<text x="4" y="{y + 16}" font-size="11" font-family="sans-serif" fill="#161616">'
            f"{escape(short_label(row.label))}</text>"
        )
        if row.start and row.end:
            parts.append(
                f'<rect x="{x(row.start):.1f}" y="{y + 5}" '
                f'width="{max(2.0, x(row.end) - x(row.start)):.1f}" height="14" rx="2" '
                f'fill="{colour}"/>'
            )
        for title, day in row.milestones:
            cx = x(day)
            parts.append(
                f'<path d="M{cx:.1f} {y + 4}l6 8l-6 8l-6 -8z" fill="{MILESTONE_COLOUR}" '
                f'stroke="#fff"><title>Jalon : {escape(title)} ({french_date(day)})</title></path>'
            )
        parts.append("</g>")
    if shows_today:
        tx = x(today)
        parts.append(
            f'<g class="ptsm-gantt-today"><line x1="{tx:.1f}" y1="{TOP - 4}" x2="{tx:.1f}" '
            f'y2="{height}" stroke="{TODAY_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{tx + 3:.1f}" y="{height - 2}" font-size="9" font-family="sans-serif" '
            f'fill="{TODAY_COLOUR}">aujourd\'hui</text>'
            f"<title>Aujourd'hui : {french_date(today)}</title></g>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="gantt-title" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        '<title id="gantt-title">Calendrier des fiches-actions et de leurs jalons</title>'
        f"{''.join(parts)}</svg>"
    )


def gantt_pages(
    rows: list[GanttRow], today: dt.date | None, *, width: int, rows_per_page: int
) -> list[str]:
    """The chart cut into pages of at most `rows_per_page` fiches-actions, on one time scale (a
    printed calendar of 300 fiches-actions continues on the next pages instead of shrinking)."""
    dates = _dates(rows)
    if not dates:
        return []
    span = (min(dates), max(dates))
    return [
        gantt_svg(rows[i : i + rows_per_page], today, width=width, span=span)
        for i in range(0, len(rows), rows_per_page)
    ]


def _legend(rows: list[GanttRow], shows_today: bool) -> str:
    """The statuses shown, in their workflow order, then the milestone symbol."""
    present = {r.status for r in rows}
    items = [(s.label, STATUS_COLOURS[s]) for s in ActionStatus if s in present]
    parts, left = ['<g class="ptsm-gantt-legend" aria-hidden="true">'], 4
    for label, colour in items:
        parts.append(
            f'<rect x="{left}" y="4" width="14" height="10" rx="2" fill="{colour}"/>'
            f'<text x="{left + 18}" y="13" font-size="10" font-family="sans-serif" '
            f'fill="#161616">{escape(label)}</text>'
        )
        left += 26 + 6 * len(label)
    parts.append(
        f'<path d="M{left + 6} 3l5 6l-5 6l-5 -6z" fill="{MILESTONE_COLOUR}"/>'
        f'<text x="{left + 16}" y="13" font-size="10" font-family="sans-serif" '
        f'fill="#161616">Jalon</text>'
    )
    if shows_today:
        parts.append(
            f'<line x1="{left + 64}" y1="2" x2="{left + 64}" y2="16" stroke="{TODAY_COLOUR}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/><text x="{left + 70}" y="13" '
            f'font-size="10" font-family="sans-serif" fill="#161616">Aujourd\'hui</text>'
        )
    parts.append("</g>")
    return "".join(parts)
