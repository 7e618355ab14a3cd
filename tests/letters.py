"""Checks shared by the letters' tests (lettre de cadrage, lettres d'engagement): what a reader of
the generated DOCX or PDF sees."""

import io
import re

from docx import Document
from pypdf import PdfReader

# Guidance of the seeds (« Présentation du document »): never in a letter.
GUIDANCE = [
    "Présentation du document",
    "PRESENTATION DU DOCUMENT",
    "Facteurs clés de succès",
    "Fiches associées",
    "Outils associés",
    "La rédaction du document incombe",
    "Acteurs concernés",
]
# Placeholders and "(s)" plurals: never in a letter; nor the generator's line on the pages.
FORBIDDEN = ["(s)", "(e)", "à préciser", "à compléter", "XXX", "Document généré"]


def flat(text: str) -> str:
    """One line, every kind of space a plain space (French typography adds no-break spaces), words
    hyphenated at a line's end joined again."""
    # pypdf reads Typst's hyphen as a soft hyphen: at a line's end it joins a hyphenated word,
    # elsewhere it is the hyphen of a compound name ("Jean-Yves").
    text = re.sub("\u00ad\\s+", "", text).replace("\u00ad", "-")
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def docx_paragraphs(data: bytes) -> str:
    """Body paragraphs, tables and footers of a DOCX, in reading order."""
    document = Document(io.BytesIO(data))
    parts = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for cell_text in block.iter():
                if cell_text.tag.endswith("}t"):
                    parts.append(cell_text.text or "")
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs + section.header.paragraphs)
    return "\n".join(parts)


def pdf_pages(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def assert_in_order(text: str, items: list[str]) -> None:
    position = 0
    for item in items:
        found = text.find(flat(item), position)
        assert found >= 0, f"« {item} » manquant ou hors d'ordre"
        position = found + 1


def assert_clean_letter(text: str) -> None:
    for guidance in GUIDANCE:
        assert guidance not in text, guidance
    for forbidden in FORBIDDEN:
        assert forbidden not in text, forbidden
    assert not re.search(r"\bX{2,}\b", text)


def assert_signature_blocks_each_on_one_page(data: bytes, names: list[str]) -> None:
    """Each signatory's name and the "Date :" under it are on the same PDF page."""
    pages = pdf_pages(data)
    for name in names:
        block = re.compile(re.escape(name) + r".{0,120}?Date :")
        assert any(block.search(page) for page in pages), f"bloc de signature de {name}"
