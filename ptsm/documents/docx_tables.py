"""Column widths of a rendered DOCX's data tables, so that no word is ever cut.

Word and LibreOffice split a word that is wider than its column (« Autofinancem|ent »). The
templates give each table its preferred column widths; once the data is in, each column is
widened to its longest unbreakable word (measured with Arial's metrics, which Liberation Sans
shares) and the width is taken from the columns that have room to spare, the table's total width
unchanged.
"""

import unicodedata

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

# Advance widths of Arial / Helvetica, in thousandths of an em, for printable ASCII (32-126).
_ARIAL = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
    "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500 334 260 334 584"
)
ADVANCE = {chr(32 + i): int(w) for i, w in enumerate(_ARIAL.split())}
ADVANCE.update({"€": 556, "œ": 944, "Œ": 1000, "æ": 889, "’": 222, "«": 556, "»": 556})
UNKNOWN_ADVANCE = 700
BOLD_FACTOR = 1.1  # Arial Bold is at most about 10 % wider than Arial
SAFETY = 1.06
TWIPS_PER_PT = 20
# Table Grid's cell margins (0.19 cm on each side) and the borders.
CELL_PADDING_TWIPS = 2 * 108 + 30
DEFAULT_SIZE_PT = 10.5
# Where a line may break inside a cell: spaces, and after a hyphen or a slash. Non-breaking
# spaces (before « : », inside « 40 000 € ») hold their neighbours together.
BREAK_AFTER = "-/"


def advance(char: str) -> int:
    if char in ADVANCE:
        return ADVANCE[char]
    base = unicodedata.normalize("NFD", char)[:1]  # « é » is as wide as « e »
    if base in ADVANCE:
        return ADVANCE[base]
    if char in "\u00a0\u202f":
        return ADVANCE[" "]
    return UNKNOWN_ADVANCE


def text_width_pt(text: str, size_pt: float, *, bold: bool = False) -> float:
    width = sum(advance(c) for c in text) * size_pt / 1000
    return width * (BOLD_FACTOR if bold else 1)


def unbreakable_parts(text: str) -> list[str]:
    parts, current = [], ""
    for char in text:
        if char in " \t\n":
            parts.append(current)
            current = ""
            continue
        current += char
        if char in BREAK_AFTER:
            parts.append(current)
            current = ""
    parts.append(current)
    return [p for p in parts if p]


class _StyleFonts:
    """Each paragraph style's font size and weight (its own or inherited), read once per
    document: the tables are read from their XML, python-docx's proxies are ten times slower."""

    def __init__(self, document):
        self.styles = document.styles
        self.cache: dict[str | None, tuple[float, bool]] = {}

    def of(self, style_id: str | None) -> tuple[float, bool]:
        if style_id not in self.cache:
            style = self.styles._get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH)
            size, bold = None, None
            while style is not None and (size is None or bold is None):
                if size is None and style.font.size is not None:
                    size = style.font.size.pt
                if bold is None and style.font.bold is not None:
                    bold = style.font.bold
                style = style.base_style
            self.cache[style_id] = (size or DEFAULT_SIZE_PT, bool(bold))
        return self.cache[style_id]


def _on(element) -> bool | None:
    """A w:b-like toggle: absent → None, present → its w:val (true when it has none)."""
    if element is None:
        return None
    return element.get(qn("w:val"), "true") not in ("0", "false", "off")


def _tc_longest_word(tc, fonts: _StyleFonts, size: float | None) -> int:
    widest = 0.0
    for paragraph in tc.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style_size, style_bold = fonts.of(style.get(qn("w:val")) if style is not None else None)
        for run in paragraph.iter(qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            if not text:
                continue
            properties = run.find(qn("w:rPr"))
            run_size, bold = style_size, style_bold
            if properties is not None:
                sz = properties.find(qn("w:sz"))
                if sz is not None:
                    run_size = int(sz.get(qn("w:val"))) / 2
                b = _on(properties.find(qn("w:b")))
                bold = style_bold if b is None else b
            for part in unbreakable_parts(text):
                widest = max(
                    widest, text_width_pt(part, size if size is not None else run_size, bold=bold)
                )
    return int(widest * SAFETY * TWIPS_PER_PT) + CELL_PADDING_TWIPS


def longest_word_twips(cell, size: float | None = None) -> int:
    """The width of the cell's widest unbreakable piece of text, padding included; in its own
    font size, or in `size` points."""
    return _tc_longest_word(cell._tc, _StyleFonts(cell.part.document), size)


def _grid_widths(tbl) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in tbl.tblGrid.findall(qn("w:gridCol"))]


def fitted_widths(preferred: list[int], minimum: list[int]) -> list[int]:
    """Each column at least its minimum, the total unchanged: the width a column needs is taken
    from the others in proportion to the room they have beyond their own minimum."""
    total = sum(preferred)
    if sum(minimum) >= total:  # no way to fit everything: share in proportion to the needs
        return [round(total * m / sum(minimum)) for m in minimum]
    widths = [max(p, m) for p, m in zip(preferred, minimum, strict=True)]
    excess = sum(widths) - total
    if excess > 0:
        room = [w - m for w, m in zip(widths, minimum, strict=True)]
        available = sum(room)
        widths = [w - excess * r / available for w, r in zip(widths, room, strict=True)]
    widths = [int(w) for w in widths]
    widths[-1] += total - sum(widths)
    return widths


def _is_data_table(tbl) -> bool:
    """Tables with a repeated header row: the builder's data tables (not the letterhead nor the
    signature blocks, whose layout is fixed)."""
    rows = tbl.tr_lst
    return bool(rows) and rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None


def keep_rows_together(rows) -> None:
    """No row left alone on a page (« Total » under a repeated header), as in the PDFs: the
    header with the first two rows and the last two rows together (a table of up to three rows
    whole). Word and LibreOffice keep a row on the next one's page when its paragraphs are
    « keep with next »."""
    count = len(rows)
    if count < 2:
        return
    kept = range(count - 1) if count <= 4 else {0, 1, count - 2}
    for index in kept:
        for paragraph in rows[index].iter(qn("w:p")):
            paragraph.get_or_add_pPr().keepNext_val = True


# When the longest words do not fit the table's width in the text's size, the whole table is
# set in the first smaller size where they do.
SMALLER_SIZES_PT = (9.5, 9, 8.5, 8)


def finish_data_tables(document) -> None:
    """Every data table: rows kept together (see above), each column at least as wide as its
    longest word, in a smaller type when the table's width needs it."""
    fonts = _StyleFonts(document)
    for tbl in document.element.body.iter(qn("w:tbl")):
        if not _is_data_table(tbl):
            continue
        rows = tbl.tr_lst
        keep_rows_together(rows)
        preferred = _grid_widths(tbl)
        cells = [row.tc_lst for row in rows]
        merged = any(
            tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}") is not None
            or tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}") is not None
            for row in cells
            for tc in row
        )
        if merged or any(len(row) != len(preferred) for row in cells):
            continue  # merged cells: as designed
        for size in (None, *SMALLER_SIZES_PT):
            minimum = [
                max(_tc_longest_word(row[index], fonts, size) for row in cells)
                for index in range(len(preferred))
            ]
            if sum(minimum) <= sum(preferred):
                break
        if size is not None:
            for run in tbl.iter(qn("w:r")):
                run.get_or_add_rPr().sz_val = Pt(size)
        widths = fitted_widths(preferred, minimum)
        if widths != preferred:
            _set_widths(tbl, widths)


def set_column_widths(table, widths_twips: list[int]) -> None:
    """The grid (what LibreOffice reads) and every cell's width (what Word reads) agree, in a
    fixed layout that Word does not re-fit to the content."""
    _set_widths(table._tbl, widths_twips)


def _set_widths(tbl, widths_twips: list[int]) -> None:
    tbl.tblPr.autofit = False
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_twips, strict=True):
        col.set(qn("w:w"), str(width))
    for row in tbl.tr_lst:
        for tc, width in zip(row.tc_lst, widths_twips, strict=True):
            tc.width = Twips(width)


def mark_header_row(table) -> None:
    """The first row is the header: repeated on each page, never split."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    if properties.find(qn("w:tblHeader")) is None:
        properties.append(OxmlElement("w:tblHeader"))
