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

import pikepdf

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
# The PDFs are merged with qpdf (pikepdf): parsing and copying 150 annexes in C++ takes a tenth
# of what pypdf needs, which matters for a bundle composed on each request.


@dataclass(frozen=True)
class BundlePart:
    title: str  # bookmark and table-of-contents entry
    file_name: str
    source: bytes | Future  # the PDF, or the future of a PDF still being composed
    note: str = ""  # e.g. "signée le 10 janvier 2027", "en attente de signature"

    @property
    def data(self) -> bytes:
        return self.source if isinstance(self.source, bytes) else self.source.result()


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def _entries(parts: list[BundlePart], sizes: list[int], front_pages: int) -> list[dict]:
    start, entries = front_pages + 1, []
    for part, size in zip(parts, sizes, strict=True):
        entries.append({"title": part.title, "page": str(start), "note": part.note})
        start += size
    return entries


FINGERPRINTS_TITLE = "Empreintes SHA-256 des documents"


def _fingerprints_entry(sizes: list[int], front_pages: int) -> dict:
    """The last contents line: the fingerprints page, after every part."""
    return {"title": FINGERPRINTS_TITLE, "page": str(front_pages + sum(sizes) + 1), "note": ""}


def _front_matter(parts, sizes, meta: dict, heading: str) -> tuple[pikepdf.Pdf, list[dict]]:
    """Cover and table of contents whose page numbers account for their own length."""
    context = {"meta": meta, "heading": heading}
    placeholders = [{"title": p.title, "page": PLACEHOLDER_PAGE, "note": p.note} for p in parts]
    placeholders.append({"title": FINGERPRINTS_TITLE, "page": PLACEHOLDER_PAGE, "note": ""})
    front_pages = len(
        _open(
            render_pdf(TEMPLATES / "liasse-couverture.typ", {**context, "entries": placeholders})
        ).pages
    )
    for _ in range(MAX_FRONT_ATTEMPTS):
        entries = _entries(parts, sizes, front_pages)
        listed = [*entries, _fingerprints_entry(sizes, front_pages)]
        front = _open(
            render_pdf(TEMPLATES / "liasse-couverture.typ", {**context, "entries": listed})
        )
        if len(front.pages) == front_pages:
            return front, entries
        front_pages = len(front.pages)
    raise RenderingError("Le sommaire de la liasse ne se stabilise pas.")


def _stamp_pages(bundle: pikepdf.Pdf, meta: dict) -> pikepdf.Pdf:
    """Draw each page's bundle number ("Liasse — page n sur N") over it. The numbers are
    composed by Typst in one document of N A4 pages (fonts embedded once); each is placed as a
    form anchored to the page's bottom-right corner, whatever the page's size (a scanned annex
    may not be A4), the page's own content wrapped in q/Q so that it cannot move the stamp."""
    total = len(bundle.pages)
    stamps = _open(render_pdf(TEMPLATES / "liasse-tampon.typ", {"meta": meta, "total": total}))
    if len(stamps.pages) != total:
        raise RenderingError("La numérotation des pages de la liasse a échoué.")
    save = pikepdf.Stream(bundle, b"q\n")
    for number, (page, stamp) in enumerate(zip(bundle.pages, stamps.pages, strict=True), 1):
        form = bundle.copy_foreign(stamp.as_form_xobject())
        # A fixed resource name (pikepdf's overlay picks a random one): equal inputs, equal bytes.
        name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/PtsmLiasse{number}"))
        box = pikepdf.Rectangle(page.mediabox)
        dx, dy = box.urx - float(stamp.mediabox[2]), box.lly
        page.contents_add(save, prepend=True)
        page.contents_add(
            pikepdf.Stream(bundle, f"\nQ\nq 1 0 0 1 {dx:.2f} {dy:.2f} cm {name} Do Q\n".encode())
        )
    return stamps  # kept open until the bundle is written


def _declare_pdfa(bundle: pikepdf.Pdf, front: pikepdf.Pdf) -> None:
    """Carry the front matter's PDF/A declaration (XMP with pdfaid part 2 / conformance B,
    title and language; output intent) to the whole bundle, with the same document info, which
    agrees with its XMP. qpdf writes a file identifier computed from the contents (PDF/A
    requires one; no random bytes)."""
    for key in PDFA_CATALOGUE_KEYS:
        if key in front.Root:
            value = front.Root[key]
            bundle.Root[key] = bundle.copy_foreign(value) if value.is_indirect else value
    for key, value in front.docinfo.items():
        bundle.docinfo[key] = value


def build_bundle(*, parts: list[BundlePart], meta: dict, heading: str) -> bytes:
    """Parts are merged in order as soon as each is ready (the annexes still being composed
    finish meanwhile); the front matter is inserted before them once their lengths are known,
    then every page is numbered in the bundle."""
    bundle = pikepdf.new()
    sources = []  # open until the bundle is written: qpdf copies their objects then
    digests, sizes = [], []
    for part in parts:
        data = part.data
        source = _open(data)  # each file is parsed once
        sources.append(source)
        digests.append(hashlib.sha256(data).hexdigest())
        sizes.append(len(source.pages))
        bundle.pages.extend(source.pages)
    front, entries = _front_matter(parts, sizes, meta, heading)
    for index, page in enumerate(front.pages):
        bundle.pages.insert(index, page)
    digest_pages = _open(
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
    fingerprints_start = len(bundle.pages)
    bundle.pages.extend(digest_pages.pages)
    # Bookmarks: the cover, the contents, each part, the fingerprints page.
    with bundle.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Couverture", 0))
        outline.root.append(pikepdf.OutlineItem("Sommaire", 1))
        for part, entry in zip(parts, entries, strict=True):
            outline.root.append(pikepdf.OutlineItem(part.title, int(entry["page"]) - 1))
        outline.root.append(pikepdf.OutlineItem("Empreintes SHA-256", fingerprints_start))
    # Page labels say the bundle's own numbers, those of the contents and of the stamps.
    bundle.Root.PageLabels = bundle.make_indirect(
        pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]))
    )
    stamps = _stamp_pages(bundle, meta)
    _declare_pdfa(bundle, front)
    buffer = io.BytesIO()
    bundle.save(buffer, deterministic_id=True, min_version="1.7")
    del stamps, sources  # (read by qpdf until the save)
    return buffer.getvalue()


def page_stamp(number: int, total: int) -> str:
    return f"{STAMP_PREFIX} {number} sur {total}"
