"""DOCX template of the framing letter, built section by section in the order of seed 000."""

from pathlib import Path

from ptsm.documents.docx_builder import DocxTemplateBuilder

from .sections import LETTER, PART_TITLES, SECTIONS

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
LETTER_DOCX = TEMPLATE_DIR / "lettre-de-cadrage.docx"
TABLE_SECTIONS = {"territory_card", "governance", "milestones", "working_groups"}


def heading_level(spec) -> int:
    return spec.level + 1 if spec.part == LETTER else spec.level


def build_letter(path: Path = LETTER_DOCX) -> Path:
    builder = DocxTemplateBuilder(title_tag="Lettre de cadrage", letter=True)
    builder.letterhead()
    part = None
    for spec in SECTIONS:
        if spec.part != part:
            if part is not None:
                builder.page_break()
            part = spec.part
            builder.heading(PART_TITLES[part], level=1)
        builder.heading(spec.heading, level=heading_level(spec))
        section = f"by_key.{spec.key}"
        if spec.help:
            builder.paragraph(spec.help)
        builder.tag(f"{{%p for p in {section}.paragraphs %}}").paragraph("{{ p }}").tag(
            "{%p endfor %}"
        )
        builder.bullets_for(f"item in {section}.bullets", "{{ item }}")
        if spec.derived == "territory_card":
            builder.heading("Carte d'identité du territoire", level=3)
            builder.table(
                ["Indicateur", "Valeur"],
                ["{{ row[0] }}", "{{ row[1] }}"],
                f"row in {section}.rows",
                [6, 10.6],
            )
            builder.image("map")
        elif spec.derived in TABLE_SECTIONS:
            builder.table(
                [f"{{{{ {section}.header[0] }}}}", f"{{{{ {section}.header[1] }}}}"],
                ["{{ row[0] }}", "{{ row[1] }}"],
                f"row in {section}.rows",
                [5.5, 11.1],
            )
        if spec.key == "signataires":
            builder.letter_closing().signature_blocks("s in signatures")
    builder.save(path)
    return path


BUILDERS = {LETTER_DOCX: build_letter}


def build_all() -> list[Path]:
    return [build(path) for path, build in BUILDERS.items()]
