"""Reading uploaded CSV/XLSX tables and writing safe exports (no formula injection)."""

import csv
import io
import zipfile

from openpyxl import load_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class TableError(ValueError):
    """A file that cannot be read as a table; the message is shown to the user as is."""


def read_table(uploaded) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (as strings) of an uploaded .csv or .xlsx file, size- and type-checked."""
    name = (uploaded.name or "").lower()
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise TableError(
            f"Fichier trop volumineux ({uploaded.size // 1024} Ko) : {MAX_UPLOAD_BYTES // 1024 // 1024} Mo au plus."
        )
    data = uploaded.read()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif name.endswith(".csv"):
        rows = _read_csv(data)
    else:
        raise TableError("Format non pris en charge : déposez un fichier .csv ou .xlsx.")
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


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise TableError(f"Fichier CSV illisible : {exc}") from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError("Ce fichier n'est pas un classeur Excel (.xlsx) valide.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise TableError("Ce classeur Excel est endommagé ou protégé.") from exc
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell_text(v) for v in values])
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _cell_text(value) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
