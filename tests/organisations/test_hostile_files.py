"""Hostile spreadsheets built here (sparse dimension, shared-strings bomb, XML entities, NaN,
over-long texts): refused or read in bounded memory, with a French message."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ptsm.accounts.models import Role
from ptsm.organisations.models import Organisation
from ptsm.organisations.tabular import MAX_UPLOAD_BYTES, TableError, read_table
from tests.factories import make_project, member
from tests.helpers import login, page_text, visible_text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MAX_EXTRA_RSS_MB = 200

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PKG = "http://schemas.openxmlformats.org/package/2006"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OOXML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'{XML}<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{REL}"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet(rows_xml: str, dimension: str = "A1:B2", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def build_xlsx(sheet_xml: str, shared_strings=None) -> bytes:
    """A minimal workbook written by hand, so that it can say what no spreadsheet tool would.
    `shared_strings` is a str, or an iterable of bytes chunks streamed into the archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        strings = shared_strings or f'<sst xmlns="{SHEET_NS}" count="0" uniqueCount="0"></sst>'
        if isinstance(strings, str):
            archive.writestr("xl/sharedStrings.xml", strings)
        else:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member_file:
                for chunk in strings:
                    member_file.write(chunk)
    return buffer.getvalue()


def sparse_dimension_xlsx() -> bytes:
    """Declares 16,384 columns and 30,000 rows, holds a header and one organisation."""
    rows = (
        f'<row r="1">{_inline("A1", "Nom")}{_inline("B1", "Catégorie")}</row>'
        f'<row r="30000">{_inline("A30000", "EPSM Finistère Sud")}'
        f"{_inline('B30000', 'sanitaire_public')}</row>"
    )
    return build_xlsx(_sheet(rows, dimension="A1:XFD30000"))


def shared_strings_bomb(megabytes: int = 400) -> bytes:
    """A small file whose sharedStrings.xml decompresses to `megabytes` MB."""

    def chunks():
        yield f'<sst xmlns="{SHEET_NS}">'.encode()
        one = b"<si><t>" + b"A" * 1000 + b"</t></si>"
        block = one * 1024  # about 1 MB
        for _ in range(megabytes):
            yield block
        yield b"</sst>"

    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    return build_xlsx(_sheet(rows), shared_strings=chunks())


def wide_row_xlsx(cells: int = 16_384) -> bytes:
    """One row that really holds 16,384 cells: the parser would allocate them all."""
    row = "".join(f'<c r="A{n}"><v>1</v></c>' for n in range(cells))  # refs need not be right
    return build_xlsx(_sheet(f'<row r="1">{row}</row>'))


def entity_bomb_xlsx() -> bytes:
    prolog = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    return build_xlsx(_sheet(f'<row r="1">{_inline("A1", "&b;")}</row>', prolog=prolog))


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_a_sparse_dimension_is_not_trusted():
    data = sparse_dimension_xlsx()
    assert len(data) < 2_000
    headers, rows = read_table(_upload("acteurs.xlsx", data))
    assert headers == ["Nom", "Catégorie"]
    assert rows == [["EPSM Finistère Sud", "sanitaire_public"]]


@pytest.mark.parametrize(
    "build, message",
    [
        (shared_strings_bomb, "se décompresse en un volume anormal"),
        (wide_row_xlsx, "contient plus de 1000 cellules"),
        (entity_bomb_xlsx, "déclarations XML interdites"),
    ],
)
def test_hostile_workbooks_are_refused_in_french(build, message):
    data = build()
    assert len(data) < MAX_UPLOAD_BYTES
    with pytest.raises(TableError, match=message):
        read_table(_upload("acteurs.xlsx", data))


def test_a_bomb_whose_zip_directory_lies_about_its_size_is_refused():
    data = bytearray(shared_strings_bomb(megabytes=40))
    # Rewrite the sizes the archive declares for sharedStrings.xml (local header and central
    # directory) to 1 KB: the real content is 40 MB.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/sharedStrings.xml")
    name = info.filename.encode()
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (start := bytes(data).find(header, start)) != -1:
            offset = 26 if header == b"PK\x03\x04" else 28  # where the name length is
            name_length = int.from_bytes(data[start + offset : start + offset + 2], "little")
            name_start = start + (30 if header == b"PK\x03\x04" else 46)
            if bytes(data[name_start : name_start + name_length]) == name:
                size_at = start + (22 if header == b"PK\x03\x04" else 24)
                if int.from_bytes(data[size_at : size_at + 4], "little") != 0xFFFFFFFF:
                    data[size_at : size_at + 4] = (1024).to_bytes(4, "little")
            start += 4
    with pytest.raises(TableError):
        read_table(_upload("acteurs.xlsx", bytes(data)))


def test_over_long_cells_and_rows_are_refused_with_their_line():
    csv = "Nom;Catégorie\nA;social\n" + "B;" + "x" * 40_000 + "\n"
    with pytest.raises(TableError, match="Ligne 3, colonne B : texte trop long"):
        read_table(_upload("acteurs.csv", csv.encode()))
    many = "Nom;Catégorie\n" + "A;social\n" * 20_001
    with pytest.raises(TableError, match="Trop de lignes : 20000 au plus"):
        read_table(_upload("acteurs.csv", many.encode()))


def _parse_in_a_child(tmp_path, name: str, data: bytes) -> dict:
    """Parse the file in a fresh Python process and report how far its peak RSS rose above
    what it held just before the parse (Linux /proc)."""
    path = tmp_path / name
    path.write_bytes(data)
    script = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from django.core.files.uploadedfile import SimpleUploadedFile
from ptsm.organisations.tabular import TableError, read_table
upload = SimpleUploadedFile({name!r}, open({str(path)!r}, "rb").read())
def status_kb(field):
    # VmHWM is this process's own peak (ru_maxrss would carry the forking parent's peak).
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
before = status_kb("VmRSS")  # what the process holds now; its peak after the parse is compared
try:
    headers, rows = read_table(upload)
    outcome = f"{{len(rows)}} lignes"
except TableError as exc:
    outcome = str(exc)
after = status_kb("VmHWM")
print(json.dumps({{"outcome": outcome, "extra_mb": (after - before) / 1024}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_hostile_uploads_stay_within_200_mb_of_extra_memory(tmp_path):
    big_csv = "Nom;Catégorie;Adresse\n" + ("Organisation;social;" + "x" * 230 + "\n") * 20_000
    cases = {
        "sparse.xlsx": sparse_dimension_xlsx(),
        "bomb.xlsx": shared_strings_bomb(),
        "wide.xlsx": wide_row_xlsx(),
        "full.csv": big_csv.encode()[: MAX_UPLOAD_BYTES - 1],
    }
    for name, data in cases.items():
        result = _parse_in_a_child(tmp_path, name, data)
        assert result["extra_mb"] < MAX_EXTRA_RSS_MB, (name, result)
        print(name, result)


def test_the_import_page_refuses_a_bomb_with_a_french_message(client):
    project = make_project(departement="29", name="PTSM du Finistère")
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(
        reverse("organisations:import", kwargs={"slug": project.slug}),
        {"kind": "organisations", "file": _upload("acteurs.xlsx", shared_strings_bomb(40))},
    )
    assert response.status_code == 200
    assert "se décompresse en un volume anormal" in page_text(response)
    assert not Organisation.objects.filter(project=project).exists()


def test_over_long_names_are_refused_with_their_line(client):
    project = make_project(departement="29", name="PTSM du Finistère")
    login(client, member(project, Role.PROJECT_LEAD))
    content = f"Nom;Catégorie\nGEM;social\n{'N' * 300};social\n".encode()
    response = client.post(
        reverse("organisations:import", kwargs={"slug": project.slug}),
        {"kind": "organisations", "file": _upload("acteurs.csv", content)},
        follow=True,
    )
    text = " ".join(visible_text(response).split())
    assert "2 lignes lues, dont 1 refusée" in text
    assert (
        f"3 {'N' * 300} refusée Raison sociale : Assurez-vous que cette valeur comporte au plus "
        "255 caractères (actuellement 300)." in text
    )
    assert not Organisation.objects.filter(project=project).exists()


def test_a_workbook_with_damaged_compressed_data_is_a_french_refusal():
    rows = "".join(
        f'<row r="{n}">{_inline(f"A{n}", f"Organisation {n}")}</row>' for n in range(1, 500)
    )
    data = bytearray(build_xlsx(_sheet(rows)))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start] = 0b111  # first deflate block: final, of the reserved type 3 (zlib.error)
    with pytest.raises(TableError, match="endommagé ou protégé"):
        read_table(_upload("acteurs.xlsx", bytes(data)))
