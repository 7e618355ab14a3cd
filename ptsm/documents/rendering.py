"""Turn a document context into DOCX (docxtpl) and PDF/A-2b (Typst) bytes.

User text never becomes template source: DOCX contexts are autoescaped by docxtpl, and Typst
receives the whole context as JSON through `sys.inputs` and reads it as data.
"""

import base64
import io
import json
import os
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import jinja2
import typst
from django.core.serializers.json import DjangoJSONEncoder
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from ptsm.core.formatting import french_typography

from .docx_tables import finish_data_tables
from .registry import Renderer

TYPST_ROOT = (
    Path(__file__).resolve().parent.parent
)  # the `ptsm` package: templates import /documents/typst/…
FIXED_ZIP_DATE = (2000, 1, 1, 0, 0, 0)
IMAGE_KEY = "images"
# Optional: an image's printed width in millimetres, by name (default MAP_WIDTH_MM).
IMAGE_WIDTHS_KEY = "image_widths_mm"
# Letters: raster logos, {"data": base64, "width": px, "height": px, "mime": …} by key.
LOGO_KEY = "logos"
LOGO_HEIGHT_MM = 19
MAP_WIDTH_MM = 160


class RenderingError(RuntimeError):
    pass


def with_french_typography(value, *, key: str = ""):
    """Apply French typography to every string of a context, except embedded images."""
    if key in (IMAGE_KEY, LOGO_KEY):
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


_thread_state = threading.local()


def _compiler() -> typst.Compiler:
    """One Typst compiler per thread: it keeps its fonts loaded between documents (a compiler
    cannot compose two documents at once)."""
    compiler = getattr(_thread_state, "compiler", None)
    if compiler is None:
        compiler = typst.Compiler(root=str(TYPST_ROOT), ignore_system_fonts=True)
        _thread_state.compiler = compiler
    return compiler


def _typst_compile(template: Path, inputs: dict, **options) -> bytes:
    try:
        return _compiler().compile(
            input=str(template),
            sys_inputs={"data": json.dumps(inputs, cls=DjangoJSONEncoder)},
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


class _CompiledOnceEnvironment(jinja2.Environment):
    """docxtpl compiles a template's XML again for every document; the XML of one template
    never changes, so each part is compiled once (a third of an annex's DOCX time)."""

    MAX_TEMPLATES = 128

    def __init__(self):
        super().__init__(autoescape=True)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.MAX_TEMPLATES:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


_DOCX_JINJA = _CompiledOnceEnvironment()


def render_docx(template: Path, context: dict) -> bytes:
    document = DocxTemplate(str(template))
    prepared = with_french_typography(context)
    widths = context.get(IMAGE_WIDTHS_KEY, {})
    prepared[IMAGE_KEY] = {
        name: InlineImage(
            document,
            io.BytesIO(svg_to_png(svg, width_mm=widths.get(name, MAP_WIDTH_MM))),
            width=Mm(widths.get(name, MAP_WIDTH_MM)),
        )
        for name, svg in context.get(IMAGE_KEY, {}).items()
    }
    prepared[LOGO_KEY] = {
        name: InlineImage(
            document, io.BytesIO(base64.b64decode(logo["data"])), height=Mm(LOGO_HEIGHT_MM)
        )
        for name, logo in context.get(LOGO_KEY, {}).items()
    }
    document.render(prepared, jinja_env=_DOCX_JINJA, autoescape=True)
    finish_data_tables(document.docx)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue())


def render_pdf(template: Path, context: dict) -> bytes:
    return _typst_compile(template, with_french_typography(context), pdf_standards="a-2b")


# Typst releases the GIL while it composes, so independent PDFs are composed on every core
# while Python prepares the next context.
RENDER_WORKERS = max(1, min(4, os.cpu_count() or 1))


_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None


def _render_pool() -> ThreadPoolExecutor:
    """Long-lived threads, so that their compilers stay warm from one bundle to the next. A
    forked process (e.g. a WSGI worker) does not inherit threads: it starts its own pool."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=RENDER_WORKERS, thread_name_prefix="ptsm-render")
            _pool_pid = os.getpid()
        return _pool


class ConcurrentRenderer:
    """Compose many documents at once: `submit` returns a future of the bytes. Leaving the block
    does not wait: documents already submitted finish in the background and their futures stay
    valid, so the caller can use the first while the last are composed. On an error, the
    documents not started yet are cancelled."""

    def __init__(self):
        self._futures: list[Future] = []

    def submit(self, renderer: Renderer, context: dict) -> Future:
        future = _render_pool().submit(renderer, context)
        self._futures.append(future)
        return future

    def __enter__(self) -> "ConcurrentRenderer":
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is not None:
            for future in self._futures:
                future.cancel()


def docx_renderer(template: Path) -> Renderer:
    return lambda context: render_docx(template, context)


def pdf_renderer(template: Path) -> Renderer:
    def renderer(context: dict) -> bytes:
        return render_pdf(template, context)

    renderer.concurrent = True  # pure Typst: safe and worth composing on another thread
    return renderer


def is_concurrent(renderer: Renderer) -> bool:
    return getattr(renderer, "concurrent", False)
