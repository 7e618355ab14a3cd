"""Slide decks (PPTX) built with python-pptx in the DSFR colours, from plain-data contexts.

A deck is described as a list of slides: each has a title and blocks (paragraphs, bullet lists,
two-column tables, an image, a chart, logos). The same description is used for every deck ptsm
produces. Nothing may overflow a slide or its footer: the height of each block is estimated
from its text (characters per line for the font size), and what does not fit continues on a
"(suite)" slide.
"""

import datetime as dt
import io
import re
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Cm, Emu, Pt

from ptsm.core.formatting import french_typography

from .rendering import normalise_zip, svg_to_png

BLEU_FRANCE = RGBColor(0x00, 0x00, 0x91)
BLEU_CLAIR = RGBColor(0x6A, 0x6A, 0xF4)
ROUGE_MARIANNE = RGBColor(0xE1, 0x00, 0x0F)
GRIS = RGBColor(0x3A, 0x3A, 0x3A)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 16:9, PowerPoint's "widescreen" (13.33 × 7.5 in)
MARGIN = Cm(1.5)
TITLE_BAR = Cm(2.6)
BODY_TOP = Cm(3.4)
FOOTER_TOP = HEIGHT - Cm(1.3)
BODY_BOTTOM = FOOTER_TOP - Cm(0.3)  # nothing below: the footer's line
SIDE_WIDTH = Cm(13)  # an image or a chart beside the text
FONT = "Arial"
PARAGRAPH_SIZE, BULLET_SIZE, TABLE_SIZE = 20, 18, 13
TITLE_SIZES = (26, 22, 18)
# Arial's average glyph width in French text is about half its size; a little more keeps the
# estimate on the safe side (a line wrapped earlier than estimated would overflow).
CHAR_WIDTH_EM = 0.5
LINE_SPACING = 1.17
FRAME_MARGIN = Cm(0.254)  # python-pptx text frames: 0.05 in above and below
CELL_MARGIN = Cm(0.254)


# « 1 250 000 € » whatever the viewer's locale: the thousands are grouped by the format itself
# (no-break spaces, one section per order of magnitude) instead of the locale's separator, which
# an English PowerPoint or LibreOffice shows as « 1,250,000 € ».
FRENCH_EUROS = '[>=1000000]#"\u00a0"###"\u00a0"##0" €";[>=1000]#"\u00a0"##0" €";0" €"'


@dataclass
class Chart:
    """A native (editable) bar chart: one group of bars per category, one bar per series."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[float]]]
    number_format: str = FRENCH_EUROS


@dataclass
class Slide:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: list[tuple[str, str]] = field(default_factory=list)
    table_header: tuple[str, str] | None = None
    image_svg: str = ""
    chart: Chart | None = None
    logos: list[bytes] = field(default_factory=list)  # PNG or JPEG images, side by side
    notes: str = ""
    # The text introduces the table: drawn above it (by default the text follows the table).
    text_first: bool = False


# Measuring -----------------------------------------------------------------------------------


def text_lines(text: str, size: int, width: int) -> int:
    """How many lines `text` takes at `size` points in a box `width` EMU wide (word wrap)."""
    per_line = max(8, int(width / Pt(size) / CHAR_WIDTH_EM))
    return sum(
        max(1, len(textwrap.wrap(part, per_line, break_long_words=True)))
        for part in (text or "").split("\n")
    )


def line_height(size: int) -> int:
    return int(Pt(size) * LINE_SPACING)


def paragraph_height(text: str, size: int, width: int, space_after: int) -> int:
    return text_lines(text, size, width) * line_height(size) + Pt(space_after)


def row_height(cells: tuple[str, str], width: int) -> int:
    widths = (int(width * 0.45), width - int(width * 0.45))
    lines = max(
        text_lines(str(text), TABLE_SIZE, w - 2 * Cm(0.25))
        for text, w in zip(cells, widths, strict=True)
    )
    return max(Cm(0.9), lines * line_height(TABLE_SIZE) + CELL_MARGIN)


def _content_width(slide: Slide) -> int:
    width = WIDTH - 2 * MARGIN
    if slide.image_svg or slide.chart or slide.logos:
        width -= SIDE_WIDTH + Cm(0.8)
    return width


def bullet_text(text: str) -> str:
    """A bullet; one indented by spaces is an item of the bullet above it."""
    return "      – " + text.strip() if text.startswith("  ") else "• " + text


def _split_text(text: str, size: int, width: int, max_height: int) -> list[str]:
    """A text too long for one slide, cut between words into pieces that each fit."""
    per_line = max(8, int(width / Pt(size) / CHAR_WIDTH_EM))
    lines_per_piece = max(1, (max_height - FRAME_MARGIN) // line_height(size) - 1)
    lines = textwrap.wrap(text, per_line, break_long_words=True)
    return [" ".join(lines[i : i + lines_per_piece]) for i in range(0, len(lines), lines_per_piece)]


def paginate(slide: Slide) -> list[Slide]:
    """The slide, followed by as many "(suite)" slides as its content needs to fit above the
    footer. The image, the chart and the logos stay on the first slide; a table's header row is
    repeated on each."""
    width = _content_width(slide)
    available = BODY_BOTTOM - BODY_TOP - FRAME_MARGIN
    header_height = row_height(slide.table_header, width) if slide.table_header else 0
    rows: list[tuple[str, object, int]] = [
        ("row", row, row_height(row, width)) for row in slide.table
    ]
    blocks: list[tuple[str, object, int]] = [] if slide.text_first else rows
    for kind, texts, size, space in (
        ("paragraph", slide.paragraphs, PARAGRAPH_SIZE, 10),
        ("bullet", slide.bullets, BULLET_SIZE, 6),
    ):
        for text in texts:
            shown = bullet_text(text) if kind == "bullet" else text
            if paragraph_height(shown, size, width, space) > available - header_height:
                pieces = _split_text(text, size, width, available - header_height)
            else:
                pieces = [text]
            for piece in pieces:
                shown = bullet_text(piece) if kind == "bullet" else piece
                blocks.append((kind, piece, paragraph_height(shown, size, width, space)))
    if slide.text_first:
        blocks += rows
    pages = [replace(slide, table=[], paragraphs=[], bullets=[])]
    used = 0
    for kind, value, height in blocks:
        page = pages[-1]
        extra = height
        if kind == "row" and not page.table:
            extra += header_height
        has_text = bool(page.paragraphs or page.bullets)
        if (kind != "row" and page.table and not has_text) or (
            kind == "row" and has_text and not page.table
        ):
            extra += Cm(0.3)  # the gap between the table and the text
        if used + extra > available and (page.table or page.paragraphs or page.bullets):
            page = Slide(title=f"{slide.title} (suite)", table_header=slide.table_header)
            pages.append(page)
            used = 0
            extra = height + (header_height if kind == "row" else 0)
        {"row": page.table, "paragraph": page.paragraphs, "bullet": page.bullets}[kind].append(
            value
        )
        used += extra
    return pages


# Drawing -------------------------------------------------------------------------------------


def _style(run, size: int, *, bold: bool = False, colour: RGBColor = GRIS) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = colour


def title_size(text: str, width: int) -> tuple[int, str]:
    """The largest title size at which the title holds on two lines in the bar; at the smallest
    size a longer title is cut with an ellipsis (the full title is in the notes)."""
    usable = TITLE_BAR - 2 * Cm(0.127)
    for size in TITLE_SIZES:
        lines = text_lines(text, size, width)
        if lines <= 2 and lines * line_height(size) <= usable:
            return size, text
    size = TITLE_SIZES[-1]
    per_line = max(8, int(width / Pt(size) / CHAR_WIDTH_EM))
    lines = textwrap.wrap(text, per_line)
    return size, " ".join(lines[:2]).rstrip(" ,;:.") + "…"


def _title_bar(slide, text: str) -> None:
    bar = slide.shapes.add_shape(1, 0, 0, WIDTH, TITLE_BAR)  # 1 = rectangle
    bar.fill.solid()
    bar.fill.fore_color.rgb = BLEU_FRANCE
    bar.line.fill.background()
    frame = bar.text_frame
    frame.margin_left = frame.margin_right = MARGIN
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    size, shown = title_size(french_typography(text), WIDTH - 2 * MARGIN)
    run = frame.paragraphs[0].add_run()
    run.text = shown
    _style(run, size, bold=True, colour=WHITE)
    accent = slide.shapes.add_shape(1, 0, TITLE_BAR, Cm(3), Cm(0.2))
    accent.fill.solid()
    accent.fill.fore_color.rgb = ROUGE_MARIANNE
    accent.line.fill.background()


def text_height(slide_data: Slide, width: int) -> int:
    """The height the slide's paragraphs and bullets take (as `paginate` measures them)."""
    return FRAME_MARGIN + sum(
        [paragraph_height(text, PARAGRAPH_SIZE, width, 10) for text in slide_data.paragraphs]
        + [paragraph_height(bullet_text(t), BULLET_SIZE, width, 6) for t in slide_data.bullets]
    )


def _text_box(slide, left, top, width, height, slide_data: Slide) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    box.name = "Texte"
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    first = True
    for text in slide_data.paragraphs:
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = paragraph.add_run()
        run.text = french_typography(text)
        _style(run, PARAGRAPH_SIZE)
        paragraph.space_after = Pt(10)
    for text in slide_data.bullets:
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = paragraph.add_run()
        run.text = bullet_text(french_typography(text))
        _style(run, BULLET_SIZE)
        paragraph.space_after = Pt(6)


def _table(slide, left, top, width, rows: list[tuple[str, str]], header) -> int:
    """Draws the table; returns its height."""
    all_rows = ([header] if header else []) + rows
    heights = [row_height(tuple(str(c) for c in row), width) for row in all_rows]
    shape = slide.shapes.add_table(len(all_rows), 2, left, top, width, sum(heights))
    table = shape.table
    table.columns[0].width = int(width * 0.45)
    table.columns[1].width = width - table.columns[0].width
    for r, (label, value) in enumerate(all_rows):
        table.rows[r].height = heights[r]
        for c, text in enumerate((label, value)):
            cell = table.cell(r, c)
            cell.text = ""
            cell.margin_top = cell.margin_bottom = Emu(CELL_MARGIN // 2)
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = french_typography(str(text))
            is_header = header is not None and r == 0
            _style(
                run,
                TABLE_SIZE,
                bold=is_header or c == 0,
                colour=WHITE if is_header else GRIS,
            )
            cell.fill.solid()
            cell.fill.fore_color.rgb = (
                BLEU_FRANCE
                if is_header
                else (RGBColor(0xF5, 0xF5, 0xFE) if r % 2 else RGBColor(0xFF, 0xFF, 0xFF))
            )
    return sum(heights)


def _chart(slide, left, top, width, height, chart: Chart) -> None:
    data = CategoryChartData(number_format=chart.number_format)
    data.categories = chart.categories
    for name, values in chart.series:
        data.add_series(name, values)
    graphic = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height, data)
    graphic.name = "Graphique"
    native = graphic.chart
    native.has_title = True
    native.chart_title.text_frame.text = french_typography(chart.title)
    _style(native.chart_title.text_frame.paragraphs[0].runs[0], 14, bold=True)
    native.has_legend = True
    native.legend.position = XL_LEGEND_POSITION.BOTTOM
    native.legend.include_in_layout = False
    native.legend.font.size = Pt(12)
    native.category_axis.tick_labels.font.size = Pt(11)
    native.value_axis.tick_labels.font.size = Pt(10)
    native.value_axis.tick_labels.number_format = chart.number_format
    native.value_axis.tick_labels.number_format_is_linked = False
    native.value_axis.has_major_gridlines = True
    _french_chart(native)
    for series, colour in zip(
        native.plots[0].series, (BLEU_CLAIR, BLEU_FRANCE, ROUGE_MARIANNE), strict=False
    ):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour


def _french_chart(chart) -> None:
    """The chart's text is French (spelling, and the editor's defaults when it is edited)."""
    space = chart._chartSpace
    if space.find(qn("c:lang")) is None:
        lang = OxmlElement("c:lang")
        lang.set("val", "fr-FR")
        date1904 = space.find(qn("c:date1904"))
        if date1904 is not None:
            date1904.addnext(lang)
        else:
            space.insert(0, lang)


def _logos(slide, logos: list[bytes]) -> None:
    """Logos side by side, top right of the body, each at most 2.4 cm high."""
    right = WIDTH - MARGIN
    for logo in reversed(logos):
        picture = slide.shapes.add_picture(io.BytesIO(logo), 0, BODY_TOP, height=Cm(2.4))
        if picture.width > Cm(6):
            ratio = Cm(6) / picture.width
            picture.width, picture.height = Cm(6), int(picture.height * ratio)
        picture.left = right - picture.width
        right = picture.left - Cm(0.6)


def build_deck(slides: list[Slide], *, footer: str) -> bytes:
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    # python-pptx's template declares a 4:3 screen: a 16:9 deck of PowerPoint's widescreen size
    # carries no type (PowerPoint writes none for it; "screen16x9" names a 10 × 5.63 in page).
    size = presentation.part._element.find(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}sldSz"
    )
    if "type" in size.attrib:
        del size.attrib["type"]
    blank = presentation.slide_layouts[6]
    pages = [page for slide_data in slides for page in paginate(slide_data)]
    for number, slide_data in enumerate(pages, start=1):
        slide = presentation.slides.add_slide(blank)
        _title_bar(slide, slide_data.title)
        top = BODY_TOP
        content_width = _content_width(slide_data)
        side_left = WIDTH - MARGIN - SIDE_WIDTH
        if slide_data.image_svg:
            picture = io.BytesIO(svg_to_png(slide_data.image_svg, width_mm=115, ppi=130))
            image = slide.shapes.add_picture(picture, side_left, top, width=SIDE_WIDTH)
            if image.height > BODY_BOTTOM - top:
                ratio = (BODY_BOTTOM - top) / image.height
                image.height, image.width = BODY_BOTTOM - top, int(image.width * ratio)
        if slide_data.chart:
            _chart(slide, side_left, top, SIDE_WIDTH, BODY_BOTTOM - top, slide_data.chart)
        if slide_data.logos:
            _logos(slide, slide_data.logos)
        has_text = bool(slide_data.paragraphs or slide_data.bullets)
        if has_text and slide_data.text_first and slide_data.table:
            height = text_height(slide_data, content_width)
            _text_box(slide, MARGIN, top, content_width, height, slide_data)
            top += height + Cm(0.3)
            has_text = False
        if slide_data.table:
            top += _table(
                slide, MARGIN, top, content_width, slide_data.table, slide_data.table_header
            )
            top += Cm(0.3)
        if has_text:
            _text_box(slide, MARGIN, top, content_width, BODY_BOTTOM - top, slide_data)
        footer_box = slide.shapes.add_textbox(MARGIN, FOOTER_TOP, WIDTH - 2 * MARGIN, Cm(0.8))
        footer_box.name = "Pied de page"
        run = footer_box.text_frame.paragraphs[0].add_run()
        run.text = f"{french_typography(footer)} — {number}/{len(pages)}"
        _style(run, 10)
        notes = slide_data.notes
        if title_size(french_typography(slide_data.title), WIDTH - 2 * MARGIN)[1] != (
            french_typography(slide_data.title)
        ):
            notes = "\n".join(filter(None, [slide_data.title, notes]))
        if notes:
            slide.notes_slide.notes_text_frame.text = french_typography(notes)
    presentation.core_properties.author = "ptsm"
    presentation.core_properties.title = slides[0].title if slides else ""
    presentation.core_properties.language = "fr-FR"
    # python-pptx stamps the current time: a fixed date keeps equal inputs giving equal bytes.
    presentation.core_properties.created = presentation.core_properties.modified = dt.datetime(
        2000, 1, 1
    )
    presentation.core_properties.last_modified_by = "ptsm"
    presentation.core_properties.revision = 1
    buffer = io.BytesIO()
    presentation.save(buffer)
    return normalise_zip(_fixed_embedded_workbooks(buffer.getvalue()))


def _fixed_embedded_workbooks(data: bytes) -> bytes:
    """A chart's data travels as an embedded workbook, stamped with the time it was written:
    fix that date too, so equal inputs still give equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    if not any(name.endswith(".xlsx") for name in source.namelist()):
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                content = _fixed_workbook_dates(content)
            target.writestr(info, content)
    return out.getvalue()


def _fixed_workbook_dates(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2000-01-01T00:00:00Z",
                    content,
                )
            target.writestr(info, content)
    return normalise_zip(out.getvalue())


def pptx_renderer(build_slides: Callable[[dict], list[Slide]]):
    return lambda context: build_deck(build_slides(context), footer=context["meta"]["project_name"])
