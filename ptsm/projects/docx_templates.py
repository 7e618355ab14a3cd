"""DOCX templates of the projects app (see ptsm.documents.docx_builder)."""

from pathlib import Path

from ptsm.documents.docx_builder import DocxTemplateBuilder

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
TERRITORY_CARD_DOCX = TEMPLATE_DIR / "carte-identite-territoire.docx"


def build_territory_card(path: Path = TERRITORY_CARD_DOCX) -> Path:
    builder = DocxTemplateBuilder(title_tag="Carte d'identité du territoire")
    builder.title("Carte d'identité du territoire", "{{ territory.name }}")
    builder.heading("Chiffres clés")
    builder.table(
        ["Indicateur", "Valeur"], ["{{ row.label }}", "{{ row.value }}"], "row in card", [6, 10.6]
    )
    builder.paragraph("Source : {{ source }}", italic=True)
    builder.heading("Carte du territoire")
    builder.image("map")
    builder.paragraph("{{ map_caption }}", italic=True)
    builder.heading("Établissements publics de coopération intercommunale")
    builder.table(
        ["EPCI", "Communes du territoire", "Population"],
        ["{{ epci.name }}", "{{ epci.communes }}", "{{ epci.population }}"],
        "epci in epcis",
        [9.6, 3.5, 3.5],
    )
    builder.heading("Le projet")
    builder.table(
        ["", ""], ["{{ row.label }}", "{{ row.value }}"], "row in project_rows", [6, 10.6]
    )
    builder.heading("Jalons", level=2)
    builder.table(
        ["Jalon", "Échéance", "État"],
        ["{{ m.title }}", "{{ m.due }}", "{{ m.state }}"],
        "m in milestones",
        [9.6, 3.5, 3.5],
    )
    builder.save(path)
    return path


BUILDERS = {TERRITORY_CARD_DOCX: build_territory_card}


def build_all() -> list[Path]:
    return [build(path) for path, build in BUILDERS.items()]
