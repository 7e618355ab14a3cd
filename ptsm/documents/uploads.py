"""Checks on uploaded signed PDFs: extension, size, PDF header, readable by pypdf, no active
content, and — for the signed annex or framing letter — that the signed document is the one that
was sent and has not been modified after its signature (PAdES, checked with pyHanko)."""

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_SIGNED_PDF_BYTES = 20 * 1024 * 1024
# A signed annex or letter holds a few hundred objects, a long scanned document a few thousand;
# far more is a file built to exhaust the checks (and their memory).
MAX_PDF_OBJECTS = 50_000
MAX_PDF_NESTED_ITEMS = 2_000_000

ACTIVE_CONTENT = (
    "Ce PDF contient du contenu actif ({what}) : il est refusé. "
    "Déposez un PDF sans script, sans action de lancement ni fichier joint."
)


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
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
        active = active_content(reader)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged or hostile files
        raise ValidationError("Ce PDF est illisible ou endommagé.") from exc
    if pages == 0:
        raise ValidationError("Ce PDF ne contient aucune page.")
    if active:
        raise ValidationError(ACTIVE_CONTENT.format(what=active))
    return data


def _active_in(value) -> str:
    """What active content a dictionary (or stream dictionary) declares, if any."""
    if "/JS" in value or "/JavaScript" in value or value.get("/S") == "/JavaScript":
        return "JavaScript"
    if value.get("/S") == "/Launch" or "/Launch" in value:
        return "action de lancement"
    if (
        "/EmbeddedFiles" in value
        or "/EF" in value
        or value.get("/Subtype") == "/FileAttachment"
        or value.get("/Type") == "/EmbeddedFile"
    ):
        return "fichier joint"
    return ""


def active_content(reader: PdfReader) -> str:
    """Walk every object of the PDF's cross-reference table once (references are not followed:
    each indirect object is reached through the table), in bounded time. Returns what active
    content was found — JavaScript (/JS, the /JavaScript name tree, JavaScript actions in
    /OpenAction or /AA), launch actions, embedded files (/EmbeddedFiles, /EF, file attachment
    annotations) — or "" when there is none. pypdf decodes #xx escapes in names, so `/J#53` is
    seen as `/JS`."""
    ids = {(idnum, generation) for generation, table in reader.xref.items() for idnum in table}
    ids |= {(idnum, 0) for idnum in reader.xref_objStm}
    if len(ids) > MAX_PDF_OBJECTS:
        raise ValidationError("Ce PDF contient trop d'objets pour être vérifié.")
    budget = MAX_PDF_NESTED_ITEMS
    for idnum, generation in sorted(ids):
        try:
            stack = [reader.get_object(IndirectObject(idnum, generation, reader))]
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            continue  # a free or broken entry: nothing a viewer would run
        while stack:
            budget -= 1
            if budget < 0:
                raise ValidationError("Ce PDF est trop complexe pour être vérifié.")
            value = stack.pop()
            if isinstance(value, DictionaryObject):
                if found := _active_in(value):
                    return found
                stack.extend(v for k, v in value.items() if not isinstance(v, IndirectObject))
            elif isinstance(value, ArrayObject):
                stack.extend(v for v in value if not isinstance(v, IndirectObject))
            elif isinstance(value, NameObject) and value in ("/JavaScript", "/Launch"):
                return "JavaScript" if value == "/JavaScript" else "action de lancement"
    return ""


@dataclass(frozen=True)
class DigitalSignature:
    signer: str = ""
    intact: bool | None = None  # None: the PDF carries no electronic signature
    trusted: bool | None = None
    signed_revision_end: int | None = None  # end of the earliest signed revision, in bytes


# Modifications that PAdES allows after a signature: DSS/LTV updates and document timestamps,
# form filling and further signatures. pyHanko's default difference policy does not whitelist
# annotations (it reports them as "other" modifications): we follow its judgment, so a comment
# added after signature is refused, which errs on the side of never accepting an altered file.
_ALLOWED_AFTER_SIGNATURE = ("NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS")

MODIFIED_AFTER_SIGNATURE = (
    "Ce PDF a été modifié après signature : la signature électronique ne couvre pas le document "
    "déposé. Déposez le fichier tel qu'il a été signé."
)


def _signatures(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return reader, reader.embedded_signatures


def _revision_end(embedded) -> int:
    """Where the revision a signature covers ends: the end of its /ByteRange."""
    byte_range = [int(n) for n in embedded.byte_range]
    return byte_range[-2] + byte_range[-1]


def verify_pades(data: bytes) -> DigitalSignature:
    """Check the first PAdES signature of a PDF with pyHanko: who signed, whether the signed bytes
    are intact and followed only by modifications PAdES allows, and whether the certificate
    chains to a trusted authority (none is configured offline, so self-signed or unknown
    certificates are reported as not recognised)."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from .pades_policy import PADES_DIFF_POLICY

    try:
        _reader, signatures = _signatures(data)
    except Exception:  # pyHanko cannot parse it: treat as unsigned, pypdf already accepted the file
        return DigitalSignature()
    if not signatures:
        return DigitalSignature()
    first, signed_revision_end = None, None
    intact = True
    for embedded in sorted(signatures, key=_revision_end):
        try:
            # No trust roots are configured offline: the chain is reported, never assumed trusted.
            status = validate_pdf_signature(
                embedded, ValidationContext(trust_roots=[]), diff_policy=PADES_DIFF_POLICY
            )
        except Exception:  # a damaged signature is reported as not intact, never as valid
            return DigitalSignature(signer="signature illisible", intact=False, trusted=False)
        if first is None:
            first, signed_revision_end = status, _revision_end(embedded)
        level = status.modification_level
        covered = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and level is not None
            and level.name in _ALLOWED_AFTER_SIGNATURE
            and status.docmdp_ok is not False
        )
        intact = intact and bool(status.intact and status.valid and covered)
    signer = first.signing_cert.subject.human_friendly if first.signing_cert else ""
    return DigitalSignature(
        signer=signer,
        intact=intact,
        trusted=bool(first.trusted),
        signed_revision_end=signed_revision_end,
    )


# Entries of the catalog that a signature or a DSS/LTV update may add or change.
_SIGNATURE_CATALOG_KEYS = {
    "/AcroForm",
    "/Perms",
    "/DSS",
    "/Metadata",
    "/Pages",
    "/Type",
    "/Version",  # a signer may raise the PDF version
    "/Extensions",  # and declare the PAdES extension level
}
MAX_COMPARED_ITEMS = 2_000_000


def _same_objects(old, new) -> bool:
    """Deep comparison of two PDF objects read by two pypdf readers (references resolved), in
    bounded time. Pages' /Parent (the tree) and /Annots (compared apart) are skipped."""
    stack, seen, budget = [(old, new)], set(), MAX_COMPARED_ITEMS
    while stack:
        budget -= 1
        if budget < 0:
            return False
        a, b = stack.pop()
        if isinstance(a, IndirectObject) or isinstance(b, IndirectObject):
            key = (getattr(a, "idnum", None), getattr(b, "idnum", None))
            if key in seen:
                continue
            seen.add(key)
            a, b = a.get_object(), b.get_object()
        if isinstance(a, DictionaryObject) != isinstance(b, DictionaryObject):
            return False
        if isinstance(a, DictionaryObject):
            if hasattr(a, "get_data") != hasattr(b, "get_data"):
                return False
            if hasattr(a, "get_data") and a.get_data() != b.get_data():
                return False
            skipped = {"/Parent", "/Annots"} if a.get("/Type") == "/Page" else set()
            keys = set(a) - skipped
            if keys != set(b) - skipped:
                return False
            stack.extend((a.raw_get(k), b.raw_get(k)) for k in keys)
        elif isinstance(a, ArrayObject):
            if not isinstance(b, ArrayObject) or len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif isinstance(a, int | float) and isinstance(b, int | float):
            if float(a) != float(b):  # a writer may turn 595.0 into 595
                return False
        elif type(a) is not type(b) or a != b:
            return False
    return True


def _signature_widgets_only(old_page, new_page) -> bool:
    """The annotations of the signed page are those of the sent page plus signature widgets."""
    old_annots = [a.get_object() for a in (old_page.get("/Annots") or [])]
    new_annots = [a.get_object() for a in (new_page.get("/Annots") or [])]
    added = new_annots[len(old_annots) :]
    if not _same_objects(ArrayObject(old_annots), ArrayObject(new_annots[: len(old_annots)])):
        return False
    return all(
        a.get("/Subtype") == "/Widget" and (a.get("/FT") == "/Sig" or "/V" not in a) for a in added
    )


def _shows_the_same(sent_pdf: bytes, signed_revision: bytes) -> bool:
    """True when the signed revision shows exactly what the sent PDF shows: same pages (content,
    resources, boxes), same catalog apart from what a signature adds, no annotation but
    signature widgets. A forger who alters the pages in the signature's own revision (or in a
    revision before it) is caught here; pyHanko's difference analysis covers what follows."""
    try:
        old, new = PdfReader(io.BytesIO(sent_pdf)), PdfReader(io.BytesIO(signed_revision))
        if len(old.pages) != len(new.pages):
            return False
        old_root, new_root = old.trailer["/Root"], new.trailer["/Root"]
        keys = (set(old_root) | set(new_root)) - _SIGNATURE_CATALOG_KEYS
        if not all(
            k in old_root
            and k in new_root
            and _same_objects(old_root.raw_get(k), new_root.raw_get(k))
            for k in keys
        ):
            return False
        return all(
            _same_objects(o, n) and _signature_widgets_only(o, n)
            for o, n in zip(old.pages, new.pages, strict=True)
        )
    except Exception:  # whatever pypdf makes of a damaged revision, it is not the sent PDF
        return False


def _unchanged_since(data: bytes, sent_pdf: bytes, signed_revision_end: int | None) -> bool:
    """True when `data` is the sent PDF followed by its signature: the bytes start with the sent
    PDF's bytes (a PAdES signature appends an incremental update), and the first signed revision
    shows what the sent PDF shows. What follows the first signature is judged by pyHanko."""
    if not data.startswith(sent_pdf):
        return False
    if len(data) == len(sent_pdf):
        return True
    # Unsigned, the whole file must show what was sent: an update appended without a
    # signature could otherwise change the amounts and pass for the sent annex.
    end = signed_revision_end if signed_revision_end is not None else len(data)
    return _shows_the_same(sent_pdf, data[:end])


@dataclass(frozen=True)
class SignedUpload:
    data: bytes
    digital: DigitalSignature
    signed_outside: bool  # a scan or re-print, stated by the user, not the sent PDF's bytes


UNSIGNED_COPY = (
    "Ce PDF est exactement {what}, tel que la plateforme l'a produit : il ne porte aucune "
    "signature. Déposez le PDF signé (signature électronique), ou le document signé à la main "
    "puis numérisé en cochant « Signature manuscrite scannée »."
)
OTHER_DOCUMENT = "Ce PDF est {other}, pas {what} : il est refusé. Vérifiez le fichier déposé."
NO_SIGNATURE = (
    "Ce PDF ne porte aucune signature électronique. S'il s'agit du document imprimé, signé à la "
    "main puis numérisé, cochez « Signature manuscrite scannée » pour l'enregistrer comme tel."
)


def check_signed_upload(
    upload,
    *,
    sent_pdf: bytes,
    signed_outside: bool,
    what: str = "le document envoyé",
    other_documents: dict[str, str] | None = None,
) -> SignedUpload:
    """The checks of a signed annex or framing letter, with the reason of a refusal in French.

    Decision on "signé hors plateforme": the statement is meant for documents printed, signed by
    hand and scanned, which carry no electronic signature. A PDF that carries an electronic
    signature must be the sent PDF signed (its bytes start with the sent PDF's bytes and nothing
    but signatures, form filling or DSS follows): a digitally signed PDF of another document is
    refused even with the statement, since its signature would lend the wrong text an
    authority it does not have.

    A PDF without any electronic signature is accepted only with the statement that it is a
    handwritten signature, scanned (`signed_outside`), and is recorded as such; the unsigned
    PDF itself (byte for byte) and a file that is another document of the project
    (`other_documents`: SHA-256 -> what it is, e.g. another operator's annex) are refused
    whatever the statement."""
    data = read_signed_pdf(upload)
    if data == sent_pdf:
        raise ValidationError(UNSIGNED_COPY.format(what=what))
    digest = hashlib.sha256(data).hexdigest()
    if other_documents and digest in other_documents:
        raise ValidationError(OTHER_DOCUMENT.format(other=other_documents[digest], what=what))
    digital = verify_pades(data)
    if digital.intact is False:
        raise ValidationError(MODIFIED_AFTER_SIGNATURE)
    is_sent = _unchanged_since(data, sent_pdf, digital.signed_revision_end)
    if digital.intact and not is_sent:
        raise ValidationError(
            f"Ce PDF est signé électroniquement mais ce n'est pas {what} : "
            "la version signée doit être le PDF envoyé par la plateforme, sans autre modification."
        )
    if not digital.intact and not signed_outside:
        if is_sent:
            raise ValidationError(NO_SIGNATURE)
        raise ValidationError(
            f"Ce PDF n'est pas {what} et ne porte aucune signature électronique. S'il a été "
            "imprimé, signé à la main puis numérisé, cochez « Signature manuscrite scannée » "
            "pour l'enregistrer comme tel."
        )
    return SignedUpload(data=data, digital=digital, signed_outside=not digital.intact)


def upload_sha256(upload) -> str:
    """SHA-256 of an upload's bytes, to recognise the same file sent twice (bounded: a larger
    file is refused by the checks anyway)."""
    upload.seek(0)
    digest = hashlib.sha256(upload.read(MAX_SIGNED_PDF_BYTES + 1)).hexdigest()
    upload.seek(0)
    return digest


def sha256_of_file(field) -> str:
    with field.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()
