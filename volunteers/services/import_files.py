"""Reading an uploaded spreadsheet (.xlsx or CSV) into rows, with the guards that keep a hostile or broken file
from costing the server: size and shape limits, zip-bomb and merged-cell checks, and a child process with CPU and
memory limits (read_sheet_isolated). What the cells mean is volunteers.services.member_text's job."""

import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_COLUMNS = 60
MAX_MERGED_CELLS = 2_000_000
# Merged blocks in one sheet: a 名册 merges a few (a community written once for ten rows); openpyxl keeps an
# object of some 800 bytes for each, so 600,000 of them cost about 500 MB before a row is read.
MAX_MERGED_RANGES = 50_000
# Spreadsheet programs write no XML comments; a long one is a crafted file (the XML parser rescans it).
MAX_COMMENT_BYTES = 1 << 20
HEADER_SCAN_ROWS = 15


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, encoding, too large); the message says why."""


# --------------------------------------------------------------------------- reading the file

@dataclass
class RowError:
    """One cell's problem in a report: spreadsheet row number, column header, plain-language message."""

    row: int
    column: str
    message: str


@dataclass
class Sheet:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list]]  # (spreadsheet row number, cell values), empty rows left out
    formula_cells: set = field(default_factory=set)  # (row, column index) whose formula had no saved value


def read_sheet(data: bytes, filename: str = "", *, progress=None, guess=None, no_header: str = "") -> Sheet:
    """Read the first sheet of an .xlsx file or a CSV (UTF-8, GBK/GB18030 or UTF-16) into rows.

    `progress(rows)` is called now and then with the number of rows read so far. Uploads are read through
    read_sheet_isolated, which bounds the CPU time and memory this may take. Other imports (attendance) pass
    their own `guess` (headers → {index: field}) and the `no_header` message that names their columns; the
    member columns are the default."""
    progress = progress or (lambda rows: None)
    if not data or not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        if not zip_is_safe(data):
            raise ImportFileError(_("The Excel file unpacks to an unreasonable size; it is not a normal sheet."))
        grid, formulas = _read_xlsx(data, progress)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(_("This is an old Excel file (.xls). Open it in Excel or WPS and save it as .xlsx."))
    else:
        grid, formulas = _read_csv(data, progress), set()
    if guess is None:
        from .member_text import guess_mapping  # here: member_text needs the models, the reader child has none
        guess = guess_mapping
    return _locate_header(grid, formulas, guess, no_header)


PROGRESS_EVERY = 500  # rows


def read_sheet_isolated(data: bytes, filename: str = "", *, progress=None, synonyms: dict[str, str] | None = None,
                        no_header: str = "") -> Sheet:
    """read_sheet in a child process (volunteers.services.import_reader) limited to settings.IMPORT_CPU_SECONDS of
    CPU time and settings.IMPORT_MEMORY_MB of memory, and stopped on the clock after reader_wall_seconds().

    A crafted spreadsheet can make a parser slow (quadratic shapes) or greedy (merged cells): it then costs the
    child, which is stopped, and the secretary reads that the file could not be read, instead of a worker held
    for minutes. The child is a new interpreter started with subprocess, not a multiprocessing child, so a
    django-q2 worker (a daemonic process, which may not have multiprocessing children) can start it as well as a
    web process can. It reads the bytes only: it has no database settings at all. `synonyms` ({normalised
    header: field}) names the columns of the sheet (the member columns by default); `no_header` is the message
    when no row names them."""
    from . import import_reader

    if synonyms is None:
        from .member_text import MEMBER_SYNONYMS
        synonyms = MEMBER_SYNONYMS
    progress = progress or (lambda rows: None)
    outcome = import_reader.run_child(data, filename=filename, progress=progress, synonyms=synonyms,
                                      no_header=str(no_header), wall_seconds=reader_wall_seconds())
    if "error" in outcome:
        raise ImportFileError(outcome["error"])
    return outcome["sheet"]


def reader_wall_seconds() -> int:
    """How long the reader child may take on the clock: three times its CPU time (the machine may be busy), but
    a minute inside the queue task's timeout, so that checking and writing the rows still fit in it."""
    cpu = settings.IMPORT_CPU_SECONDS
    return max(cpu + 5, min(3 * cpu + 5, import_task_timeout() - 60))


def import_task_timeout() -> int:
    """The queue timeout of an import task (django-q2 kills the worker after it): the cluster's."""
    return int(settings.Q_CLUSTER.get("timeout") or 0) or 3 * settings.IMPORT_CPU_SECONDS + 65


def _max_rows() -> int:
    return settings.IMPORT_MAX_ROWS + HEADER_SCAN_ROWS


def _read_csv(data: bytes, progress) -> list[tuple[int, list]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError(_("The file contains binary data; it is not a spreadsheet or CSV file."))
    sample = text[:20000]
    delimiter = max(",\t;", key=sample.count) if any(d in sample for d in ",\t;") else ","
    grid = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number > _max_rows():
                raise ImportFileError(_("The file has more than %(n)d rows.") % {"n": settings.IMPORT_MAX_ROWS})
            grid.append((number, [_strip_quote_prefix(c) for c in cells[:MAX_COLUMNS]]))
            if number % PROGRESS_EVERY == 0:
                progress(number)
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None
    return grid


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The text encoding is not recognised. Save the file as CSV (UTF-8) or as .xlsx."))


def _strip_quote_prefix(value):
    # Our CSV export writes '=, '+, '-, '@ so spreadsheet programs do not run them as formulas.
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def _read_xlsx(data: bytes, progress) -> tuple[list[tuple[int, list]], set]:
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files (zip, XML, KeyError)
        logger.info("unreadable xlsx: %r", exc)
        raise ImportFileError(_("The Excel file cannot be opened; it may be damaged. Save it again as .xlsx.")) \
            from None
    try:
        sheet = book.worksheets[0]
        xml = book._archive.read(sheet._worksheet_path)
        _refuse_long_comments(xml)
        grid = _xlsx_grid(sheet, _merged_ranges(xml), progress)
        # A second, formula-aware pass only when the sheet has formulas: it doubles the reading time.
        formulas = _formula_cells(data, grid) if _FORMULA_TAG.search(xml) else set()
        return grid, formulas
    except ImportFileError:
        raise
    except Exception as exc:
        logger.info("unreadable xlsx sheet: %r", exc)
        raise ImportFileError(_("The Excel file cannot be read; it may be damaged. Save it again as .xlsx.")) \
            from None
    finally:
        book.close()


_MERGE_TAG = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _refuse_long_comments(xml: bytes) -> None:
    start = xml.find(b"<!--")
    while start >= 0:
        end = xml.find(b"-->", start + 4)
        if end < 0 or end - start > MAX_COMMENT_BYTES:
            raise ImportFileError(_("The sheet hides a large block of text that spreadsheet programs do not "
                                    "write; it is not a normal sheet. Copy the rows into a new sheet, save it as "
                                    ".xlsx and upload that."))
        start = xml.find(b"<!--", end + 3)


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of merged cells, columns 0-based; read-only sheets skip them.

    A range that starts below the last row any sheet may have, more than MAX_MERGED_RANGES ranges, or an absurd
    total area are refused at once; ranges reaching below the sheet's data are refused after reading (_xlsx_grid)."""
    from openpyxl.utils.cell import range_boundaries

    ranges, area = [], 0
    for match in _MERGE_TAG.finditer(xml):
        min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode())
        if max_row > _max_rows():
            raise ImportFileError(_("Merged cells reach row %(row)d, beyond the data; unmerge them or delete those "
                                    "rows.") % {"row": max_row})
        area += (max_row - min_row + 1) * (min(max_col, MAX_COLUMNS) - min(min_col, MAX_COLUMNS) + 1)
        if area > MAX_MERGED_CELLS or len(ranges) >= MAX_MERGED_RANGES:
            raise ImportFileError(_("The sheet has too many merged cells."))
        if min_col <= MAX_COLUMNS:
            ranges.append((min_row, min_col - 1, max_row, min(max_col, MAX_COLUMNS) - 1))
    return ranges


def _xlsx_grid(sheet, merged, progress) -> list[tuple[int, list]]:
    """The rows; a merged block (e.g. 所属社区 written once for ten rows) means its top-left value in every cell.

    Merged blocks are applied row by row from a list sorted by first row, so memory grows with the number of
    blocks, not their area."""
    pending = sorted(merged)
    position, active, kept, grid = 0, [], {}, []
    last_data_row = 0
    # Read-only sheets yield every row from 1 (missing rows as empty), so the position is the row number.
    for number, row in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > _max_rows():
            raise ImportFileError(_("The file has more than %(n)d rows.") % {"n": settings.IMPORT_MAX_ROWS})
        values = list(row)
        if not all(_blank(v) for v in values):
            last_data_row = number
        while position < len(pending) and pending[position][0] <= number:
            active.append(pending[position])
            position += 1
        if active:
            active = [block for block in active if block[2] >= number]
            for min_row, min_col, _max_row, max_col in active:
                if min_row == number:
                    kept[(min_row, min_col)] = values[min_col] if min_col < len(values) else None
                top_left = kept.get((min_row, min_col))
                for index in range(min_col, min(max_col, len(values) - 1) + 1):
                    if (number, index) != (min_row, min_col):
                        values[index] = top_left
        grid.append((number, values))
        if number % PROGRESS_EVERY == 0:
            progress(number)
    beyond = max((block[2] for block in merged), default=0)
    if beyond > last_data_row:
        raise ImportFileError(_("Merged cells reach row %(row)d, beyond the data; unmerge them or delete those "
                                "rows.") % {"row": beyond})
    return grid


def _formula_cells(data: bytes, grid) -> set:
    """(row, column) of formulas whose result was never saved (the values pass read them as empty)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        empty = {(number, i) for number, values in grid for i, v in enumerate(values) if v is None}
        found = set()
        rows = book.worksheets[0].iter_rows(min_row=1, max_row=len(grid), max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(rows, start=1):
            for index, raw in enumerate(row):
                if isinstance(raw, str) and raw.startswith("=") and (number, index) in empty:
                    found.add((number, index))
        return found
    finally:
        book.close()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _locate_header(grid, formulas, guess, no_header: str = "") -> Sheet:
    """The header is the first row (among the top ones) naming at least two known columns; a title row
    such as "幸福社区志愿者名册" above it is skipped."""
    rows = [(n, cells) for n, cells in grid if not all(_blank(c) for c in cells)]
    for position, (number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        headers = ["" if _blank(c) else str(c).strip() for c in cells]
        if len(guess(headers)) >= 2:
            return Sheet(headers=headers, header_row=number, rows=rows[position + 1:], formula_cells=formulas)
    raise ImportFileError(no_header or _("No header row found. The first rows should name the columns, "
                                         "e.g. 姓名, 手机, 出生日期."))


def _norm_header(raw) -> str:
    text = str(raw or "").strip().lower()
    text = re.sub(r"[（(][^)）]*[)）]", "", text)  # "手机（必填）" → "手机"
    return re.sub(r"[\s*＊:：_\-]", "", text)


def header_synonyms(words_by_field: dict[str, tuple]) -> dict[str, str]:
    """{normalised header: field} for a sheet's accepted headers, e.g. {"name": ("姓名", "名字")}."""
    return {_norm_header(word): field for field, words in words_by_field.items() for word in words}


def mapping_from_headers(headers: list[str], synonyms: dict[str, str]) -> dict[int, str]:
    """Column index → field for every header we recognise; the first column wins a field."""
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        found = synonyms.get(_norm_header(header))
        if found and found not in mapping.values():
            mapping[index] = found
    return mapping


def zip_is_safe(data: bytes) -> bool:
    """Cheap guard against zip bombs: uncompressed size at most 50× the upload and below 100 MB."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return True  # not a zip: the readers report it properly
    return total <= min(100 * 1024 * 1024, max(50 * len(data), 10 * 1024 * 1024))
