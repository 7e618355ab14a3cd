"""Slide decks (PPTX) built with python-pptx in the DSFR colours, from plain-data contexts.

A deck is described as a list of slides: each has a title and blocks (paragraphs, bullet lists,
two-column tables, an image). The same description is used for every deck ptsm produces.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Cm, Pt

from ptsm.core.formatting import french_typography

from .rendering import normalise_zip, svg_to_png

BLEU_FRANCE = RGBColor(0x00, 0x00, 0x91)
ROUGE_MARIANNE = RGBColor(0xE1, 0x00, 0x0F)
GRIS = RGBColor(0x3A, 0x3A, 0x3A)
WIDTH, HEIGHT = Cm(33.867), Cm(19.05)  # 16:9
MARGIN = Cm(1.5)
FONT = "Arial"


@dataclass
class Slide:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: list[tuple[str, str]] = field(default_factory=list)
    table_header: tuple[str, str] | None = None
    image_svg: str = ""
    notes: str = ""


def _style(run, size: int, *, bold: bool = False, colour: RGBColor = GRIS) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = colour


def _title_bar(slide, text: str) -> None:
    bar = slide.shapes.add_shape(1, 0, 0, WIDTH, Cm(2.6))  # 1 = rectangle
    bar.fill.solid()
    bar.fill.fore_color.rgb = BLEU_FRANCE
    bar.line.fill.background()
    frame = bar.text_frame
    frame.margin_left = MARGIN
    paragraph = frame.paragraphs[0]
    run = paragraph.add_run()
    run.text = french_typography(text)
    _style(run, 26, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF))
    accent = slide.shapes.add_shape(1, 0, Cm(2.6), Cm(3), Cm(0.2))
    accent.fill.solid()
    accent.fill.fore_color.rgb = ROUGE_MARIANNE
    accent.line.fill.background()


def _text_box(slide, left, top, width, height, slide_data: Slide) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    first = True
    for text in slide_data.paragraphs:
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = paragraph.add_run()
        run.text = french_typography(text)
        _style(run, 20)
        paragraph.space_after = Pt(10)
    for text in slide_data.bullets:
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = paragraph.add_run()
        run.text = "• " + french_typography(text)
        _style(run, 18)
        paragraph.space_after = Pt(6)


def _table(slide, left, top, width, rows: list[tuple[str, str]], header) -> None:
    all_rows = ([header] if header else []) + rows
    shape = slide.shapes.add_table(len(all_rows), 2, left, top, width, Cm(0.9) * len(all_rows))
    table = shape.table
    table.columns[0].width = int(width * 0.45)
    table.columns[1].width = width - table.columns[0].width
    for r, (label, value) in enumerate(all_rows):
        for c, text in enumerate((label, value)):
            cell = table.cell(r, c)
            cell.text = ""
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = french_typography(str(text))
            is_header = header is not None and r == 0
            _style(
                run,
                13,
                bold=is_header or c == 0,
                colour=RGBColor(0xFF, 0xFF, 0xFF) if is_header else GRIS,
            )
            cell.fill.solid()
            cell.fill.fore_color.rgb = (
                BLEU_FRANCE
                if is_header
                else (RGBColor(0xF5, 0xF5, 0xFE) if r % 2 else RGBColor(0xFF, 0xFF, 0xFF))
            )


def build_deck(slides: list[Slide], *, footer: str) -> bytes:
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    blank = presentation.slide_layouts[6]
    for number, slide_data in enumerate(slides, start=1):
        slide = presentation.slides.add_slide(blank)
        _title_bar(slide, slide_data.title)
        top = Cm(3.4)
        body_height = HEIGHT - top - Cm(1.8)
        content_width = WIDTH - 2 * MARGIN
        if slide_data.image_svg:
            image_width = Cm(11.5)
            picture = io.BytesIO(svg_to_png(slide_data.image_svg, width_mm=115, ppi=130))
            slide.shapes.add_picture(picture, WIDTH - MARGIN - image_width, top, width=image_width)
            content_width -= image_width + Cm(0.8)
        if slide_data.table:
            _table(slide, MARGIN, top, content_width, slide_data.table, slide_data.table_header)
        if slide_data.paragraphs or slide_data.bullets:
            offset = Cm(0.9) * (len(slide_data.table) + 1) if slide_data.table else 0
            _text_box(slide, MARGIN, top + offset, content_width, body_height - offset, slide_data)
        footer_box = slide.shapes.add_textbox(MARGIN, HEIGHT - Cm(1.3), WIDTH - 2 * MARGIN, Cm(0.8))
        run = footer_box.text_frame.paragraphs[0].add_run()
        run.text = f"{french_typography(footer)} — {number}/{len(slides)}"
        _style(run, 10)
        if slide_data.notes:
            slide.notes_slide.notes_text_frame.text = french_typography(slide_data.notes)
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
    return normalise_zip(buffer.getvalue())


def pptx_renderer(build_slides: Callable[[dict], list[Slide]]):
    return lambda context: build_deck(build_slides(context), footer=context["meta"]["project_name"])
