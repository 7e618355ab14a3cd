"""The bundle (liasse): cover, table of contents, collective letter, every annex in operator order
(the signed PDF when there is one), bookmarks, and a last page listing each file's SHA-256.
The same inputs give the same bytes."""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from ptsm.documents.rendering import render_pdf

TEMPLATES = Path(__file__).resolve().parent / "doc_templates"


@dataclass(frozen=True)
class BundlePart:
    title: str  # bookmark and table-of-contents entry
    file_name: str
    data: bytes
    note: str = ""


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def build_bundle(*, parts: list[BundlePart], meta: dict, heading: str) -> bytes:
    digests = [hashlib.sha256(part.data).hexdigest() for part in parts]
    sizes = [_pages(part.data) for part in parts]
    front_context = {"meta": meta, "heading": heading, "entries": []}
    front = render_pdf(TEMPLATES / "liasse-couverture.typ", front_context)
    front_pages = _pages(front)
    # The table of contents needs the front matter's length: it does not depend on the entries' pages.
    start, entries = front_pages + 1, []
    for part, size in zip(parts, sizes, strict=True):
        entries.append({"title": part.title, "page": str(start), "note": part.note})
        start += size
    front = render_pdf(TEMPLATES / "liasse-couverture.typ", {**front_context, "entries": entries})
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
    writer = PdfWriter()
    writer.append(io.BytesIO(front), import_outline=False)
    for part, entry in zip(parts, entries, strict=True):
        writer.append(io.BytesIO(part.data), import_outline=False)
        writer.add_outline_item(title=part.title, page_number=int(entry["page"]) - 1)
    writer.append(io.BytesIO(digest_page), import_outline=False)
    writer.add_metadata({"/Title": heading, "/Producer": "ptsm", "/Creator": "ptsm"})
    writer._ID = None  # no random file identifier: equal inputs give equal bytes
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
