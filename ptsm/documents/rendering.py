"""Turn a document context into DOCX (docxtpl) and PDF/A-2b (Typst) bytes.

User text never becomes template source: DOCX contexts are autoescaped by docxtpl, and Typst
receives the whole context as JSON through `sys.inputs` and reads it as data.
"""

import io
import json
import zipfile
from pathlib import Path

import typst
from django.core.serializers.json import DjangoJSONEncoder
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from ptsm.core.formatting import french_typography

from .registry import Renderer

TYPST_ROOT = (
    Path(__file__).resolve().parent.parent
)  # the `ptsm` package: templates import /documents/typst/…
FIXED_ZIP_DATE = (2000, 1, 1, 0, 0, 0)
IMAGE_KEY = "images"
MAP_WIDTH_MM = 160


class RenderingError(RuntimeError):
    pass


def with_french_typography(value, *, key: str = ""):
    """Apply French typography to every string of a context, except embedded images."""
    if key == IMAGE_KEY:
        return value
    if isinstance(value, str):
        return french_typography(value)
    if isinstance(value, dict):
        return {k: with_french_typography(v, key=k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [with_french_typography(v) for v in value]
    return value


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an OOXML package with fixed timestamps so equal inputs give equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _typst_compile(template: Path, inputs: dict, **options) -> bytes:
    try:
        return typst.compile(
            str(template),
            root=str(TYPST_ROOT),
            sys_inputs={"data": json.dumps(inputs, cls=DjangoJSONEncoder)},
            ignore_system_fonts=True,
            **options,
        )
    except typst.TypstError as exc:
        raise RenderingError(f"Échec de la composition du PDF : {exc}") from exc


SVG_TO_PNG_TEMPLATE = TYPST_ROOT / "documents" / "typst" / "svg-to-png.typ"


def svg_to_png(svg: str, *, width_mm: float = MAP_WIDTH_MM, ppi: int = 150) -> bytes:
    """Rasterise an SVG (Word cannot show SVG everywhere) with Typst's own renderer."""
    return _typst_compile(
        SVG_TO_PNG_TEMPLATE, {"svg": svg, "width_mm": width_mm}, format="png", ppi=ppi
    )


def render_docx(template: Path, context: dict) -> bytes:
    document = DocxTemplate(str(template))
    prepared = with_french_typography(context)
    prepared[IMAGE_KEY] = {
        name: InlineImage(document, io.BytesIO(svg_to_png(svg)), width=Mm(MAP_WIDTH_MM))
        for name, svg in context.get(IMAGE_KEY, {}).items()
    }
    document.render(prepared, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue())


def render_pdf(template: Path, context: dict) -> bytes:
    return _typst_compile(template, with_french_typography(context), pdf_standards="a-2b")


def docx_renderer(template: Path) -> Renderer:
    return lambda context: render_docx(template, context)


def pdf_renderer(template: Path) -> Renderer:
    return lambda context: render_pdf(template, context)
