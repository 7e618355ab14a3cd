"""The bundle (liasse): cover, table of contents, collective letter, the validated roadmap, every
annex in operator order (the signed PDF when there is one), and a last page listing each file's
SHA-256. Every page carries the bundle's own page number ("Liasse — page 12 sur 84"), the PDF's
page labels and bookmarks say the same, and the file declares PDF/A-2b with its title and
language like every other PDF of ptsm. The same inputs give the same bytes."""

import hashlib
import io
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

from ptsm.documents.rendering import RenderingError, render_pdf

TEMPLATES = Path(__file__).resolve().parent / "doc_templates"
# The table of contents is first composed with the widest page number, so that its own length
# (which shifts every entry) is known before the real numbers are written.
PLACEHOLDER_PAGE = "9999"
MAX_FRONT_ATTEMPTS = 4
STAMP_PREFIX = "Liasse — page"
# Catalogue entries of the front matter (composed by Typst as PDF/A-2b) that make the whole
# bundle PDF/A-2b: XMP metadata (pdfaid part 2, conformance B, title, language), the sRGB
# output intent and the language. The tagged structure of one part does not describe the
# merged file, so /StructTreeRoot and /MarkInfo are not carried over.
PDFA_CATALOGUE_KEYS = ("/Metadata", "/OutputIntents", "/Lang")


@dataclass(frozen=True)
class BundlePart:
    title: str  # bookmark and table-of-contents entry
    file_name: str
    source: bytes | Future  # the PDF, or the future of a PDF still being composed
    note: str = ""  # e.g. "signée le 10 janvier 2027", "en attente de signature"

    @property
    def data(self) -> bytes:
        return self.source if isinstance(self.source, bytes) else self.source.result()


def _reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def _entries(parts: list[BundlePart], sizes: list[int], front_pages: int) -> list[dict]:
    start, entries = front_pages + 1, []
    for part, size in zip(parts, sizes, strict=True):
        entries.append({"title": part.title, "page": str(start), "note": part.note})
        start += size
    return entries


def _front_matter(parts, sizes, meta: dict, heading: str) -> tuple[PdfReader, list[dict]]:
    """Cover and table of contents whose page numbers account for their own length."""
    context = {"meta": meta, "heading": heading}
    placeholders = [{"title": p.title, "page": PLACEHOLDER_PAGE, "note": p.note} for p in parts]
    front_pages = len(
        _reader(
            render_pdf(TEMPLATES / "liasse-couverture.typ", {**context, "entries": placeholders})
        ).pages
    )
    for _ in range(MAX_FRONT_ATTEMPTS):
        entries = _entries(parts, sizes, front_pages)
        front = _reader(
            render_pdf(TEMPLATES / "liasse-couverture.typ", {**context, "entries": entries})
        )
        if len(front.pages) == front_pages:
            return front, entries
        front_pages = len(front.pages)
    raise RenderingError("Le sommaire de la liasse ne se stabilise pas.")


def _stamp_xobjects(writer: PdfWriter, total: int, meta: dict) -> tuple[list, float, float]:
    """One Form XObject per bundle page carrying "Liasse — page n sur N", composed by Typst in
    one document of `total` A4 pages (fonts embedded once). Returns them with the A4 size."""
    stamps = _reader(render_pdf(TEMPLATES / "liasse-tampon.typ", {"meta": meta, "total": total}))
    if len(stamps.pages) != total:
        raise RenderingError("La numérotation des pages de la liasse a échoué.")
    xobjects = []
    for page in stamps.pages:
        form = DecodedStreamObject()
        form.set_data(page.get_contents().get_data())
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = ArrayObject(page.mediabox)
        form[NameObject("/Resources")] = page["/Resources"].clone(writer)
        xobjects.append(writer._add_object(form))
    box = stamps.pages[0].mediabox
    return xobjects, float(box.width), float(box.height)


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _stamp_pages(writer: PdfWriter, meta: dict) -> None:
    """Draw each page's bundle number over it, anchored to the page's bottom-right corner
    whatever its size (a scanned annex may not be A4). The page's own content is wrapped in
    q/Q so that a graphics state it leaves changed does not move the stamp."""
    total = len(writer.pages)
    xobjects, a4_width, _a4_height = _stamp_xobjects(writer, total, meta)
    save, restore = _stream(writer, b"q\n"), _stream(writer, b"\nQ\n")
    for index, page in enumerate(writer.pages):
        name = NameObject(f"/PtsmLiasse{index + 1}")
        resources = page.get("/Resources")
        if resources is None:
            resources = DictionaryObject()
            page[NameObject("/Resources")] = resources
        resources = resources.get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        resources["/XObject"].get_object()[name] = xobjects[index]
        box = page.mediabox
        dx, dy = float(box.right) - a4_width, float(box.bottom)
        draw = _stream(writer, f"q 1 0 0 1 {dx:.2f} {dy:.2f} cm {name} Do Q\n".encode())
        contents = page.get("/Contents")
        if contents is None:
            existing = []
        elif isinstance(contents.get_object(), ArrayObject):
            existing = list(contents.get_object())
        else:
            existing = [contents if hasattr(contents, "idnum") else writer._add_object(contents)]
        page[NameObject("/Contents")] = ArrayObject([save, *existing, restore, draw])


def _declare_pdfa(writer: PdfWriter, front: PdfReader, digest: str) -> None:
    """Carry the front matter's PDF/A declaration (XMP with pdfaid part 2 / conformance B,
    title and language; output intent) to the whole bundle, with the same document info, and
    a file identifier derived from the contents (PDF/A requires one; no random bytes)."""
    source = front.trailer["/Root"]
    root = writer._root_object
    for key in PDFA_CATALOGUE_KEYS:
        if key in source:
            root[NameObject(key)] = source.raw_get(key).clone(writer)
    # The front matter's document info (title = the heading, dates) agrees with its XMP; pypdf's
    # own /Producer would not (PDF/A wants both to say the same).
    writer.add_metadata({key: str(value) for key, value in (front.metadata or {}).items()})
    info = writer._info.get_object() if writer._info is not None else {}
    info.pop(NameObject("/Producer"), None)
    identifier = ByteStringObject(bytes.fromhex(digest[:32]))
    writer._ID = ArrayObject([identifier, identifier])


def build_bundle(*, parts: list[BundlePart], meta: dict, heading: str) -> bytes:
    """Parts are merged in order as soon as each is ready (the annexes still being composed
    finish meanwhile); the front matter is inserted before them once their lengths are known,
    then every page is numbered in the bundle."""
    writer = PdfWriter()
    digests, sizes = [], []
    for part in parts:
        data = part.data
        reader = _reader(data)  # each file is parsed once
        digests.append(hashlib.sha256(data).hexdigest())
        sizes.append(len(reader.pages))
        writer.append(reader, import_outline=False)
    front, entries = _front_matter(parts, sizes, meta, heading)
    writer.merge(0, front, import_outline=False)
    digest_page = _reader(
        render_pdf(
            TEMPLATES / "liasse-empreintes.typ",
            {
                "meta": meta,
                "files": [
                    {"name": p.file_name, "sha256": d, "pages": str(n)}
                    for p, d, n in zip(parts, digests, sizes, strict=True)
                ],
            },
        )
    )
    fingerprints_start = len(writer.pages)
    writer.append(digest_page, import_outline=False)
    # Bookmarks: the cover, the contents, each part, the fingerprints page.
    writer.add_outline_item(title="Couverture", page_number=0)
    writer.add_outline_item(title="Sommaire", page_number=1)
    for part, entry in zip(parts, entries, strict=True):
        writer.add_outline_item(title=part.title, page_number=int(entry["page"]) - 1)
    writer.add_outline_item(title="Empreintes SHA-256", page_number=fingerprints_start)
    # Page labels say the bundle's own numbers, those of the contents and of the stamps.
    writer.set_page_label(0, len(writer.pages) - 1, style="/D", start=1)
    _stamp_pages(writer, meta)
    _declare_pdfa(writer, front, hashlib.sha256("".join(digests).encode()).hexdigest())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def page_stamp(number: int, total: int) -> str:
    return f"{STAMP_PREFIX} {number} sur {total}"
