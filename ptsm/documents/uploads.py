"""Checks on uploaded signed PDFs: extension, size, PDF header, readable by pypdf."""

import hashlib
import io

from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_SIGNED_PDF_BYTES = 20 * 1024 * 1024


def read_signed_pdf(upload) -> bytes:
    """The upload's bytes, or a ValidationError in French when it is not an acceptable PDF."""
    if not upload.name.lower().endswith(".pdf"):
        raise ValidationError("Déposez le PDF signé (fichier .pdf).")
    if upload.size > MAX_SIGNED_PDF_BYTES:
        raise ValidationError("Fichier trop volumineux : 20 Mo au plus.")
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        raise ValidationError("Ce fichier n'est pas un PDF.")
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PdfReadError, ValueError) as exc:
        raise ValidationError("Ce PDF est illisible ou endommagé.") from exc
    if pages == 0:
        raise ValidationError("Ce PDF ne contient aucune page.")
    return data


def sha256_of_file(field) -> str:
    with field.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()
