"""CSV and XLSX exports, safe against formula injection.

XLSX sheets are typed for people who sort, sum and print them: dates are dates, amounts (the
`Decimal` values of a row) are numbers in euros, totals are formulas whose value is also stored so
that a viewer which does not compute (a previewer, a mail client) still shows it.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.writer.excel import ExcelWriter

from .rendering import normalise_zip

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")
# The workbook's own font, named: a bare Font(bold=True) has no name, and LibreOffice then shows
# the header in its default serif font.
BOLD = Font(name="Calibri", size=11, bold=True)
DATE_FORMAT = "dd/mm/yyyy"
# "# ##0 €": Excel stores the grouping separator as "," and shows the reader's own (a space in
# French); cents are shown only for amounts that have some, the rule of every page and document.
EURO_FORMAT = '#,##0 "€"'
EURO_CENTS_FORMAT = '#,##0.00 "€"'


@dataclass(frozen=True)
class PrintLayout:
    """A wide table printed at a readable scale with set column widths (instead of shrunk to
    one page's width): when it needs pages side by side, each row's pages follow each other,
    the header row and the first column repeated on every page."""

    widths: Sequence[float]  # each column's width, in characters
    breaks_after: Sequence[int]  # 0-based columns after which the next page starts
    scale: int = 90


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: Iterable[list]
    # Columns (0-based) summed on a last "Total" row, as formulas with their value cached.
    totals: Sequence[int] = ()
    total_label: str = "Total"
    print_layout: PrintLayout | None = None


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


def euro_format(amount) -> str:
    value = Decimal(str(amount or 0))
    return EURO_FORMAT if value == value.to_integral_value() else EURO_CENTS_FORMAT


def workbook_bytes(sheets: list[Sheet | tuple[str, list[str], Iterable[list]]]) -> bytes:
    """A workbook of one or more sheets (a `Sheet`, or a tuple title, headers, rows); text cells
    are never formulas."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    cached: dict[int, dict[str, Decimal]] = {}
    for index, sheet in enumerate(sheets, start=1):
        if not isinstance(sheet, Sheet):
            sheet = Sheet(*sheet)
        cached[index] = _fill_sheet(workbook.create_sheet(sheet.title[:31]), sheet)
    # openpyxl's save() stamps the current time: a fixed date keeps equal inputs giving equal
    # bytes, so regenerating an unchanged table does not make a new version.
    workbook.properties.creator = workbook.properties.lastModifiedBy = "ptsm"
    workbook.properties.created = workbook.properties.modified = dt.datetime(2000, 1, 1)
    workbook.calculation.fullCalcOnLoad = True  # Excel and LibreOffice recompute on opening
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return normalise_zip(_cache_formula_values(buffer.getvalue(), cached))


def _cell_value(value):
    return "" if value is None else value


def _fill_sheet(sheet, spec: Sheet) -> dict[str, Decimal]:
    """Fill a sheet; returns the value of each total formula by cell reference."""
    sheet.append(spec.headers)
    count = 0
    sums = {column: Decimal(0) for column in spec.totals}
    for row in spec.rows:
        count += 1
        sheet.append([_cell_value(v) for v in row])
        for column in spec.totals:
            if isinstance(row[column], Decimal | int | float):
                sums[column] += Decimal(str(row[column]))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, Decimal):
                cell.number_format = euro_format(cell.value)
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str))
    for cell in sheet[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    last_column = get_column_letter(max(1, len(spec.headers)))
    formulas: dict[str, Decimal] = {}
    if spec.totals:
        total_row = count + 2
        label_column = min(set(range(len(spec.headers))) - set(spec.totals), default=0)
        sheet.cell(row=total_row, column=label_column + 1, value=spec.total_label).font = BOLD
        for column, value in sums.items():
            letter = get_column_letter(column + 1)
            cell = sheet.cell(row=total_row, column=column + 1)
            cell.value = f"=SUM({letter}2:{letter}{max(2, count + 1)})"
            cell.number_format = euro_format(value)
            cell.font = BOLD
            formulas[cell.coordinate] = value
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    layout = spec.print_layout
    if layout is None:
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages as needed down, one page across
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        _print_across_pages(sheet, layout)
    widths = {}
    for column in sheet.columns:
        index = column[0].column
        if layout is not None:
            widths[index] = layout.widths[index - 1]
        else:
            widths[index] = min(50, max(10, *(_width(c.value) for c in column[:200])))
        sheet.column_dimensions[column[0].column_letter].width = widths[index]
    # Wrapped text needs its rows' height: viewers do not all recompute it on opening.
    for row in sheet.iter_rows():
        lines = max(
            (
                -(-len(cell.value) // max(1, int(widths[cell.column]) - 1))
                for cell in row
                if isinstance(cell.value, str) and cell.value
            ),
            default=1,
        )
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = 15 * min(lines, 10)
    return formulas


def _print_across_pages(sheet, layout: PrintLayout) -> None:
    sheet.sheet_properties.pageSetUpPr.fitToPage = False  # a fixed scale, manual breaks
    sheet.page_setup.scale = layout.scale
    sheet.page_setup.pageOrder = "overThenDown"  # a row's pages one after the other
    sheet.print_title_cols = "A:A"
    sheet.page_margins.left = sheet.page_margins.right = 0.4  # inches
    for column in layout.breaks_after:
        sheet.col_breaks.append(Break(id=column + 1))


def _width(value) -> int:
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, Decimal | int | float):
        return len(f"{value:,.2f}") + 3
    return len(str(value or "")) + 1


def _cache_formula_values(data: bytes, cached: dict[int, dict[str, Decimal]]) -> bytes:
    """openpyxl writes a formula with an empty value: store the value we computed, so that
    viewers which show cached values (and do not compute) show the total."""
    if not any(cached.values()):
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if match and cached.get(int(match.group(1))):
                xml = content.decode("utf-8")
                for reference, value in cached[int(match.group(1))].items():
                    xml = re.sub(
                        rf'(<c r="{reference}"[^>]*><f>[^<]*</f>)<v\s*/>|'
                        rf'(<c r="{reference}"[^>]*><f>[^<]*</f>)<v></v>',
                        lambda m, v=value: (m.group(1) or m.group(2)) + f"<v>{v}</v>",
                        xml,
                    )
                content = xml.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()
