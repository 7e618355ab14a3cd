"""Build docxtpl templates (DOCX with Jinja tags) from Python.

The templates under each app's `doc_templates/` are committed files that users and developers can
open in Word; they are produced by `manage.py build_docx_templates` from each app's
`docx_templates.py`, so that their structure is reviewed as code.
"""

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ptsm.core.formatting import french_typography

from .docx_tables import TWIPS_PER_PT, mark_header_row, set_column_widths
from .rendering import normalise_zip

BLEU_FRANCE = RGBColor(0x00, 0x00, 0x91)
GRIS = RGBColor(0x66, 0x66, 0x66)
FONT = "Arial"
TEXT_WIDTH_CM = 16.6  # A4 portrait less the margins


def _field(paragraph, instruction: str) -> None:
    """Insert a Word field (PAGE, NUMPAGES…) that Word and LibreOffice compute on display: one
    run per part, as Word writes it, so that each carries the paragraph's font size (LibreOffice
    ignores a one-run field's size)."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, text, end):
        paragraph.add_run()._r.append(element)


def _shade(cell, colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    properties.append(shading)


class DocxTemplateBuilder:
    def __init__(
        self, *, title_tag: str = "{{ title }}", landscape: bool = False, letter: bool = False
    ):
        self.document = Document()
        self._set_styles()
        section = self.document.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
        else:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
        if letter:
            # A letter carries its letterhead on the first page and only page numbers below:
            # the generator is named in the file's properties, not on the pages.
            section.top_margin = Cm(2)
            footer = section.footer.paragraphs[0]
            footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
            footer.add_run("Page ")
        else:
            header = section.header.paragraphs[0]
            header.text = "{{ meta.project_name }} — " + title_tag
            header.runs[0].font.size, header.runs[0].font.color.rgb = Pt(8.5), GRIS
            footer = section.footer.paragraphs[0]
            footer.add_run("Document généré par ptsm le {{ meta.generated_on_label }} — Page ")
        _field(footer, "PAGE")
        footer.add_run(" sur ")
        _field(footer, "NUMPAGES")
        for run in footer.runs:
            run.font.size, run.font.color.rgb = Pt(8.5), GRIS

    def _set_styles(self) -> None:
        styles = self.document.styles
        styles["Normal"].font.name = FONT
        styles["Normal"].font.size = Pt(10.5)
        styles["Normal"].paragraph_format.space_after = Pt(4)
        for name, size in (
            ("Title", 20),
            ("Heading 1", 15),
            ("Heading 2", 12.5),
            ("Heading 3", 11),
        ):
            style = styles[name]
            style.font.name = FONT
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = BLEU_FRANCE
        self.document.core_properties.author = "ptsm"
        self.document.core_properties.language = "fr-FR"
        self._set_default_language("fr-FR")

    def _set_default_language(self, language: str) -> None:
        """The text's language for Word's and LibreOffice's spelling and hyphenation (the
        default template says en-US, which marks every French word as an error)."""
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is None:
            run_defaults = OxmlElement("w:rPrDefault")
            defaults.insert(0, run_defaults)
        properties = run_defaults.find(qn("w:rPr"))
        if properties is None:
            properties = OxmlElement("w:rPr")
            run_defaults.append(properties)
        lang = properties.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            properties.append(lang)
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attribute), language)

    def title(self, text: str, subtitle: str = "") -> "DocxTemplateBuilder":
        small = self.document.add_paragraph("{{ meta.project_name }} — {{ meta.territory_name }}")
        small.runs[0].font.size, small.runs[0].font.color.rgb = Pt(9), GRIS
        self.document.add_paragraph(french_typography(text), style="Title")
        if subtitle:
            self.document.add_paragraph(subtitle)
        return self

    def heading(self, text: str, level: int = 1) -> "DocxTemplateBuilder":
        self.document.add_heading(french_typography(text), level=level)
        return self

    def paragraph(self, text: str, *, italic: bool = False, align_right: bool = False):
        paragraph = self.document.add_paragraph(french_typography(text))
        if italic:
            for run in paragraph.runs:
                run.italic = True
        if align_right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return self

    def bullet(self, text: str) -> "DocxTemplateBuilder":
        self.document.add_paragraph(french_typography(text), style="List Bullet")
        return self

    def numbered(self, text: str) -> "DocxTemplateBuilder":
        self.document.add_paragraph(french_typography(text), style="List Number")
        return self

    def tag(self, tag: str) -> "DocxTemplateBuilder":
        """A paragraph holding only a block tag such as `{%p for x in items %}`."""
        self.document.add_paragraph(tag)
        return self

    def recalls(self, key: str = "recalls") -> "DocxTemplateBuilder":
        """What other apps recall in the document (`documents/recalls.py`), as in the PDF's
        `recalls`: a heading per section, a second-level heading per item, its paragraphs."""
        self.tag(f"{{%p for section in {key} %}}").heading("{{ section.heading }}")
        self.tag("{%p for item in section.entries %}").heading("{{ item.title }}", level=2)
        self.tag("{%p for line in item.paragraphs %}").paragraph("{{ line }}")
        return self.tag("{%p endfor %}").tag("{%p endfor %}").tag("{%p endfor %}")

    def bullets_for(self, loop: str, text: str) -> "DocxTemplateBuilder":
        return self.tag(f"{{%p for {loop} %}}").bullet(text).tag("{%p endfor %}")

    def image(self, name: str) -> "DocxTemplateBuilder":
        paragraph = self.document.add_paragraph("{{ images." + name + " }}")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return self

    def table(self, header: list[str], cells: list[str], loop: str, widths_cm=None):
        """A table with a header row and one row per item of `loop` (e.g. 'row in rows')."""
        table = self.document.add_table(rows=4, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, label in enumerate(header):
            cell = table.rows[0].cells[i]
            cell.text = french_typography(label)
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell, "E3E3FD")
        table.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
        for i, value in enumerate(cells):
            table.rows[2].cells[i].text = value
        table.rows[3].cells[0].text = "{%tr endfor %}"
        if widths_cm is None:  # equal columns across the text's width
            widths_cm = [TEXT_WIDTH_CM / len(header)] * len(header)
        # The preferred widths; once rendered, a column narrower than its longest word is
        # widened at the expense of the others (documents.docx_tables.finish_data_tables).
        set_column_widths(table, [round(Cm(w).pt * TWIPS_PER_PT) for w in widths_cm])
        mark_header_row(table)  # repeated on each page: what marks a data table
        for row in (table.rows[0], table.rows[2]):  # a row is never split across two pages
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        self.document.add_paragraph()
        return self

    # --- letters ---------------------------------------------------------------------------
    def letterhead(self) -> "DocxTemplateBuilder":
        """The signing institutions side by side (logo, or name), under the State block when the
        letterhead setting asks for it; then the addressees, the object and the salutation."""
        self.tag("{%p if letter.letterhead.state %}")
        state = self.document.add_paragraph()
        run = state.add_run("RÉPUBLIQUE\nFRANÇAISE")
        run.bold, run.font.size = True, Pt(10.5)
        motto = state.add_run("\nLiberté\nÉgalité\nFraternité")
        motto.italic, motto.font.size = True, Pt(8.5)
        self.tag("{%p endif %}")
        table = self.document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for index, cell in enumerate(table.rows[0].cells):
            slot = f"letter.letterhead.slots[{index}]"
            cell.width = Cm(8.3)
            cell.paragraphs[0].text = f"{{%p if {slot}.logo %}}"
            cell.add_paragraph(f"{{{{ logos[{slot}.logo] }}}}")
            cell.add_paragraph("{%p else %}")
            name = cell.add_paragraph().add_run(f"{{{{ {slot}.name }}}}")
            name.bold, name.font.color.rgb, name.font.size = True, BLEU_FRANCE, Pt(10.5)
            cell.add_paragraph("{%p endif %}")
        self.tag("{%p if letter.draft_mark %}")
        mark = self.document.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run("{{ letter.draft_mark }}")
        run.bold, run.font.color.rgb = True, RGBColor(0xCE, 0x05, 0x00)
        self.tag("{%p endif %}")
        self.document.add_paragraph()
        self.tag("{%p for line in letter.addressees %}")
        addressee = self.document.add_paragraph("{{ line }}")
        addressee.paragraph_format.left_indent = Cm(9)
        addressee.paragraph_format.space_after = Pt(0)
        self.tag("{%p endfor %}")
        self.document.add_paragraph()
        objet = self.document.add_paragraph()
        objet.add_run(french_typography("Objet : ")).bold = True
        objet.add_run("{{ letter.object }}")
        self.tag("{%p if letter.salutation %}").paragraph("{{ letter.salutation }}")
        self.tag("{%p endif %}")
        return self

    def letter_closing(self) -> "DocxTemplateBuilder":
        """The closing formula and « Fait à …, le … », kept on the page of the signatures."""
        self.tag("{%p if letter.closing %}").paragraph("{{ letter.closing }}")
        self._keep_with_next()
        self.tag("{%p endif %}")
        self.paragraph(
            "Fait à {{ letter.place }}, le {{ meta.generated_on_label }}", align_right=True
        )
        self._keep_with_next()
        return self

    def _keep_with_next(self) -> None:
        self.document.paragraphs[-1].paragraph_format.keep_with_next = True

    def signature_blocks(self, loop: str = "s in signatures") -> "DocxTemplateBuilder":
        """One table row per signatory (title, name, date, at least 4.5 cm to sign), never split
        across two pages."""
        table = self.document.add_table(rows=3, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.rows[0].cells[0].text = f"{{%tr for {loop} %}}"
        row = table.rows[1]
        row.height, row.height_rule = Cm(5), WD_ROW_HEIGHT_RULE.AT_LEAST
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        who = row.cells[0]
        who.paragraphs[0].add_run("{{ s.role }}").bold = True
        for text in ("{{ s.title }}", "{{ s.name }}", "", french_typography("Date :")):
            who.add_paragraph(text)
        sign = row.cells[1].paragraphs[0].add_run("Signature")
        sign.font.size, sign.font.color.rgb = Pt(9), GRIS
        for cell, width in zip(row.cells, (8, 8.6), strict=True):
            cell.width = Cm(width)
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
        table.rows[2].cells[0].text = "{%tr endfor %}"
        self.document.add_paragraph()
        return self

    def landscape_section(self, landscape: bool = True) -> "DocxTemplateBuilder":
        """Start a new section on a new page, in landscape (or back in portrait); it keeps the
        page header and footer. Between two block tags, the section exists only when the block
        is rendered."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        long_side, short_side = Cm(29.7), Cm(21)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = long_side, short_side
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = short_side, long_side
        return self

    def page_break(self) -> "DocxTemplateBuilder":
        self.document.add_page_break()
        return self

    def save(self, path: Path) -> None:
        from io import BytesIO

        buffer = BytesIO()
        self.document.save(buffer)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(normalise_zip(buffer.getvalue()))
