"""Document kinds owned by the commitments app."""

from ptsm.documents.letters import letter_frame
from ptsm.documents.registry import (
    PUBLIC_BY_DEFAULT,
    PUBLIC_OPTIONAL,
    DocumentKind,
    Freeze,
    Variant,
    register,
    template_path,
)
from ptsm.documents.rendering import docx_renderer, pdf_renderer
from ptsm.organisations.models import Organisation
from ptsm.territories.selectors import territory_of

from .bundle import BundlePart, build_bundle
from .content import (
    Snapshot,
    annex_context,
    annex_signature_context,
    collective_context,
    operator_slug,
    operator_slugs,
    operators,
)
from .docx_templates import ANNEX_DOCX, COLLECTIVE_DOCX
from .models import SignatureMode

# What the signature sheet says of the signature mode chosen for the letters.
SHEET_MODE_SENTENCES = {
    SignatureMode.COLLECTIVE: "Les engagements sont signés en séance collective.",
    SignatureMode.BILATERAL: (
        "Les annexes sont signées en bilatéral (régulateur – opérateur) ; cette feuille réunit, "
        "le cas échéant, les signatures de la lettre collective."
    ),
}

COLLECTIVE_KIND, ANNEX_KIND, BUNDLE_KIND = (
    "lettre-engagement-collective",
    "annexe",
    "liasse-engagements",
)


def _collective(project, variant_key: str = "") -> dict:
    return collective_context(project)


def annex_variant(organisation, slugs: dict[int, str] | None = None) -> Variant:
    return Variant(
        key=str(organisation.pk),
        file_stem=f"annexe-{operator_slug(organisation, slugs)}",
        title=f"Annexe — {organisation.name}",
    )


def _annex_variants(project) -> list[Variant]:
    slugs = operator_slugs(project)
    return [annex_variant(o, slugs) for o in operators(project)]


def _annex(project, variant_key: str) -> dict:
    organisation = Organisation.objects.get(project=project, pk=int(variant_key))
    return annex_signature_context(annex_context(project, organisation))


def _all_annexes(project) -> dict[str, dict]:
    snapshot = Snapshot(project)  # the roadmap, read once for every operator
    return {
        str(o.pk): annex_signature_context(annex_context(project, o, snapshot))
        for o in snapshot.operators()
    }


def _annexes_frozen(project) -> dict[str, Freeze]:
    """A signed annex is served as the version signed, held by that version; an amendment
    awaiting its signature is the workflow's new version (not frozen until signed)."""
    from django.db.models import OuterRef, Subquery

    from .models import AnnexVersion, Signatory

    signed_on = Signatory.objects.filter(
        letter=OuterRef("letter"), organisation=OuterRef("organisation")
    ).values("signed_on")[:1]
    latest: dict[int, AnnexVersion] = {}
    for version in (
        AnnexVersion.objects.filter(letter__project=project)
        .annotate(signatory_signed_on=Subquery(signed_on))
        .only("organisation_id", "number", "signed", "pdf_id", "docx_id", "created_at")
        .order_by("organisation_id", "-number")
    ):
        latest.setdefault(version.organisation_id, version)
    return {
        str(organisation_id): Freeze(
            key=f"{ANNEX_KIND}-{organisation_id}-v{version.number}",
            on=version.signatory_signed_on or version.created_at.date(),
            documents={"pdf": version.pdf_id, "docx": version.docx_id},
        )
        for organisation_id, version in latest.items()
        if version.signed
    }


def collective_freeze(project) -> Freeze | None:
    """The collective letter's text is frozen at the first signature (see `update_text`): its
    files are those stored then."""
    from .models import Signatory, SignatoryStatus

    first = (
        Signatory.objects.filter(letter__project=project, status=SignatoryStatus.SIGNED)
        .order_by("signed_on")
        .values_list("signed_on", flat=True)
        .first()
    )
    if first is None:
        return None
    return Freeze(key=f"{COLLECTIVE_KIND}-signee", on=first)


def _collective_frozen(project) -> dict[str, Freeze]:
    freeze = collective_freeze(project)
    return {"": freeze} if freeze else {}


def _signature_sheet(project, variant_key: str = "") -> dict:
    """Every signatory of the collective letter: the regulator, the conseil départemental when it
    co-pilots, and each operator, with a block to sign."""
    from django.utils import timezone

    from ptsm.core.formatting import french_date

    from .content import (
        cd_co_pilots,
        current_letter,
        draft_mark,
        institution_blocks,
        letter_place,
        letterhead_institutions,
        roadmap_validated_on,
        signature_block,
    )

    letter = current_letter(project)
    session = letter.session
    co_pilots = cd_co_pilots(project)
    contacts = (
        {s.organisation_id: s.contact for s in letter.signatories.select_related("contact")}
        if letter.pk
        else {}
    )
    when = (
        f"séance du {french_date(timezone.localtime(session.starts_at).date())}" if session else ""
    )
    return {
        "title": "Feuille de signature des engagements",
        "session": f"{session.title} — {when}" if session else "",
        "mode": SHEET_MODE_SENTENCES[letter.signature_mode],
        "signatures": institution_blocks(project, letter, co_pilots)
        + [
            signature_block(o.name, contacts.get(o.pk), "Représentant de l'opérateur")
            for o in operators(project)
        ],
        **letter_frame(
            institutions=letterhead_institutions(project, letter, co_pilots),
            place=letter_place(letter),
            subject="signature de la lettre d'engagement collective du projet territorial de "
            f"santé mentale (PTSM) {territory_of(project.territory)}"
            + (f" — {when}" if when else ""),
            addressees=[],
            salutation="",
            closing="",
            draft_mark=draft_mark(roadmap_validated_on(project)),
        ),
    }


def _bundle(project, variant_key: str = "") -> dict:
    from .selectors import bundle_parts

    contents = bundle_parts(project)
    return {"parts": contents.parts, "heading": contents.heading}


def _bundle_pdf(context: dict) -> bytes:
    return build_bundle(parts=context["parts"], meta=context["meta"], heading=context["heading"])


register(
    DocumentKind(
        section="Engagement",
        slug=COLLECTIVE_KIND,
        title="Lettre d'engagement collective",
        description="Partie collective de la lettre d'engagement (ANAP) : rappel des phases, signataires, contenu, "
        "évaluation, page des signatures.",
        build_context=_collective,
        frozen=_collective_frozen,
        publication=PUBLIC_BY_DEFAULT,
        publication_note="Elle nomme ses signataires dans leur fonction et les pilotes des fiches-actions.",
        renderers={
            "docx": docx_renderer(COLLECTIVE_DOCX),
            "pdf": pdf_renderer(
                template_path(__file__, "doc_templates", "lettre-engagement-collective.typ")
            ),
        },
        order=40,
    )
)
register(
    DocumentKind(
        section="Engagement",
        slug=ANNEX_KIND,
        title="Annexe par opérateur",
        description="Articles 1 à 6 et signature bilatérale.",
        build_context=_annex,
        variants=_annex_variants,
        build_all_contexts=_all_annexes,
        owner_organisation=int,  # the variant key is the operator's pk
        frozen=_annexes_frozen,
        publication=PUBLIC_OPTIONAL,
        publication_note=(
            "Une par opérateur : raison sociale, SIRET, adresse, signataire et financements de "
            "l'opérateur."
        ),
        renderers={
            "docx": docx_renderer(ANNEX_DOCX),
            "pdf": pdf_renderer(template_path(__file__, "doc_templates", "annexe-operateur.typ")),
        },
        order=41,
    )
)
register(
    DocumentKind(
        section="Engagement",
        slug="feuille-signature-engagements",
        title="Feuille de signature (séance collective)",
        description="Liste des opérateurs et de leurs signataires, avec une colonne pour signer.",
        build_context=_signature_sheet,
        gathers_operators=True,
        renderers={
            "pdf": pdf_renderer(template_path(__file__, "doc_templates", "feuille-signature.typ"))
        },
        order=43,
    )
)
register(
    DocumentKind(
        section="Engagement",
        slug=BUNDLE_KIND,
        title="Liasse des engagements",
        description="Couverture, sommaire, lettre collective, feuille de route validée, annexes "
        "(signées ou en attente), numérotation propre à la liasse, signets et empreintes SHA-256.",
        build_context=_bundle,
        gathers_operators=True,
        renderers={"pdf": _bundle_pdf},
        order=42,
    )
)

__all__ = ["BundlePart", "COLLECTIVE_KIND", "ANNEX_KIND", "BUNDLE_KIND"]
