"""Document kinds owned by the framing app: the letter (DOCX, PDF/A) and its annex (PPTX)."""

from django.utils import timezone

from ptsm.documents.registry import PUBLIC_BY_DEFAULT, DocumentKind, Freeze, register, template_path
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.documents.slides import Slide, pptx_renderer

from .content import letter_context
from .docx_templates import LETTER_DOCX
from .models import FramingLetter

LETTER_KIND = "lettre-de-cadrage"
ANNEX_KIND = "lettre-de-cadrage-annexe"


def current_letter(project) -> FramingLetter:
    """The project's letter, or an unsaved one with the default texts (no write while reading)."""
    return FramingLetter.objects.select_related(
        "ars_signatory__organisation", "cd_signatory__organisation"
    ).filter(project=project).first() or FramingLetter(project=project)


def build_letter_context(project, variant_key: str = "") -> dict:
    return letter_context(project, current_letter(project))


def annex_slides(context: dict) -> list[Slide]:
    sections = context["by_key"]

    def rows(key):
        return [tuple(row) for row in sections[key]["rows"]]

    return [
        Slide(
            title="Annexe à la lettre de cadrage",
            paragraphs=[
                context["meta"]["project_name"],
                context["meta"]["territory_name"],
                f"Démarche de {context['duration']}",
            ],
        ),
        Slide(title="Axes de travail", bullets=sections["axes_travail"]["bullets"]),
        # The slides carry the annex's whole text, as the PDF does (long ones continue on a
        # "(suite)" slide).
        Slide(
            title="Acteurs et prestations concernés",
            paragraphs=sections["acteurs_prestations"]["paragraphs"],
            bullets=sections["acteurs_prestations"]["bullets"],
        ),
        Slide(
            title="Périmètre géographique — carte d'identité du territoire",
            paragraphs=sections["perimetre_geographique"]["paragraphs"],
            table=rows("perimetre_geographique"),
            image_svg=context["images"]["map"],
            text_first=True,  # « rappelés ci-dessous »
        ),
        Slide(
            title="Partage d'informations et de données",
            paragraphs=sections["partage_donnees"]["paragraphs"],
            bullets=sections["partage_donnees"]["bullets"],
        ),
        Slide(
            title="Gouvernance (missions et composition)",
            paragraphs=sections["gouvernance"]["paragraphs"],
            table=rows("gouvernance"),
            table_header=tuple(sections["gouvernance"]["header"]),
            text_first=True,  # the text presents the instances of the table
        ),
        Slide(
            title="Calendrier prévisionnel de mise en œuvre",
            table=rows("calendrier"),
            table_header=tuple(sections["calendrier"]["header"]),
        ),
        Slide(
            title="Constitution des groupes de travail",
            table=rows("groupes_travail"),
            table_header=tuple(sections["groupes_travail"]["header"]),
        ),
    ]


def letter_is_draft(project) -> bool:
    from .models import FramingLetter, LetterStatus

    return not FramingLetter.objects.filter(
        project=project, status__in=[LetterStatus.VALIDATED, LetterStatus.SIGNED]
    ).exists()


def letter_freeze(project) -> Freeze | None:
    """A validated or signed letter is served from the version generated when it was validated
    (its files are held by the version); reopening it makes the next version."""
    from .models import LetterStatus, LetterVersion

    version = (
        LetterVersion.objects.filter(letter__project=project)
        .select_related("letter")
        .order_by("-number")
        .first()
    )
    frozen_statuses = (LetterStatus.VALIDATED, LetterStatus.SIGNED)
    if version is None or version.status != LetterStatus.VALIDATED:
        return None
    if version.letter.status not in frozen_statuses:
        return None
    return Freeze(
        key=f"{LETTER_KIND}-v{version.number}",
        on=version.signed_on or timezone.localdate(version.created_at),
        documents={"pdf": version.pdf_id, "docx": version.docx_id},
    )


def _letter_frozen(project) -> dict[str, Freeze]:
    """Shared by the letter and its slides (a format the version does not hold is stored under
    the freeze's key)."""
    freeze = letter_freeze(project)
    return {"": freeze} if freeze else {}


register(
    DocumentKind(
        section="Cadrage",
        slug=LETTER_KIND,
        frozen=_letter_frozen,
        title="Lettre de cadrage",
        description="Lettre de lancement signée par le DG de l'ARS et le président du conseil départemental.",
        build_context=build_letter_context,
        is_draft=letter_is_draft,
        publication=PUBLIC_BY_DEFAULT,
        publication_note=(
            "Elle nomme ses signataires et les membres des instances dans leur fonction."
        ),
        renderers={
            "docx": docx_renderer(LETTER_DOCX),
            "pdf": pdf_renderer(template_path(__file__, "doc_templates", "lettre-de-cadrage.typ")),
        },
        order=1,
    )
)
register(
    DocumentKind(
        section="Cadrage",
        slug=ANNEX_KIND,
        title="Annexe à la lettre de cadrage (diaporama)",
        description=(
            "Axes de travail, acteurs, périmètre et carte, partage de données, gouvernance, "
            "calendrier, groupes de travail."
        ),
        build_context=build_letter_context,
        is_draft=letter_is_draft,
        frozen=_letter_frozen,  # the same freeze: the slides are stored under its key
        renderers={"pptx": pptx_renderer(annex_slides)},
        order=2,
    )
)
