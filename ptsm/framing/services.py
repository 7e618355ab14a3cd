"""Writes of the framing app: texts, signatories, status workflow, versions and signature."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ptsm.core.concurrency import AlreadyDone, save_sections
from ptsm.core.files import atomic_with_files, store_file
from ptsm.documents.letters import not_ready_message
from ptsm.documents.registry import get_kind
from ptsm.documents.services import build_context, freeze_documents, store_document
from ptsm.documents.uploads import check_signed_upload, upload_sha256
from ptsm.organisations.models import Contact
from ptsm.projects.services import record_method_event

from .content import context_lines
from .documents import ANNEX_KIND, LETTER_KIND, letter_freeze
from .events import LETTER_SIGNED
from .models import FramingLetter, LetterStatus, LetterVersion, SignatureMode, StatusChange
from .sections import SECTION_BY_KEY

TRANSITIONS = {
    LetterStatus.DRAFT: {LetterStatus.REVIEW},
    LetterStatus.REVIEW: {LetterStatus.DRAFT, LetterStatus.VALIDATED},
    LetterStatus.VALIDATED: {LetterStatus.DRAFT},  # signing goes through sign_version
    # A signed letter changes only through an amendment: reopening it needs a reason and the
    # signed version stays frozen.
    LetterStatus.SIGNED: {LetterStatus.DRAFT},
}


def _refuse_unless_ready(letter: FramingLetter) -> None:
    from .selectors import readiness

    missing = readiness(letter)
    if missing:
        raise ValidationError(not_ready_message(missing))


def _directory_signatory(project, sub_type: str):
    return (
        Contact.objects.filter(project=project, organisation__sub_type=sub_type)
        .order_by("pk")
        .first()
    )


def ensure_letter(*, project) -> FramingLetter:
    """The project's letter, created on first use with signatories proposed from the directory."""
    letter = FramingLetter.objects.filter(project=project).first()
    if letter is None:
        letter = FramingLetter.objects.create(
            project=project,
            duration_months=project.planned_duration_months,
            ars_signatory=_directory_signatory(project, "ars"),
            cd_signatory=_directory_signatory(project, "conseil_departemental"),
        )
    return letter


def _back_to_draft(letter: FramingLetter, user, reason: str) -> None:
    """Any change after review or signature opens a new draft; signed versions stay frozen."""
    if letter.status != LetterStatus.DRAFT:
        StatusChange.objects.create(
            letter=letter,
            from_status=letter.status,
            to_status=LetterStatus.DRAFT,
            user=user,
            comment=reason,
        )
        letter.status = LetterStatus.DRAFT


SIGNED_LETTER_IS_FROZEN = (
    "La lettre de cadrage est signée : elle ne se modifie plus. Pour la faire évoluer, ouvrez un "
    "avenant (« Ouvrir un avenant », motif obligatoire) ; la version signée reste conservée telle quelle."
)


@transaction.atomic
def update_section(
    *, letter: FramingLetter, key: str, text: str, user=None, base: str | None = None
) -> FramingLetter:
    """Save one section. `base` is the fingerprint of the text the user's form loaded: the row is
    locked and re-read, so another section saved at the same moment is kept, and a newer text of
    this section is never overwritten silently (SectionConflict)."""
    spec = SECTION_BY_KEY.get(key)
    if spec is None:
        raise ValidationError("Section inconnue.")
    locked = FramingLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.status == LetterStatus.SIGNED:
        raise ValidationError(SIGNED_LETTER_IS_FROZEN)
    saved = save_sections(
        FramingLetter,
        letter.pk,
        field="texts",
        texts={key: text},
        bases=None if base is None else {key: base},
        defaults={key: spec.default},
        labels={key: spec.heading},
    )
    if saved.texts != locked.texts:
        _back_to_draft(saved, user, f"Modification de la section « {spec.heading} »")
        saved.save(update_fields=["status", "updated_at"])
    letter.texts, letter.status = saved.texts, saved.status
    return letter


@transaction.atomic
def update_settings(
    *,
    letter: FramingLetter,
    duration_months: int,
    ars_signatory,
    cd_signatory,
    place: str | None = None,
    user=None,
):
    if FramingLetter.objects.filter(pk=letter.pk, status=LetterStatus.SIGNED).exists():
        raise ValidationError(SIGNED_LETTER_IS_FROZEN)
    for contact in (ars_signatory, cd_signatory):
        if contact is not None and contact.project_id != letter.project_id:
            raise ValidationError("Le signataire doit figurer dans l'annuaire du projet.")
    if not 1 <= duration_months <= 60:
        raise ValidationError("La durée doit être comprise entre 1 et 60 mois.")
    letter.duration_months = duration_months
    letter.ars_signatory = ars_signatory
    letter.cd_signatory = cd_signatory
    if place is not None:
        letter.place = place.strip()
    _back_to_draft(letter, user, "Modification de la durée, des signataires ou du lieu")
    # Only these fields: a section saved meanwhile by someone else must not be overwritten.
    letter.save(
        update_fields=[
            "duration_months",
            "ars_signatory",
            "cd_signatory",
            "place",
            "status",
            "updated_at",
        ]
    )
    return letter


@transaction.atomic
def change_status(
    *, letter: FramingLetter, to_status: str, user=None, comment: str = ""
) -> FramingLetter:
    if to_status not in TRANSITIONS.get(letter.status, set()):
        raise ValidationError(
            f"Passage impossible de « {letter.get_status_display()} » à « {LetterStatus(to_status).label} »."
            if to_status in LetterStatus.values
            else "Statut inconnu."
        )
    if letter.status == LetterStatus.SIGNED and not comment.strip():
        raise ValidationError("Indiquez le motif de l'avenant à la lettre de cadrage signée.")
    if to_status in (LetterStatus.REVIEW, LetterStatus.VALIDATED):
        _refuse_unless_ready(letter)
    StatusChange.objects.create(
        letter=letter,
        from_status=letter.status,
        to_status=to_status,
        user=user,
        comment=comment[:500],
    )
    letter.status = to_status
    letter.save(update_fields=["status", "updated_at"])
    if to_status in (LetterStatus.REVIEW, LetterStatus.VALIDATED):
        # One action: the letter sent for review, or validated, is generated and stored with
        # that status, ready to read or to sign (its PDF is the one to sign).
        _generate_version(letter=letter, user=user)
    if to_status == LetterStatus.VALIDATED:
        freeze_documents(
            project=letter.project,
            kind_slugs=[ANNEX_KIND],
            freeze=letter_freeze(letter.project),
            user=user,
        )
    return letter


@transaction.atomic
def generate_version(*, letter: FramingLetter, user=None, today=None) -> LetterVersion:
    """Generate the DOCX and the PDF and record them as a new version (unless nothing changed).
    A validated or signed letter is frozen: its validated version is returned as it is."""
    if letter_freeze(letter.project) is not None:
        return letter.versions.first()
    return _generate_version(letter=letter, user=user, today=today)


def _generate_version(*, letter: FramingLetter, user=None, today=None) -> LetterVersion:
    project = letter.project
    kind = get_kind(LETTER_KIND)
    context = build_context(project, kind, "", today or timezone.localdate())
    variant = kind.variants_for(project)[0]
    docx = store_document(
        project=project,
        kind=kind,
        variant=variant,
        fmt="docx",
        data=kind.renderers["docx"](context),
        user=user,
    )
    pdf = store_document(
        project=project,
        kind=kind,
        variant=variant,
        fmt="pdf",
        data=kind.renderers["pdf"](context),
        user=user,
    )
    # Locked: two "Générer" at once make one version, not two with the same number.
    list(FramingLetter.objects.select_for_update().filter(pk=letter.pk).values_list("pk"))
    latest = letter.versions.first()
    if (
        latest
        and latest.pdf_id == pdf.pk
        and latest.docx_id == docx.pk
        and latest.status == letter.status
    ):
        return latest
    return LetterVersion.objects.create(
        letter=letter,
        number=(latest.number + 1) if latest else 1,
        created_by=user if user is not None and user.is_authenticated else None,
        status=letter.status,
        lines=context_lines(context),
        docx=docx,
        pdf=pdf,
    )


@atomic_with_files
def sign_version(
    *,
    version: LetterVersion,
    user,
    mode: str,
    signed_on,
    upload=None,
    signed_outside: bool = False,
) -> LetterVersion:
    """Record the signature of a validated version and freeze it. An uploaded PDF must be this
    version's PDF, signed (PAdES) and not modified after its signature; a letter signed outside
    the platform (printed, signed, scanned) is accepted only when the user states it.
    The letter's row is locked: a second request (double click) waits, then finds the version
    signed and says so."""
    list(FramingLetter.objects.select_for_update().filter(pk=version.letter_id).values_list("pk"))
    # Re-read what a concurrent request may have changed (keeping the caller's objects).
    version.refresh_from_db(fields=["signed", "signed_sha256", "status"])
    letter = version.letter
    letter.refresh_from_db(fields=["status"])
    if version.signed:
        uploaded = upload is not None and mode == SignatureMode.UPLOAD
        if uploaded and upload_sha256(upload) == version.signed_sha256:
            raise AlreadyDone("Ce PDF signé est déjà enregistré : rien n'a changé.")
        raise ValidationError("Cette version est déjà signée.")
    if letter.status != LetterStatus.VALIDATED or version.status != LetterStatus.VALIDATED:
        raise ValidationError("Seule une version générée après validation peut être signée.")
    if letter.versions.first().pk != version.pk:
        raise ValidationError("Seule la dernière version peut être signée.")
    _refuse_unless_ready(letter)
    if mode == SignatureMode.UPLOAD:
        if upload is None:
            raise ValidationError("Déposez le PDF signé.")
        with version.pdf.content.open("rb") as handle:
            sent_pdf = handle.read()
        checked = check_signed_upload(
            upload,
            sent_pdf=sent_pdf,
            signed_outside=signed_outside,
            what=f"la lettre de cadrage générée (version {version.number})",
            other_documents={
                other.pdf.sha256: f"la version {other.number} de la lettre de cadrage"
                for other in letter.versions.select_related("pdf").exclude(pk=version.pk)
            },
        )
        data = checked.data
        version.signed_outside = checked.signed_outside
        digest = hashlib.sha256(data).hexdigest()
        store_file(
            version.signed_file,
            f"lettre-de-cadrage-v{version.number}-signee-{digest[:12]}.pdf",
            data,
        )
        version.signed_sha256 = digest
    elif mode == SignatureMode.SESSION:
        version.signed_sha256 = version.pdf.sha256  # the generated PDF is the signed text
    else:
        raise ValidationError("Mode de signature inconnu.")
    version.signed = True
    version.signature_mode = mode
    version.signed_on = signed_on
    version.signed_at = timezone.now()
    version.signed_by = user
    version.save()
    StatusChange.objects.create(
        letter=letter,
        from_status=letter.status,
        to_status=LetterStatus.SIGNED,
        user=user,
        comment=SignatureMode(mode).label,
    )
    letter.status = LetterStatus.SIGNED
    letter.save(update_fields=["status", "updated_at"])
    record_method_event(
        project=letter.project, key=LETTER_SIGNED.key, happened_on=signed_on, user=user
    )
    return version


def verify_signed_file(version: LetterVersion) -> bool:
    """True when the stored signed PDF still has the SHA-256 recorded at signature."""
    if not version.signed_file:
        return version.signed_sha256 == version.pdf.sha256
    with version.signed_file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == version.signed_sha256
