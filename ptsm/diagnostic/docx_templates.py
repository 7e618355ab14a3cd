"""DOCX template of the diagnostic report."""

from pathlib import Path

from ptsm.documents.docx_builder import DocxTemplateBuilder

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
REPORT_DOCX = TEMPLATE_DIR / "diagnostic.docx"
VALUE_HEADER = ["Indicateur", "Territoire", "Département", "Région", "France", "Année", "Source"]
VALUE_CELLS = [
    "{{ r.label }} ({{ r.unit }})",
    "{{ r.cells[0] }}",
    "{{ r.cells[1] }}",
    "{{ r.cells[2] }}",
    "{{ r.cells[3] }}",
    "{{ r.year }}",
    "{{ r.source }}",
]
WIDTHS = [5.2, 2, 2, 2, 1.8, 1.3, 2.3]


def build_report(path: Path = REPORT_DOCX) -> Path:
    builder = DocxTemplateBuilder(title_tag="Diagnostic partagé")
    builder.title("Diagnostic territorial partagé", "{{ territory.name }}")
    builder.paragraph("{{ status }}", italic=True)
    builder.heading("Carte d'identité du territoire")
    builder.table(VALUE_HEADER, VALUE_CELLS, "r in grids[0].rows", WIDTHS)
    builder.image("map")
    builder.paragraph(
        "Communes teintées selon la densité de population. Effectifs inférieurs à 11 : « < 11 ».",
        italic=True,
    )
    builder.heading("Caractéristiques du parcours")
    builder.table(VALUE_HEADER, VALUE_CELLS, "r in grids[1].rows", WIDTHS)
    builder.heading("Grille MDPH")
    builder.table(VALUE_HEADER, VALUE_CELLS, "r in grids[2].rows", WIDTHS)
    builder.heading("Constats par porte d'entrée de la Rosace")
    builder.tag("{%p for door in doors %}")
    builder.heading("{{ door.title }}", level=2)
    builder.tag("{%p if door.priorities %}")
    builder.heading("Priorités", level=3)
    builder.bullets_for("p in door.priorities", "{{ p }}")
    builder.tag("{%p endif %}")
    builder.heading("Constats", level=3)
    builder.bullets_for("f in door.findings", "{{ f.kind }} : {{ f.text }}")
    builder.tag("{%p if not door.findings %}")
    builder.paragraph("Aucun constat enregistré.", italic=True)
    builder.tag("{%p endif %}")
    builder.tag("{%p endfor %}")
    builder.recalls()
    builder.save(path)
    return path


BUILDERS = {REPORT_DOCX: build_report}


def build_all() -> list[Path]:
    return [build(path) for path, build in BUILDERS.items()]
