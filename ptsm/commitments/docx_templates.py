"""DOCX templates of the commitment letters (seed 001)."""

from pathlib import Path

from ptsm.documents.docx_builder import DocxTemplateBuilder

from .sections import ARTICLES, COLLECTIVE_SECTIONS

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
COLLECTIVE_DOCX = TEMPLATE_DIR / "lettre-engagement-collective.docx"
ANNEX_DOCX = TEMPLATE_DIR / "annexe-operateur.docx"


def build_collective(path: Path = COLLECTIVE_DOCX) -> Path:
    b = DocxTemplateBuilder(title_tag="Lettre d'engagement collective", letter=True)
    b.letterhead()
    b.document.add_paragraph("Lettre d'engagement collective", style="Title")
    for spec in COLLECTIVE_SECTIONS:
        b.heading(spec.heading, level=spec.level)
        key = f"by_key.{spec.key}"
        b.tag(f"{{%p for p in {key}.paragraphs %}}").paragraph("{{ p }}").tag("{%p endfor %}")
        b.bullets_for(f"item in {key}.bullets", "{{ item }}")
        if spec.key == "rappel_diagnostic":
            b.table(
                ["Indicateur", "Territoire"],
                ["{{ r[0] }}", "{{ r[1] }}"],
                f"r in {key}.rows",
                [11, 5.6],
            )
            b.image("map")
        elif spec.derived in {"actions", "funding", "calendar"}:
            b.table(
                [f"{{{{ {key}.header[0] }}}}", f"{{{{ {key}.header[1] }}}}"],
                ["{{ r[0] }}", "{{ r[1] }}"],
                f"r in {key}.rows",
                [9, 7.6],
            )
        if spec.key == "engagements":
            b.letter_closing().signature_blocks("s in signatures")
    b.save(path)
    return path


def build_annex(path: Path = ANNEX_DOCX) -> Path:
    b = DocxTemplateBuilder(title_tag="Annexe à la lettre d'engagement", letter=True)
    b.letterhead()
    b.document.add_paragraph("Annexe à la lettre d'engagement", style="Title")
    b.paragraph("{{ operator.name }}")
    b.heading(ARTICLES[0])
    b.paragraph("{{ article1 }}")
    b.heading(ARTICLES[1])
    for label, key in [
        ("Raison sociale", "name"),
        ("Catégorie", "category"),
        ("Statut juridique", "legal_status"),
        ("FINESS", "finess"),
        ("SIRET", "siret"),
        ("Adresse", "address"),
        ("Signataire", "signatory"),
    ]:
        b.paragraph(f"{label} : {{{{ operator.{key} }}}}")
    b.heading(ARTICLES[2])
    b.tag("{%p for a in actions %}")
    b.heading("Fiche-action {{ a.code }} : {{ a.title }}", level=2)
    b.paragraph("Actions : {{ a.description }}")
    b.paragraph(
        "Conditions de mise en œuvre (autorisation, agrément, convention…) : {{ a.conditions }}"
    )
    b.paragraph("Échéancier de mise en œuvre : {{ a.period }}")
    b.bullets_for("m in a.milestones", "{{ m.date }} : {{ m.title }}")
    b.tag("{%p endfor %}")
    b.heading("Mobilisation des ressources", level=2)
    b.table(
        ["Fiche-action", "Financeur", "Nature", "Année", "Montant", "Statut"],
        [
            "{{ r.action }}",
            "{{ r.funder }}",
            "{{ r.nature }}",
            "{{ r.year }}",
            "{{ r.amount }}",
            "{{ r.status }}",
        ],
        "r in resources",
        [2.4, 3.8, 2.6, 1.6, 3, 2.2],
    )
    b.paragraph("Autofinancement : {{ self_total }}")
    b.paragraph("Aide : {{ aid_total }}")
    b.heading(ARTICLES[3])
    b.paragraph("{{ article4 }}")
    b.heading(ARTICLES[4])
    b.paragraph("{{ article5 }}")
    b.heading(ARTICLES[5])
    b.paragraph("{{ article6 }}")
    b.heading("Signature en bilatéral : régulateur – opérateur")
    b.letter_closing().signature_blocks("s in signatures")
    b.save(path)
    return path


BUILDERS = {COLLECTIVE_DOCX: build_collective, ANNEX_DOCX: build_annex}


def build_all() -> list[Path]:
    return [build(path) for path, build in BUILDERS.items()]
