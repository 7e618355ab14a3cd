"""DOCX template of the reviews (bilan à 6 mois, bilans annuels, bilan final)."""

from pathlib import Path

from ptsm.documents.docx_builder import DocxTemplateBuilder

TEMPLATE_DIR = Path(__file__).resolve().parent / "doc_templates"
REVIEW_DOCX = TEMPLATE_DIR / "bilan.docx"


def build_review(path: Path = REVIEW_DOCX) -> Path:
    b = DocxTemplateBuilder(title_tag="{{ title }}")
    b.title("{{ title }}", "{{ meta.territory_name }}")
    b.heading("Rappel des engagements")
    b.paragraph("Engagements signés : {{ period.signatures }}.")
    b.paragraph(
        "Début des engagements : {{ period.start }} — échéance du bilan : {{ period.due }} — "
        "fin des engagements : {{ period.end }}."
    )
    b.tag("{%p if year %}")
    b.paragraph("{{ year.label }}. Les valeurs des indicateurs sont celles mesurées dans l'année.")
    b.tag("{%p endif %}")
    b.tag("{%p if validation %}")
    b.paragraph(
        "Version {{ validation.number }} validée par le COPIL le {{ validation.validated_on }} : "
        "{{ validation.decision }}",
        italic=True,
    )
    b.tag("{%p endif %}")
    # A part the COPIL did not write is left out, never shown as a placeholder.
    b.tag("{%p for s in sections if s.paragraphs %}").heading("{{ s.heading }}")
    b.tag("{%p for line in s.paragraphs %}").paragraph("{{ line }}").tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.heading("Participation des personnes concernées et des proches")
    b.tag("{%p for section in participation %}").heading("{{ section.heading }}", level=2)
    b.bullets_for("line in section.lines", "{{ line }}")
    b.tag("{%p endfor %}")
    b.tag("{%p if not participation %}")
    b.paragraph("Aucune donnée de participation n'est encore enregistrée dans le projet.")
    b.tag("{%p endif %}")
    b.heading("Avancement du plan d'actions")
    b.table(
        ["Statut", "Fiches-actions"], ["{{ r[0] }}", "{{ r[1] }}"], "r in status_rows", [10, 6.6]
    )
    b.paragraph("Jalons : {{ milestones.summary }}.")
    b.table(
        ["N°", "Fiche-action", "Pilote", "Statut", "Jalons", "Appréciation"],
        [
            "{{ a.code }}",
            "{{ a.title }}",
            "{{ a.pilot }}",
            "{{ a.status }}",
            "{{ a.milestones }}",
            "{{ a.comment }}",
        ],
        "a in actions",
        [1.4, 3.6, 2.8, 1.8, 2.6, 4.4],
    )
    b.heading("Indicateurs d'évaluation")
    b.table(
        ["N°", "Indicateur", "Départ", "Cible", "{{ value_heading }}", "Mesurée le"],
        [
            "{{ i.action }}",
            "{{ i.name }}",
            "{{ i.baseline }}",
            "{{ i.target }}",
            "{{ i.value }}",
            "{{ i.measured_on }}",
        ],
        "i in indicators",
        [1.4, 5, 2, 2, 3.2, 3],
    )
    b.heading("Crédits mobilisés")
    b.tag("{%p if credits_recorded is not defined or credits_recorded %}")
    b.table(
        ["Nature et statut", "Montant"], ["{{ r[0] }}", "{{ r[1] }}"], "r in credits", [10, 6.6]
    )
    b.tag("{%p else %}")
    b.paragraph("Aucun crédit n'est inscrit sur les fiches-actions.")
    b.tag("{%p endif %}")
    b.heading("Avenants aux engagements")
    b.bullets_for(
        "a in amendments",
        "{{ a.operator }} — version {{ a.number }} du {{ a.date }} ({{ a.state }}) : {{ a.reason }}",
    )
    b.tag("{%p if not amendments %}").paragraph("Aucun avenant.").tag("{%p endif %}")
    b.recalls()
    b.save(path)
    return path


BUILDERS = {REVIEW_DOCX: build_review}


def build_all() -> list[Path]:
    return [build(path) for path, build in BUILDERS.items()]
