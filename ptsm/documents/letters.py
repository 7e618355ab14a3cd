"""What every letter shares (lettre de cadrage, lettres d'engagement): the letterhead with the
signing institutions' logos, the addressees, the object, the closing formula and the place.

The shapes are read by `ptsm.typ` (`ptsm-letter`, `letter-closing`, `signature-blocks`) and by
`DocxTemplateBuilder.letterhead` / `letter_closing` / `signature_blocks`.
"""

import base64
import io
from dataclasses import dataclass

from django.conf import settings

CLOSING = (
    "Nous vous prions d'agréer, Madame, Monsieur, l'expression de notre considération distinguée."
)
MIMES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _logo(file) -> dict | None:
    """A stored logo as data for both renderers, or None when it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    if not file:
        return None
    try:
        with file.open("rb") as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, UnidentifiedImageError):
        return None
    if kind not in MIMES:
        return None
    return {
        "data": base64.b64encode(data).decode("ascii"),
        "width": width,
        "height": height,
        "mime": MIMES[kind],
    }


def letter_frame(
    *,
    institutions: list[tuple[str, object]],
    place: str,
    subject: str,
    addressees: list[str],
    closing: str = CLOSING,
    salutation: str = "Madame, Monsieur,",
    draft_mark: str = "",
) -> dict:
    """`institutions`: (name, logo file or None) of each signing institution, in order. The
    letterhead style is a setting (`PTSM_LETTERHEAD`): only "etat" shows the State block.
    `draft_mark` says, on a letter not yet validated, that it is a draft (not to be signed)."""
    entries, logos = [], {}
    for index, (name, file) in enumerate(institutions):
        logo = _logo(file)
        key = f"logo{index}" if logo else ""
        if logo:
            logos[key] = logo
        entries.append({"name": name, "logo": key})
    blank = {"name": "", "logo": ""}
    return {
        "letter": {
            "letterhead": {
                "state": settings.PTSM_LETTERHEAD == "etat",
                "institutions": entries,
                "slots": (entries + [blank, blank])[:2],  # the DOCX letterhead has two cells
            },
            "place": place,
            "object": subject,
            "addressees": addressees,
            "salutation": salutation,
            "closing": closing,
            "draft_mark": draft_mark,
        },
        "logos": logos,
    }


@dataclass(frozen=True)
class Missing:
    """Something a letter needs before it goes to review or to signature, and where to fix it."""

    label: str
    url: str


def not_ready_message(missing: list[Missing]) -> str:
    return "La lettre n'est pas prête : " + " ; ".join(m.label.rstrip(".") for m in missing) + "."
