"""iCalendar (RFC 5545) files for meetings and the project calendar, written by hand: the format
is small and a dependency would not save much."""

import datetime as dt
from collections.abc import Iterable

PRODID = "-//ptsm//Projets territoriaux de sante mentale//FR"


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): line breaks of any kind (CR LF, lone CR or LF, Unicode
    separators) become the escaped "\\n", so a value can never start a new content line."""
    lines = str(text or "").splitlines()
    return "\\n".join(
        line.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,") for line in lines
    )


def one_line(value: str) -> str:
    """A non-TEXT value (UID, URL): no line break can be escaped there, so they are removed."""
    return "".join(str(value or "").splitlines())


def fold(line: str) -> str:
    """Fold a content line at 75 octets, continuation lines starting with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def event(
    *,
    uid: str,
    summary: str,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    stamp: dt.datetime,
    location: str = "",
    description: str = "",
    url: str = "",
    sequence: int = 0,
    status: str = "CONFIRMED",
) -> list[str]:
    if isinstance(start, dt.datetime):
        start_line, end_line = f"DTSTART:{utc(start)}", f"DTEND:{utc(end)}"
    else:
        start_line = f"DTSTART;VALUE=DATE:{start:%Y%m%d}"
        end_line = f"DTEND;VALUE=DATE:{end:%Y%m%d}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{one_line(uid)}",
        f"DTSTAMP:{utc(stamp)}",
        start_line,
        end_line,
        f"SEQUENCE:{sequence}",
        f"STATUS:{status}",
        f"SUMMARY:{escape(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if url:
        lines.append(f"URL:{one_line(url)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[list[str]], *, name: str, method: str = "PUBLISH") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{one_line(method)}",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for item in events:
        lines.extend(item)
    lines.append("END:VCALENDAR")
    # Last guard: whatever a caller passed, a content line never carries a line break.
    return ("\r\n".join(fold(one_line(line)) for line in lines) + "\r\n").encode("utf-8")
