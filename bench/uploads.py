"""Peak memory of the upload checks on hostile and full-size files (run with `make bench`).

Each file is checked in a fresh Python process; the figure is how far that process's peak RSS
(VmHWM) rose above what it held just before the check. The bar (issue 11) is 200 MB.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402
from pypdf import PdfWriter  # noqa: E402
from pypdf.generic import DecodedStreamObject, NameObject  # noqa: E402

from ptsm.documents.uploads import MAX_SIGNED_PDF_BYTES  # noqa: E402
from ptsm.organisations.tabular import MAX_UPLOAD_BYTES  # noqa: E402
from tests.organisations.test_hostile_files import (  # noqa: E402
    entity_bomb_xlsx,
    shared_strings_bomb,
    sparse_dimension_xlsx,
    wide_row_xlsx,
)
from tests.pdf_signing import pades_sign  # noqa: E402

CHILD = """
import json, sys
sys.path.insert(0, {root!r})
def status_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from ptsm.documents.uploads import check_signed_upload
from ptsm.organisations.tabular import TableError, read_table
data = open({path!r}, "rb").read()
sent = open({sent!r}, "rb").read() if {sent!r} else b""
upload = SimpleUploadedFile({name!r}, data)
before = status_kb("VmRSS")
try:
    if {name!r}.endswith(".pdf"):
        check_signed_upload(upload, sent_pdf=sent, signed_outside=False)
        outcome = "accepté"
    else:
        outcome = f"{{len(read_table(upload)[1])}} lignes"
except (TableError, ValidationError) as exc:
    outcome = "refusé : " + " ".join(getattr(exc, "messages", [str(exc)]))[:70]
print(json.dumps({{"outcome": outcome, "extra_mb": (status_kb("VmHWM") - before) / 1024}}))
"""


def measure(directory: Path, name: str, data: bytes, sent: bytes = b"") -> None:
    path = directory / name
    path.write_bytes(data)
    sent_path = ""
    if sent:
        sent_path = str(directory / f"sent-{name}")
        Path(sent_path).write_bytes(sent)
    script = CHILD.format(root=str(ROOT), path=str(path), sent=sent_path, name=name)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{name:<28} {len(data) / 1e6:>6.1f} Mo  +{result['extra_mb']:>6.1f} Mo RSS  "
        f"{result['outcome']}"
    )


def full_xlsx() -> bytes:
    """20,000 organisations, 14 columns: the largest legitimate import."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Nom", "Catégorie", "Sous-type", "Statut juridique", "FINESS ET", "FINESS EJ"])
    for n in range(20_000):
        sheet.append(
            [f"Organisation {n}", "social", "", "", "", "", "", f"{n} rue de Brest", "29200"]
            + ["29019", "https://exemple.fr", "0298000000", f"contact{n}@exemple.fr", "oui"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def full_csv() -> bytes:
    line = "Organisation;social;" + "x" * 230 + "\n"
    return ("Nom;Catégorie;Adresse\n" + line * 20_000).encode()[: MAX_UPLOAD_BYTES - 1]


def big_pdf(megabytes: int) -> bytes:
    """A one-page PDF carrying an incompressible stream of about `megabytes` MB."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(os.urandom(megabytes * 1024 * 1024))
    page[NameObject("/PieceInutile")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def many_objects_pdf(count: int) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    from pypdf.generic import ArrayObject, NumberObject

    # Arrays of 1,000 references (pypdf refuses larger arrays outright).
    page[NameObject("/Objets")] = ArrayObject(
        writer._add_object(
            ArrayObject(writer._add_object(NumberObject(n)) for n in range(start, start + 1_000))
        )
        for start in range(0, count, 1_000)
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def main() -> None:
    directory = Path(tempfile.mkdtemp(prefix="ptsm-bench-uploads-"))
    print("Pic de mémoire des vérifications de fichiers déposés (processus neuf par fichier)")
    measure(directory, "dimension-creuse.xlsx", sparse_dimension_xlsx())
    measure(directory, "bombe-chaines.xlsx", shared_strings_bomb())
    measure(directory, "ligne-16384-cellules.xlsx", wide_row_xlsx())
    measure(directory, "entites-xml.xlsx", entity_bomb_xlsx())
    measure(directory, "20000-organisations.xlsx", full_xlsx())
    measure(directory, "5-mo.csv", full_csv())
    sent = big_pdf(18)
    signed = pades_sign(sent, "Banc d'essai")
    assert len(signed) < MAX_SIGNED_PDF_BYTES
    measure(directory, "annexe-signee-18-mo.pdf", signed, sent=sent)
    for count in (49_000, 190_000):
        many = many_objects_pdf(count)
        measure(directory, f"{len(many) / 1e6:.0f}-mo-{count}-objets.pdf", many, sent=sent)


if __name__ == "__main__":
    main()
