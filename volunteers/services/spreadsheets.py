"""The one spreadsheet writer for downloads (member list, roster exports): CSV and .xlsx that never hold a
live formula, whatever a name or place starts with."""

import csv
import datetime as dt
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell for CSV: dates as ISO text; text a spreadsheet program would run as a formula gets a ' first
    (the member import strips it again)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(headers, rows, *, preamble=()) -> bytes:
    """preamble: rows written above the header (a title naming what the file is of)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in preamble:
        writer.writerow([csv_safe(v) for v in line])
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def xlsx_bytes(headers, rows, *, title: str = "Sheet", widths=(), bold_header: bool = False, preamble=()) -> bytes:
    """A one-sheet workbook; every text cell is stored as a string, never as a formula."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if bold_header:
        sheet.freeze_panes = f"A{len(preamble) + 2}"

    def cell(value, *, bold=False):
        item = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            item.data_type = "s"  # never a formula, whatever the text starts with
        elif isinstance(value, dt.date):
            item.number_format = "yyyy-mm-dd"
        if bold:
            item.font = Font(bold=True)
        return item

    for line in preamble:
        sheet.append([cell(value, bold=True) for value in line])
    sheet.append([cell(str(h), bold=bold_header) for h in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
