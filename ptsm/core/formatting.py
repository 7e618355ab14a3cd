"""French formatting shared by pages and generated documents."""

import datetime as dt
import re
from decimal import Decimal

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

# The abbreviations of the Imprimerie nationale (and of the CLDR for French).
MONTH_ABBREVIATIONS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]

_SPACE_BEFORE_HIGH_PUNCTUATION = re.compile(r"[ \u00a0\u202f]*([;!?])")
# A colon gets a no-break space before it when it is spaced or ends a word ("Objectifs: x");
# times (12:30) and scheme separators are left alone.
_SPACE_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]+:(?![/\d])|(?<=[^\s\d:/]):(?=\s|$)")
_GUILLEMET_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_GUILLEMET_CLOSE = re.compile(r"[ \u00a0\u202f]*»")


_URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+")


def _typeset(text: str) -> str:
    text = _SPACE_BEFORE_HIGH_PUNCTUATION.sub(lambda m: NARROW_NBSP + m.group(1), text)
    text = re.sub(NARROW_NBSP + r"([;!?])" + NARROW_NBSP + r"([;!?])", NARROW_NBSP + r"\1\2", text)
    text = _SPACE_BEFORE_COLON.sub(NBSP + ":", text)
    text = _GUILLEMET_OPEN.sub("«" + NBSP, text)
    return _GUILLEMET_CLOSE.sub(NBSP + "»", text)


def french_typography(text: str) -> str:
    """Put the non-breaking spaces French typography requires before ; ! ? : and inside « ».

    URLs, e-mail addresses and times (12:30) are left alone.
    """
    if not text:
        return text
    pieces = []
    position = 0
    for match in _URL_OR_EMAIL.finditer(text):
        pieces.append(_typeset(text[position : match.start()]))
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(_typeset(text[position:]))
    return "".join(pieces)


def french_number(value: float | int, decimals: int = 0) -> str:
    """1234567.8 -> '1 234 568' (narrow no-break space as thousands separator, comma decimal)."""
    formatted = f"{value:,.{decimals}f}"
    return formatted.replace(",", NARROW_NBSP).replace(".", ",")


def french_date(value: dt.date | None) -> str:
    """date(2026, 3, 1) -> '1er mars 2026'."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def french_euros(amount) -> str:
    """The one rule for amounts shown on pages and in documents: cents are kept when there are
    any, never rounded away ('1 000,50 €', '1 000 €'), so that a total always matches its lines."""
    value = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    decimals = 0 if value == value.to_integral_value() else 2
    return f"{french_number(value, decimals)}\u00a0€"


def plural(count: int, singular: str, plural_form: str) -> str:
    """'1 fiche-action validée', '4 fiches-actions validées' (no « (s) » in what users read);
    French takes the singular for 0 and 1. The number gets French thousands separators."""
    return f"{french_number(count)} {singular if abs(count) < 2 else plural_form}"
