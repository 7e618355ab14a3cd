"""CSV and XLSX exports, safe against formula injection."""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from .rendering import normalise_zip

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")


def safe_csv_value(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def to_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def to_xlsx(headers: list[str], rows: Iterable[list], title: str) -> bytes:
    return workbook_bytes([(title, headers, rows)])


def workbook_bytes(sheets: list[tuple[str, list[str], Iterable[list]]]) -> bytes:
    """A workbook of one or more sheets (title, headers, rows); text cells are never formulas."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        _fill_sheet(workbook.create_sheet(title[:31]), headers, rows)
    # openpyxl's save() stamps the current time: a fixed date keeps equal inputs giving equal
    # bytes, so regenerating an unchanged table does not make a new version.
    workbook.properties.creator = workbook.properties.lastModifiedBy = "ptsm"
    workbook.properties.created = workbook.properties.modified = dt.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return normalise_zip(buffer.getvalue())


def _fill_sheet(sheet, headers: list[str], rows: Iterable[list]) -> None:
    sheet.append(headers)
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = min(
            60, max(10, *(len(str(c.value or "")) for c in column[:200]))
        )
