"""Writes of the organisations app: directory entries and professional contacts."""

import hashlib
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from ptsm.core.files import atomic_with_files, store_file
from ptsm.core.guards import deletion_obstacles

from .categories import category_of, default_represents
from .models import Contact, Organisation
from .validators import normalise_identifier, validate_finess, validate_siret

DUPLICATE_CONTACT = (
    "Un contact avec cette adresse électronique existe déjà dans l'annuaire du projet."
)
DUPLICATE_FINESS = (
    "Une organisation avec ce numéro FINESS ET existe déjà dans l'annuaire du projet."
)


def clean_organisation(organisation: Organisation) -> None:
    """Normalise identifiers and check rules a form cannot see (uniqueness within the project)."""
    organisation.finess_et = normalise_identifier(organisation.finess_et)
    organisation.finess_ej = normalise_identifier(organisation.finess_ej)
    organisation.siret = normalise_identifier(organisation.siret)
    errors = {}
    for field, validator in (
        ("finess_et", validate_finess),
        ("finess_ej", validate_finess),
        ("siret", validate_siret),
    ):
        try:
            validator(getattr(organisation, field))
        except ValidationError as exc:
            errors[field] = exc.messages
    expected_category = category_of(organisation.sub_type) if organisation.sub_type else None
    if expected_category and organisation.category != expected_category:
        errors["sub_type"] = ["Ce sous-type ne correspond pas à la catégorie choisie."]
    if organisation.finess_et and (
        Organisation.objects.filter(
            project_id=organisation.project_id, finess_et=organisation.finess_et
        )
        .exclude(pk=organisation.pk)
        .exists()
    ):
        errors["finess_et"] = [DUPLICATE_FINESS]
    if errors:
        raise ValidationError(errors)
    organisation.full_clean(validate_constraints=False)


@transaction.atomic
def save_organisation(*, organisation: Organisation) -> Organisation:
    clean_organisation(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def prefill_represents(*, project) -> int:
    """Say whom the project's « usagers et familles » organisations represent where nobody has
    said it yet (a GEM: people with lived experience; the UNAFAM: families; others: both), as
    imports do. Returns how many organisations were changed."""
    changed = 0
    for organisation in Organisation.objects.filter(
        project=project, represents="", category="usagers_familles"
    ):
        organisation.represents = default_represents(organisation.category, organisation.sub_type)
        if organisation.represents:
            save_organisation(organisation=organisation)
            changed += 1
    return changed


def _refuse_if_kept(record, what: str) -> None:
    obstacles = deletion_obstacles(record)
    if obstacles:
        raise ValidationError(
            f"{what} ne peut pas être supprimé{'e' if what.startswith('L') else ''} : "
            + ", ".join(obstacles)
            + ". Archivez-la plutôt : elle reste dans les documents signés et validés."
        )


@transaction.atomic
def delete_organisation(*, organisation: Organisation) -> None:
    """Delete an organisation no signed or validated record refers to (see `core.guards`)."""
    _refuse_if_kept(organisation, f"L'organisation « {organisation.name} »")
    organisation.delete()


@transaction.atomic
def set_organisation_archived(*, organisation: Organisation, archived: bool) -> Organisation:
    """Archived organisations leave the directory's lists but stay in every document."""
    organisation.archived = archived
    organisation.save(update_fields=["archived", "updated_at", "version"])
    return organisation


def clean_contact(contact: Contact) -> None:
    contact.email = (contact.email or "").strip().lower()
    if contact.organisation_id and contact.organisation.project_id != contact.project_id:
        raise ValidationError({"organisation": "Cette organisation n'appartient pas au projet."})
    if contact.email and (
        Contact.objects.filter(project_id=contact.project_id, email__iexact=contact.email)
        .exclude(pk=contact.pk)
        .exists()
    ):
        raise ValidationError({"email": DUPLICATE_CONTACT})
    contact.full_clean(validate_constraints=False)


@transaction.atomic
def save_contact(*, contact: Contact) -> Contact:
    clean_contact(contact)
    contact.save()
    return contact


@transaction.atomic
def delete_contact(*, contact: Contact) -> None:
    """Delete a contact no sent or signed commitment names (see `core.guards`)."""
    obstacles = deletion_obstacles(contact)
    if obstacles:
        raise ValidationError(
            f"{contact.full_name} ne peut pas être supprimé(e) de l'annuaire : "
            + ", ".join(obstacles)
            + ". Archivez ce contact plutôt."
        )
    contact.delete()


@transaction.atomic
def set_contact_archived(*, contact: Contact, archived: bool) -> Contact:
    contact.archived = archived
    contact.save(update_fields=["archived", "updated_at", "version"])
    return contact


LOGO_MAX_BYTES = 1024 * 1024
LOGO_MIN_PIXELS, LOGO_MAX_PIXELS = 32, 4000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def check_logo(data: bytes) -> str:
    """The file's extension when `data` is a PNG or JPEG logo within bounds; French errors."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError("Le logo dépasse 1 Mo : réduisez-le avant de le déposer.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind not in LOGO_FORMATS:
                raise ValidationError("Le logo doit être une image PNG ou JPEG.")
            if not (
                LOGO_MIN_PIXELS <= width <= LOGO_MAX_PIXELS
                and LOGO_MIN_PIXELS <= height <= LOGO_MAX_PIXELS
            ):
                raise ValidationError(
                    f"Dimensions du logo hors limites ({width} × {height} pixels) : entre "
                    f"{LOGO_MIN_PIXELS} et {LOGO_MAX_PIXELS} pixels de côté."
                )
            image.verify()  # reads the whole stream: a truncated or corrupt file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError("Ce fichier n'est pas une image PNG ou JPEG lisible.") from exc
    return LOGO_FORMATS[kind]


@atomic_with_files
def set_organisation_logo(*, organisation: Organisation, upload=None) -> Organisation:
    """Store the organisation's logo (replacing the previous one), or remove it (`upload=None`)."""
    if upload is None:
        organisation.logo = ""
    else:
        if upload.size > LOGO_MAX_BYTES:
            raise ValidationError("Le logo dépasse 1 Mo : réduisez-le avant de le déposer.")
        data = upload.read()
        extension = check_logo(data)
        digest = hashlib.sha256(data).hexdigest()
        store_file(organisation.logo, f"logo-{organisation.pk}-{digest[:12]}.{extension}", data)
    organisation.save(update_fields=["logo", "updated_at"])
    return organisation
