"""Reading uploaded CSV/XLSX tables in bounded memory: hard limits on what a file may unpack
(XLSX members, shared strings, rows, columns, cell length), whatever the file declares."""

import csv
import io
import math
import re
import zipfile
from xml.etree.ElementTree import XMLPullParser

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50  # the widest import has 14 columns; columns beyond are not read
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
# XLSX is a zip of XML files: what it may unpack, member by member and in total. A real
# 20,000-line directory is about 10 MB of sheet XML; anything far above is a zip bomb.
MAX_XLSX_UNCOMPRESSED = 80 * 1024 * 1024
MAX_SHEET_XML = 60 * 1024 * 1024
MAX_SHARED_STRINGS_XML = 16 * 1024 * 1024
MAX_OTHER_XML = 5 * 1024 * 1024
MAX_XLSX_MEMBERS = 1_000
MAX_COMPRESSION_RATIO = 200  # for members above 1 MB; sheet XML compresses about 10 to 30 times
MAX_CELLS_PER_XML_ROW = 1_000
MAX_XML_ROWS = 100_000
CHUNK = 1024 * 1024


class TableError(ValueError):
    """A file that cannot be read as a table; the message is shown to the user as is."""


def check_upload(uploaded) -> None:
    """What can be refused at once, before a worker reads the file: its size, its type, and for
    a workbook its archive (not a workbook, damaged, a decompression bomb)."""
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise TableError(
            f"Fichier trop volumineux ({uploaded.size // 1024} Ko) : {MAX_UPLOAD_BYTES // 1024 // 1024} Mo au plus."
        )
    name = (uploaded.name or "").lower()
    if not name.endswith((".xlsx", ".csv")):
        raise TableError("Format non pris en charge : déposez un fichier .csv ou .xlsx.")
    if name.endswith(".xlsx"):
        data = uploaded.read()
        uploaded.seek(0)
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise TableError("Ce fichier n'est pas un classeur Excel (.xlsx) valide.")
        _check_xlsx_archive(data)


def read_table(uploaded) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (as strings) of an uploaded .csv or .xlsx file, size- and type-checked."""
    check_upload(uploaded)
    data = uploaded.read()
    is_xlsx = (uploaded.name or "").lower().endswith(".xlsx")
    rows = _read_xlsx(data) if is_xlsx else _read_csv(data)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise TableError("Le fichier est vide.")
    if len(rows) - 1 > MAX_ROWS:
        raise TableError(f"Trop de lignes : {MAX_ROWS} au plus par import.")
    headers = [h.strip() for h in rows[0]]
    return headers, [row + [""] * (len(headers) - len(row)) for row in rows[1:]]


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise TableError("Encodage non reconnu : enregistrez le fichier en CSV UTF-8.")


def _append(rows: list, row: list[str]) -> None:
    """Keep non-empty rows only, and stop as soon as there are more than an import may hold."""
    if any(cell.strip() for cell in row):
        rows.append(row)
        if len(rows) - 1 > MAX_ROWS:
            raise TableError(f"Trop de lignes : {MAX_ROWS} au plus par import.")


def _checked_row(line: int, row) -> list[str]:
    """A row cut to MAX_COLUMNS, refused when a cell is longer than any field can hold."""
    row = list(row[:MAX_COLUMNS])
    for index, cell in enumerate(row):
        if len(cell) > MAX_CELL_CHARS:
            raise TableError(
                f"Ligne {line}, colonne {get_column_letter(index + 1)} : texte trop long "
                f"({len(cell)} caractères, {MAX_CELL_CHARS} au plus)."
            )
    return row


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    rows = []
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for row in reader:
            _append(rows, [cell.strip() for cell in _checked_row(reader.line_num, row)])
    except csv.Error as exc:
        raise TableError(
            f"Fichier CSV illisible à la ligne {reader.line_num} : vérifiez les guillemets et "
            "le séparateur (point-virgule)."
        ) from exc
    return rows


def _member_limit(name: str) -> int:
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return MAX_SHEET_XML
    if name == "xl/sharedStrings.xml":
        return MAX_SHARED_STRINGS_XML
    return MAX_OTHER_XML


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_TAG = re.compile(r"^(\{[^}]*\})?")


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Decompress one member in chunks (never whole): no DTD or entity (XML bombs), and in a
    worksheet, a bounded number of rows and of cells per row (what openpyxl will allocate)."""
    is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    parser = XMLPullParser(events=("start", "end")) if is_sheet else None
    tail, rows, cells = b"", 0, 0
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            if _DTD.search(tail + chunk):
                raise TableError("Ce classeur Excel contient des déclarations XML interdites.")
            tail = chunk[-16:]
            if parser is None:
                continue
            parser.feed(chunk)
            for event, element in parser.read_events():
                tag = _TAG.sub("", element.tag)
                if event == "start" and tag == "row":
                    rows, cells = rows + 1, 0
                    number = element.get("r", "")
                    if rows > MAX_XML_ROWS or (number.isdigit() and int(number) > MAX_XML_ROWS):
                        raise TableError(f"Trop de lignes : {MAX_ROWS} au plus par import.")
                elif event == "start" and tag == "c":
                    cells += 1
                    if cells > MAX_CELLS_PER_XML_ROW:
                        raise TableError(
                            f"La ligne {rows} du classeur contient plus de "
                            f"{MAX_CELLS_PER_XML_ROW} cellules : enregistrez seulement le tableau "
                            "à importer."
                        )
                elif event == "end" and tag in ("row", "sheetData"):
                    element.clear()


def _check_xlsx_archive(data: bytes) -> None:
    """Refuse, from the zip's own directory then by decompressing in chunks, a workbook that
    would unpack more than the limits allow (zip bombs, shared-strings bombs, XML bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise TableError("Ce classeur Excel contient trop de fichiers internes.")
        total = 0
        for info in members:
            total += info.file_size
            too_big = info.file_size > _member_limit(info.filename)
            ratio = info.file_size / max(info.compress_size, 1)
            if (
                too_big
                or total > MAX_XLSX_UNCOMPRESSED
                or (info.file_size > CHUNK and ratio > MAX_COMPRESSION_RATIO)
            ):
                raise TableError(
                    "Ce classeur Excel se décompresse en un volume anormal "
                    f"({info.filename} : {info.file_size // 1024} Ko) : il est refusé. "
                    "Enregistrez le tableau dans un nouveau classeur ou en CSV."
                )
        for info in members:
            _scan_member(archive, info)
    except TableError:
        raise
    except Exception as exc:  # zlib, zipfile and XML errors of a damaged archive
        raise TableError("Ce classeur Excel est endommagé ou protégé.") from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    """The rows of a workbook whose archive `check_upload` has checked."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # openpyxl pads every row to the sheet's declared dimension (`A1:XFD30000` would mean
        # 16,384 cells per row): ignore it and read at most MAX_COLUMNS columns.
        sheet.reset_dimensions()
        rows = []
        rows_read = sheet.iter_rows(max_row=MAX_XML_ROWS, max_col=MAX_COLUMNS, values_only=True)
        for line, values in enumerate(rows_read, start=1):
            values = list(values)
            while values and values[-1] is None:  # openpyxl pads rows to max_col
                values.pop()
            if values:
                _append(
                    rows, _checked_row(line, ["" if v is None else _cell_text(v) for v in values])
                )
        workbook.close()
    except TableError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise TableError("Ce classeur Excel est endommagé ou protégé.") from exc
    return rows


def _cell_text(value) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan" or "inf": refused by the numeric checks, never a number
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
