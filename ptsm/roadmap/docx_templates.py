"""DOCX template of the roadmap (ANAP document-type 3)."""

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from ptsm.documents.docx_builder import DocxTemplateBuilder

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
ROADMAP_DOCX = TEMPLATE_DIR / "feuille-de-route.docx"


PLAN_WIDTHS_CM = [1.5, 3.9, 1.5, 2.6, 2.9, 2.6, 1.6]


def _small_text(table) -> None:
    """A wide table in 9 pt, so that its words fit their columns."""
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def build_roadmap(path: Path = ROADMAP_DOCX) -> Path:
    b = DocxTemplateBuilder(title_tag="Feuille de route")
    b.title("Feuille de route", "{{ meta.territory_name }}")
    b.heading("Rappel du diagnostic")
    b.table(
        ["Indicateur", "Territoire"],
        ["{{ row[0] }}", "{{ row[1] }}"],
        "row in identity_card",
        [11, 5.6],
    )
    b.tag("{%p for door in door_priorities %}").heading("{{ door.title }}", level=2)
    b.bullets_for("p in door.priorities", "{{ p }}")
    b.tag("{%p endfor %}")
    b.heading("{{ levels.orientations }}")
    b.tag("{%p for o in orientations %}").heading(
        "{{ levels.orientation }} {{ o.code }} : {{ o.title }}", level=2
    )
    b.tag("{%p if o.description %}").paragraph("{{ o.description }}").tag("{%p endif %}")
    b.tag("{%p for t in o.themes %}")
    # A project without the theme level has one implicit theme per orientation: no heading.
    b.tag("{%p if not t.implicit %}")
    b.heading("{{ levels.theme }} {{ t.code }} : {{ t.title }}", level=3)
    b.tag("{%p endif %}")
    b.tag("{%p for ob in t.objectives %}").paragraph(
        "{{ levels.objective }} {{ ob.code }} : {{ ob.title }}"
    )
    b.tag("{%p if ob.actions %}")
    b.bullets_for("line in ob.actions", "{{ line }}")
    b.tag("{%p else %}")
    b.paragraph("Aucune fiche-action n'est encore rattachée à cet objectif.", italic=True)
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}").tag("{%p endfor %}").tag("{%p endfor %}")
    b.heading("Plan d'actions")
    b.table(
        ["N°", "Fiche-action", "Portes", "Pilote", "Opérateurs", "Calendrier", "Statut"],
        [
            "{{ r[0] }}",
            "{{ r[1] }}",
            "{{ r[2] }}",
            "{{ r[3] }}",
            "{{ r[4] }}",
            "{{ r[5] }}",
            "{{ r[6] }}",
        ],
        "r in plan",
        PLAN_WIDTHS_CM,
    )
    _small_text(b.document.tables[-1])
    b.paragraph("Crédits mobilisés : {{ credits_total }}")
    b.table(
        ["Financeur", "Montant"], ["{{ r[0] }}", "{{ r[1] }}"], "r in credits_by_funder", [10, 6.6]
    )
    b.recalls()
    # The calendar, as in the PDF (the renderer draws it for the document's date).
    # On landscape pages, as in the PDF: one image per page of 18 fiches-actions.
    b.tag("{%p if gantt_images %}")
    b.landscape_section()
    b.heading("Calendrier des fiches-actions")
    b.tag("{%p for name in gantt_images %}")
    b.document.add_paragraph("{{ images[name] }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    b.tag("{%p endfor %}")
    b.landscape_section(landscape=False)
    b.tag("{%p endif %}")
    b.heading("Fiches-actions")
    b.tag("{%p for a in actions %}")
    b.heading("Fiche-action {{ a.code }} : {{ a.title }}", level=2)
    b.paragraph("{{ a.path }}", italic=True)
    for label, key in [
        ("Portes d'entrée", "doors"),
        ("Priorités du décret", "priorities"),
        ("Pilote", "pilot"),
        ("Opérateurs", "operators"),
        ("Partenaires", "partners"),
        ("Territoire", "territory"),
        ("Calendrier", "period"),
        ("Priorité", "priority"),
        ("Statut", "status"),
        ("Réussite rapide et visible", "quick_win"),
        ("Contexte et constats", "context"),
        ("Objectifs opérationnels", "operational_objectives"),
        ("Description et étapes", "description"),
        ("Public cible", "target_public"),
        ("Moyens humains", "human_resources"),
        ("Moyens matériels", "material_resources"),
        ("Conditions de mise en œuvre", "conditions"),
        ("Résultats attendus", "expected_results"),
        ("Risques", "risks"),
    ]:
        b.paragraph(f"{label} : {{{{ a.{key} }}}}")
    b.bullets_for("m in a.milestones", "Jalon {{ m.date }} : {{ m.title }} ({{ m.status }})")
    b.table(
        ["Financeur", "Nature", "Opérateur", "Année", "Montant", "Statut"],
        [
            "{{ f.funder }}",
            "{{ f.nature }}",
            "{{ f.operator }}",
            "{{ f.year }}",
            "{{ f.amount }}",
            "{{ f.status }}",
        ],
        "f in a.funding",
        [3.4, 2.2, 3.6, 1.4, 2.6, 2.4],
    )
    b.paragraph("Autofinancement : {{ a.self_total }} — aide : {{ a.aid_total }}")
    b.bullets_for(
        "i in a.indicators",
        "Indicateur : {{ i.name }} (départ {{ i.baseline }}, cible {{ i.target }}, "
        "source {{ i.source }}, {{ i.frequency }})",
    )
    b.tag("{%p endfor %}")
    b.save(path)
    return path


BUILDERS = {ROADMAP_DOCX: build_roadmap}


def build_all() -> list[Path]:
    return [build(path) for path, build in BUILDERS.items()]
