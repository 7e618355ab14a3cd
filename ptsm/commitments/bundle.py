"""The bundle (liasse): cover, table of contents, collective letter, every annex in operator order
(the signed PDF when there is one), bookmarks, and a last page listing each file's SHA-256.
The same inputs give the same bytes."""

import hashlib
import io
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from ptsm.documents.rendering import RenderingError, render_pdf

TEMPLATES = Path(__file__).resolve().parent / "doc_templates"
# The table of contents is first composed with the widest page number, so that its own length
# (which shifts every entry) is known before the real numbers are written.
PLACEHOLDER_PAGE = "9999"
MAX_FRONT_ATTEMPTS = 4


@dataclass(frozen=True)
class BundlePart:
    title: str  # bookmark and table-of-contents entry
    file_name: str
    source: bytes | Future  # the PDF, or the future of a PDF still being composed
    note: str = ""

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


def build_bundle(*, parts: list[BundlePart], meta: dict, heading: str) -> bytes:
    """Parts are merged in order as soon as each is ready (the annexes still being composed
    finish meanwhile); the front matter is inserted before them once their lengths are known."""
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
    for part, entry in zip(parts, entries, strict=True):
        writer.add_outline_item(title=part.title, page_number=int(entry["page"]) - 1)
    digest_page = render_pdf(
        TEMPLATES / "liasse-empreintes.typ",
        {
            "meta": meta,
            "files": [
                {"name": p.file_name, "sha256": d, "pages": str(n)}
                for p, d, n in zip(parts, digests, sizes, strict=True)
            ],
        },
    )
    writer.append(_reader(digest_page), import_outline=False)
    writer.add_metadata({"/Title": heading, "/Producer": "ptsm", "/Creator": "ptsm"})
    writer._ID = None  # no random file identifier: equal inputs give equal bytes
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
