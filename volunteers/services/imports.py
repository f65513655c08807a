"""Member import from the secretary's spreadsheet (名册, Excel or CSV) and export back to the same format.

The import is two steps. `member_import_plan` reads the file, maps its (Chinese) headers to fields,
validates every row and says what would be created, updated or left unchanged; nothing is written.
`member_import_apply` plans again and, only when no row has an error and the plan is the one the
secretary saw, writes everything in one transaction: all rows or none. The spreadsheet is the source of
truth for the columns it maps, so importing the same file twice changes nothing the second time.
"""

import csv
import datetime as dt
import hashlib
import io
import logging
import os
import re
import time
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python

from volunteers.models import CaregivingWindow, Community, HealthLevel, Member, Skill, applies_for_label
from volunteers.selectors import can_see_sensitive_in, communities_for
from volunteers.validators import WEEKDAY_CODES

from .audit import audit_log
from .spreadsheets import csv_bytes, xlsx_bytes

logger = logging.getLogger(__name__)

MAX_COLUMNS = 60
MAX_CELL_CHARS = 500
MAX_MERGED_CELLS = 2_000_000
HEADER_SCAN_ROWS = 15


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, encoding, too large); the message says why."""


# --------------------------------------------------------------------------- fields and their headers

@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the header written on export
    synonyms: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column("name", "姓名", ("姓名", "名字", "成员姓名", "志愿者姓名", "name"), required=True),
    Column("phone", "手机", ("手机", "手机号", "手机号码", "电话", "联系电话", "联系方式", "phone", "mobile")),
    Column("birth_date", "出生日期", ("出生日期", "出生年月日", "出生年月", "生日", "birthdate", "birthday"),
           required=True),
    Column("health", "健康", ("健康", "健康状况", "身体状况", "身体情况", "health"), required=True),
    Column("skills", "技能", ("技能", "特长", "专长", "skills")),
    Column("caregiving", "接送时间", ("接送时间", "接送", "照护时间", "家庭照护", "不便时间", "caregiving")),
    Column("community", "所属社区", ("所属社区", "社区", "community")),
    Column("email", "邮箱", ("邮箱", "电子邮箱", "电子邮件", "email")),
    Column("max_shifts_per_week", "每周最多班次", ("每周最多班次", "每周最多", "每周班次上限", "maxshiftsperweek")),
    Column("active", "状态", ("状态", "在册状态", "active")),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
FIELD_CHOICES = [(c.field, c.header) for c in COLUMNS]

HEALTH_WORDS = {
    HealthLevel.GOOD: ("良好", "好", "健康", "良", "good"),
    HealthLevel.LIMITED: ("一般", "较弱", "有限", "中", "limited"),
    HealthLevel.FRAIL: ("体弱", "差", "较差", "弱", "frail"),
}
HEALTH_EXPORT = {HealthLevel.GOOD: "良好", HealthLevel.LIMITED: "一般", HealthLevel.FRAIL: "体弱"}
ACTIVE_WORDS = {True: ("在册", "是", "正常", "在职", "active", "yes", "1"),
                False: ("停用", "否", "离开", "退出", "inactive", "no", "0")}

DAY_CHARS = {"一": "mon", "二": "tue", "三": "wed", "四": "thu", "五": "fri", "六": "sat", "日": "sun", "天": "sun",
             "七": "sun"}
DAY_NAMES_ZH = {code: f"周{ch}" for ch, code in DAY_CHARS.items() if ch not in "天七"}
DEFAULT_CARE_LABEL = CaregivingWindow._meta.get_field("label").default


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


_SYNONYMS = header_synonyms({c.field: c.synonyms for c in COLUMNS})


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """The member columns a sheet's headers name."""
    return mapping_from_headers(headers, _SYNONYMS)


# --------------------------------------------------------------------------- reading the file

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
    return _locate_header(grid, formulas, guess or guess_mapping, no_header)


PROGRESS_EVERY = 500  # rows


def read_sheet_isolated(data: bytes, filename: str = "", *, progress=None) -> Sheet:
    """read_sheet in a child process limited to settings.IMPORT_CPU_SECONDS of CPU time and
    settings.IMPORT_MEMORY_MB of memory (resource.setrlimit), and three times that CPU time on the clock.

    A crafted spreadsheet can make a parser slow (quadratic shapes) or greedy (merged cells): it then costs the
    child, which is stopped, and the secretary reads that the file could not be read, instead of a worker held
    for minutes. The child reads the bytes only: it never touches the database."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    cpu = settings.IMPORT_CPU_SECONDS
    child = context.Process(target=_read_in_child, args=(sender, data, filename, cpu, settings.IMPORT_MEMORY_MB),
                            daemon=True)
    child.start()
    sender.close()
    outcome = None
    deadline = time.monotonic() + 3 * cpu + 5
    try:
        while outcome is None and time.monotonic() < deadline:
            if not receiver.poll(0.2):
                if not child.is_alive() and not receiver.poll(0):
                    break
                continue
            try:
                kind, payload = receiver.recv()
            except (EOFError, OSError):
                break
            if kind == "progress":
                if progress is not None:
                    progress(payload)
            else:
                outcome = (kind, payload)
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    if outcome is None:
        logger.warning("import reading stopped (exit code %s): over %s s CPU or %s MB", child.exitcode, cpu,
                       settings.IMPORT_MEMORY_MB)
        raise ImportFileError(_("This file takes too much time or memory to read; it is not a normal member list. "
                                "Copy the members into a new sheet, save it as .xlsx and upload that."))
    kind, payload = outcome
    if kind == "error":
        raise ImportFileError(payload)
    return payload


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _read_in_child(sender, data, filename, cpu_seconds, memory_mb):
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))
        limit = _vm_bytes() + memory_mb * 2**20  # on top of what the worker process already maps
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            sheet = read_sheet(data, filename, progress=lambda rows: sender.send(("progress", rows)))
            sender.send(("sheet", sheet))
        except ImportFileError as exc:
            sender.send(("error", str(exc)))
        except MemoryError:
            sender.send(("error", str(_("This file takes too much memory to read; it is not a normal member "
                                        "list."))))
        sender.close()
    finally:
        os._exit(0)  # never run the parent's exit handlers (database connections, test runners) in the child


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


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of merged cells, columns 0-based; read-only sheets skip them.

    A range that starts below the last row any sheet may have, or whose total area is absurd, is refused at
    once; ranges reaching below the sheet's data are refused after reading (see _xlsx_grid)."""
    from openpyxl.utils.cell import range_boundaries

    ranges, area = [], 0
    for match in _MERGE_TAG.finditer(xml):
        min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode())
        if max_row > _max_rows():
            raise ImportFileError(_("Merged cells reach row %(row)d, beyond the data; unmerge them or delete those "
                                    "rows.") % {"row": max_row})
        area += (max_row - min_row + 1) * (min(max_col, MAX_COLUMNS) - min(min_col, MAX_COLUMNS) + 1)
        if area > MAX_MERGED_CELLS:
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


def _locate_header(grid, formulas, guess=guess_mapping, no_header: str = "") -> Sheet:
    """The header is the first row (among the top ones) naming at least two known columns; a title row
    such as "幸福社区志愿者名册" above it is skipped."""
    rows = [(n, cells) for n, cells in grid if not all(_blank(c) for c in cells)]
    for position, (number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        headers = ["" if _blank(c) else str(c).strip() for c in cells]
        if len(guess(headers)) >= 2:
            return Sheet(headers=headers, header_row=number, rows=rows[position + 1:], formula_cells=formulas)
    raise ImportFileError(no_header or _("No header row found. The first rows should name the columns, "
                                         "e.g. 姓名, 手机, 出生日期."))


# --------------------------------------------------------------------------- parsing one cell

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > MAX_CELL_CHARS:
        raise ValidationError(_("The cell is longer than %(n)d characters.") % {"n": MAX_CELL_CHARS})
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise ValidationError(_("The cell contains control characters."))
    return text


def parse_name(value) -> str:
    text = re.sub(r"\s+", " ", _text(value))
    if not text:
        raise ValidationError(_("The name is missing."))
    if text[0] in "=+-@":
        raise ValidationError(_("The name starts with %(char)s and looks like a formula.") % {"char": text[0]})
    if len(text) > Member._meta.get_field("name").max_length:
        raise ValidationError(_("The name is too long."))
    return text


def parse_phone(value) -> str:
    """E.164 (+8613912345678) when the cell is a valid number, read as mainland China without a country code;
    otherwise the cleaned text, which the member validation then names as a bad phone."""
    text = re.sub(r"[\s\-–()（）]", "", _text(value).replace("\u3000", " "))
    number = to_python(text, region="CN") if text else None
    return number.as_e164 if number is not None and number.is_valid() else text


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        raise ValidationError(_("The birth date is missing."))
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValidationError(_("“%(value)s” is not a date; write it like 1956-03-21.") % {"value": text[:40]})


def parse_health(value) -> str:
    text = _text(value).lower()
    for level, words in HEALTH_WORDS.items():
        if text in words:
            return level
    if not text:
        raise ValidationError(_("The health level is missing; write 良好, 一般 or 体弱."))
    raise ValidationError(_("Unknown health level “%(value)s”; write 良好, 一般 or 体弱.") % {"value": text[:40]})


def parse_skills(value, skills_by_word: dict[str, Skill]) -> frozenset[int]:
    words = [w for w in re.split(r"[、,，;；/\s]+", _text(value)) if w]
    unknown = [w for w in words if w.lower() not in skills_by_word]
    if unknown:
        known = "、".join(sorted({s.name for s in skills_by_word.values()})) or "—"
        raise ValidationError(_("Unknown skill %(skills)s; known skills: %(known)s.")
                              % {"skills": "、".join(unknown[:5]), "known": known})
    return frozenset(skills_by_word[w.lower()].pk for w in words)


_DAY = r"(?:周|星期|礼拜)([一二三四五六日天七])"
_TIME = r"(\d{1,2})[:：](\d{2})"
_WINDOW = re.compile(rf"^(?P<days>.*?)\s*{_TIME}\s*[-–—~～至到]\s*{_TIME}\s*(?P<label>.*)$")
_DAY_RANGE = re.compile(rf"^{_DAY}\s*[至到\-–—~～]\s*{_DAY}$")
_DAY_WORDS = {"每天": WEEKDAY_CODES, "每日": WEEKDAY_CODES, "天天": WEEKDAY_CODES,
              "工作日": WEEKDAY_CODES[:5], "周末": WEEKDAY_CODES[5:]}


def parse_caregiving(value) -> frozenset[tuple[str, dt.time, dt.time, str]]:
    """'周一至周五 07:00-08:30；周六 09:00-10:00 买菜' → {(weekdays, start, end, label), ...}."""
    text = _text(value)
    if not text:
        return frozenset()
    pieces = re.split(r"[;；\n]+|[,，](?=\s*(?:周|星期|礼拜|每|工作日))", text)
    windows = set()
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        match = _WINDOW.match(piece)
        if not match:
            raise ValidationError(_("“%(value)s” is not a time like 周一至周五 07:00-08:30.") % {"value": piece[:40]})
        days = _parse_days(match.group("days").strip(), piece)
        h1, m1, h2, m2 = (int(match.group(i)) for i in (2, 3, 4, 5))
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValidationError(_("“%(value)s” has an impossible time.") % {"value": piece[:40]})
        start = dt.time(h1, m1)
        end = dt.time(23, 59) if h2 == 24 else dt.time(h2, m2)
        if m1 % 15 or m2 % 15:
            raise ValidationError(_("“%(value)s”: use times on the quarter hour (:00, :15, :30, :45).")
                                  % {"value": piece[:40]})
        if end <= start:
            raise ValidationError(_("“%(value)s”: the end must be after the start.") % {"value": piece[:40]})
        label = match.group("label").strip(" ()（）") or DEFAULT_CARE_LABEL
        windows.add((",".join(days), start, end, label[:40]))
    return frozenset(windows)


def _parse_days(text: str, piece: str) -> list[str]:
    if not text:
        raise ValidationError(_("“%(value)s”: say which days, e.g. 周一至周五.") % {"value": piece[:40]})
    if text in _DAY_WORDS:
        return list(_DAY_WORDS[text])
    match = _DAY_RANGE.match(text)
    if match:
        first, last = (WEEKDAY_CODES.index(DAY_CHARS[ch]) for ch in match.groups())
        if last < first:
            raise ValidationError(_("“%(value)s”: the day range runs backwards.") % {"value": piece[:40]})
        return list(WEEKDAY_CODES[first:last + 1])
    rest = re.sub(r"[、,，\s和及]+", "", text)
    days = re.findall(_DAY, rest)
    if not days or re.sub(_DAY, "", rest):
        raise ValidationError(_("“%(value)s”: unknown days; write e.g. 周一至周五 or 周二、周四.")
                              % {"value": piece[:40]})
    return sorted({DAY_CHARS[ch] for ch in days}, key=WEEKDAY_CODES.index)


def parse_active(value) -> bool | None:
    text = _text(value).lower()
    if not text:
        return None
    for flag, words in ACTIVE_WORDS.items():
        if text in words:
            return flag
    raise ValidationError(_("Unknown status “%(value)s”; write 在册 or 停用.") % {"value": text[:40]})


def parse_count(value) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or int(text) > 50:
        raise ValidationError(_("“%(value)s” is not a number of shifts from 0 to 50.") % {"value": text[:40]})
    return int(text)


# --------------------------------------------------------------------------- formatting for export

def format_days(codes: list[str]) -> str:
    indexes = [WEEKDAY_CODES.index(c) for c in codes]
    if indexes == list(range(7)):
        return "每天"
    if len(indexes) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES_ZH[codes[0]]}至{DAY_NAMES_ZH[codes[-1]]}"
    return "、".join(DAY_NAMES_ZH[c] for c in codes)


def format_caregiving(windows) -> str:
    parts = []
    for weekdays, start, end, label in sorted(windows, key=lambda w: (w[1], w[0], w[2], w[3])):
        text = f"{format_days(weekdays.split(','))} {start:%H:%M}-{end:%H:%M}"
        if label and label != DEFAULT_CARE_LABEL:
            text += f" {label}"
        parts.append(text)
    return "；".join(parts)


# --------------------------------------------------------------------------- the plan

@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    action: str  # "create", "update" or "unchanged"
    name: str
    member_id: int | None
    values: dict
    changes: list[str] = field(default_factory=list)  # readable headers of the columns that change


@dataclass
class ImportPlan:
    headers: list[str]
    header_row: int
    mapping: dict[int, str]
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def ignored_columns(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if h and i not in self.mapping]

    @property
    def fingerprint(self) -> str:
        """Identifies what would be written; confirming checks the plan did not change since the preview."""
        digest = hashlib.sha256()
        for r in self.rows:
            if r.action != "unchanged":
                digest.update(repr((r.row, r.action, r.member_id, sorted(r.changes))).encode())
        return digest.hexdigest()[:32]


def member_import_plan(*, user, community: Community, data: bytes = b"", filename: str = "",
                       mapping: dict[int, str] | None = None, sheet: Sheet | None = None) -> ImportPlan:
    """Read and validate every row; write nothing. `mapping` (column index → field) overrides the guess.
    `sheet`: the file already read (read_sheet_isolated); else `data` is read here."""
    try:
        sheet = sheet if sheet is not None else read_sheet(data, filename)
    except ImportFileError as exc:
        return ImportPlan(headers=[], header_row=0, mapping={}, file_error=str(exc))
    plan = ImportPlan(headers=sheet.headers, header_row=sheet.header_row,
                      mapping=_checked_mapping(sheet.headers, mapping))
    missing = [COLUMN_BY_FIELD[f].header for f in ("name", "birth_date", "health") if f not in plan.mapping.values()]
    if missing:
        plan.file_error = _("No column is mapped to %(fields)s.") % {"fields": "、".join(missing)}
        return plan
    if len(sheet.rows) > settings.IMPORT_MAX_ROWS:
        plan.file_error = _("The file has more than %(n)d rows.") % {"n": settings.IMPORT_MAX_ROWS}
        return plan
    _plan_rows(plan, sheet, user=user, community=community)
    return plan


def _checked_mapping(headers: list[str], mapping: dict[int, str] | None) -> dict[int, str]:
    if mapping is None:
        return guess_mapping(headers)
    clean, seen = {}, set()
    for index, field_name in mapping.items():
        if field_name in COLUMN_BY_FIELD and 0 <= index < len(headers) and field_name not in seen:
            clean[index] = field_name
            seen.add(field_name)
    return clean


class _Context:
    """Everything the rows are checked against, loaded once (a 10,000-row file must not run 10,000 queries)."""

    def __init__(self, user, community):
        self.community = community
        self.communities = {c.name: c for c in communities_for(user)}
        self.skills = {}
        for s in Skill.objects.all():
            self.skills[s.code.lower()] = s
            self.skills[s.name.lower()] = s
        members = (Member.objects.filter(community__in=self.communities.values(), anonymised_at__isnull=True)
                   .prefetch_related("skills", "caregiving"))
        self.by_phone, self.by_name_birth, self.state = {}, {}, {}
        for m in members:
            if m.phone:
                self.by_phone.setdefault(_digits(m.phone), []).append(m)
            self.by_name_birth.setdefault((m.name, m.birth_date), []).append(m)
            self.state[m.pk] = (m, member_state(m))


def _digits(phone) -> str:
    return re.sub(r"\D", "", str(phone or ""))


def member_state(member: Member) -> dict:
    """The importable fields of a member, in the form the parser produces (for comparison and export)."""
    return {
        "name": member.name, "phone": str(member.phone or ""), "email": member.email, "birth_date": member.birth_date,
        "health": member.health, "community": member.community_id, "active": member.active,
        "max_shifts_per_week": member.max_shifts_per_week,
        "skills": frozenset(s.pk for s in member.skills.all()),
        "caregiving": frozenset((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all()),
    }


def _plan_rows(plan: ImportPlan, sheet: Sheet, *, user, community: Community) -> None:
    ctx = _Context(user, community)
    claimed: dict = {}  # identity key or member id → first row number
    for number, cells in sheet.rows:
        values, errors = _parse_row(plan, sheet, ctx, number, cells)
        if errors:
            plan.errors.extend(errors)
            continue
        existing, error = _match(ctx, values)
        if error:
            plan.errors.append(RowError(number, COLUMN_BY_FIELD["phone"].header, error))
            continue
        key = existing.pk if existing else ("phone", _digits(values["phone"])) if values.get("phone") \
            else ("name", values["name"], values["birth_date"])
        if key in claimed:
            plan.errors.append(RowError(number, COLUMN_BY_FIELD["name"].header,
                                        _("Duplicate of row %(row)d.") % {"row": claimed[key]}))
            continue
        claimed[key] = number
        row_error = _validate_model(values, existing)
        if row_error:
            plan.errors.append(RowError(number, *row_error))
            continue
        plan.rows.append(_row_plan(number, values, existing, ctx))


def _parse_row(plan, sheet, ctx, number, cells) -> tuple[dict, list[RowError]]:
    values, errors = {}, []
    for index, field_name in plan.mapping.items():
        header = sheet.headers[index] or COLUMN_BY_FIELD[field_name].header
        if (number, index) in sheet.formula_cells:
            errors.append(RowError(number, header, _("A formula without a saved result; open the file in Excel "
                                                     "or WPS, save it, and upload again.")))
            continue
        raw = cells[index] if index < len(cells) else None
        try:
            values[field_name] = _parse_cell(field_name, raw, ctx)
        except ValidationError as exc:
            errors.append(RowError(number, header, " ".join(exc.messages)))
    return values, errors


def _parse_cell(field_name: str, raw, ctx: _Context):
    if field_name == "name":
        return parse_name(raw)
    if field_name == "phone":
        return parse_phone(raw)
    if field_name == "email":
        return _text(raw)
    if field_name == "birth_date":
        return parse_date(raw)
    if field_name == "health":
        return parse_health(raw)
    if field_name == "skills":
        return parse_skills(raw, ctx.skills)
    if field_name == "caregiving":
        return parse_caregiving(raw)
    if field_name == "active":
        return parse_active(raw)
    if field_name == "max_shifts_per_week":
        return parse_count(raw)
    if field_name == "community":
        name = _text(raw)
        if not name:
            return ctx.community.pk
        if name not in ctx.communities:
            raise ValidationError(_("“%(value)s” is not one of your communities.") % {"value": name[:40]})
        return ctx.communities[name].pk
    raise ValueError(field_name)


def _match(ctx: _Context, values: dict) -> tuple[Member | None, str]:
    """The existing member a row describes: same phone, else same name and birth date."""
    candidates = ctx.by_phone.get(_digits(values.get("phone", "")), []) if values.get("phone") else []
    if not candidates:
        candidates = ctx.by_name_birth.get((values["name"], values["birth_date"]), [])
    if len(candidates) > 1:
        return None, _("%(n)d members already match this phone or name and birth date; fix them first.") % {
            "n": len(candidates)}
    return (candidates[0] if candidates else None), ""


def _validate_model(values: dict, existing: Member | None) -> tuple[str, str] | None:
    member = Member(pk=existing.pk if existing else None)
    if existing:
        for name in ("name", "phone", "email", "birth_date", "health", "max_shifts_per_week"):
            setattr(member, name, getattr(existing, name))
        member.community_id = existing.community_id
    for name in ("name", "phone", "email", "birth_date", "health", "max_shifts_per_week"):
        if name in values:
            setattr(member, name, values[name])
    member.community_id = values.get("community", member.community_id)
    try:
        member.full_clean(exclude=["community", "user", "skills", "extra_communities"], validate_unique=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        column = COLUMN_BY_FIELD.get(field_name)
        return (column.header if column else field_name), " ".join(messages)
    return None


def _row_plan(number: int, values: dict, existing: Member | None, ctx: _Context) -> RowPlan:
    if existing is None:
        values.setdefault("community", ctx.community.pk)
        return RowPlan(number, "create", values["name"], None, values, [])
    _member, state = ctx.state[existing.pk]
    changes = [COLUMN_BY_FIELD[name].header for name, new in values.items()
               if not (name == "active" and new is None) and state.get(name) != new]
    return RowPlan(number, "update" if changes else "unchanged", values["name"], existing.pk, values, changes)


# --------------------------------------------------------------------------- applying the plan

class ImportRejected(Exception):
    def __init__(self, plan: ImportPlan, message: str):
        super().__init__(message)
        self.plan = plan


_SIMPLE_FIELDS = ("name", "phone", "email", "birth_date", "health", "max_shifts_per_week")


def member_import_apply(*, user, community: Community, data: bytes = b"", filename: str = "",
                        mapping: dict[int, str] | None = None, expected_fingerprint: str | None = None,
                        sheet: Sheet | None = None) -> ImportPlan:
    """Validate again and write every row in one transaction, or raise ImportRejected and write nothing."""
    plan = member_import_plan(user=user, community=community, data=data, filename=filename, mapping=mapping,
                              sheet=sheet)
    if not plan.ok:
        raise ImportRejected(plan, plan.file_error or _("%(n)d rows have errors; nothing was imported.")
                             % {"n": len({e.row for e in plan.errors})})
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise ImportRejected(plan, _("The members changed since the preview; check the new preview."))
    changed_availability: list[int] = []
    with transaction.atomic():
        created = _create_members([r for r in plan.rows if r.action == "create"])
        for row in (r for r in plan.rows if r.action == "update"):
            if _update_member(row):
                changed_availability.append(row.member_id)
        audit_log(action="volunteers.member.imported", actor=user, community=community,
                  data={"file": filename[:100], "created": len(created), "updated": plan.count("update"),
                        "unchanged": plan.count("unchanged")})
        transaction.on_commit(lambda: _announce(changed_availability))
    logger.info("member import into %s: %d created, %d updated, %d unchanged", community.pk,
                len(created), plan.count("update"), plan.count("unchanged"))
    return plan


def _create_members(rows: list[RowPlan]) -> list[Member]:
    members = []
    for row in rows:
        v = row.values
        member = Member(community_id=v["community"], active=True if v.get("active") is None else v["active"],
                        **{name: v[name] for name in _SIMPLE_FIELDS if name in v and v[name] is not None})
        # The community was checked against the secretary's scope while planning; skip one query per row.
        member.full_clean(exclude=["user", "community"], validate_unique=False)
        members.append(member)
    Member.objects.bulk_create(members, batch_size=500)
    if any(m.pk is None for m in members):  # databases without RETURNING; not expected on SQLite ≥3.35 or PG
        raise RuntimeError("bulk_create did not return primary keys")
    through = Member.skills.through
    links = [through(member_id=m.pk, skill_id=s) for m, r in zip(members, rows, strict=True)
             for s in r.values.get("skills", ())]
    through.objects.bulk_create(links, batch_size=1000)
    windows = [CaregivingWindow(member_id=m.pk, weekdays=w, start=s, end=e, label=label,
                                applies=applies_for_label(label))
               for m, r in zip(members, rows, strict=True) for w, s, e, label in r.values.get("caregiving", ())]
    CaregivingWindow.objects.bulk_create(windows, batch_size=1000)
    return members


def _update_member(row: RowPlan) -> bool:
    """Apply one row's changes; True when availability rules (health, caregiving, active) changed."""
    member = Member.objects.select_for_update().get(pk=row.member_id)
    v = row.values
    for name in _SIMPLE_FIELDS:
        if name in v:
            setattr(member, name, v[name])
    if "community" in v:
        member.community_id = v["community"]
    availability = False
    if v.get("active") is not None and v["active"] != member.active:
        member.active = v["active"]
        availability = True
    member.full_clean(exclude=["user"], validate_unique=False)
    member.save()
    if "skills" in v and frozenset(member.skills.values_list("pk", flat=True)) != v["skills"]:
        member.skills.set(v["skills"])
        availability = True
    if "caregiving" in v:
        current = frozenset((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all())
        if current != v["caregiving"]:
            member.caregiving.all().delete()
            CaregivingWindow.objects.bulk_create([CaregivingWindow(member=member, weekdays=w, start=s, end=e,
                                                                   label=label, applies=applies_for_label(label))
                                                  for w, s, e, label in v["caregiving"]])
            availability = True
    return availability or any(COLUMN_BY_FIELD["health"].header == c for c in row.changes)


def _announce(member_ids: list[int]) -> None:
    from shifts.signals import availability_changed

    start = timezone.now()
    for member_id in member_ids:
        availability_changed.send(sender=Member, member_id=member_id, start=start,
                                  end=start + dt.timedelta(days=60), reason="import")


# --------------------------------------------------------------------------- export

EXPORT_FIELDS = ("name", "phone", "birth_date", "health", "skills", "caregiving", "community", "email",
                 "max_shifts_per_week", "active")
SENSITIVE_EXPORT_FIELDS = ("health", "caregiving")


def member_export(*, user, community: Community, fmt: str) -> tuple[bytes, str, str]:
    """The community's members in the import format: (content, content type, file name).

    Health and caregiving are included only for the community's own staff (can_see_sensitive_in), and then
    the export is written to the audit log as sensitive_exported; anyone else in scope (a district
    administrator not assigned to the community) gets the other columns, logged as exported."""
    if fmt not in ("xlsx", "csv"):
        raise ValidationError({"fmt": _("Export as xlsx or csv.")})
    if community not in communities_for(user):
        raise ValidationError({"community": _("Not one of your communities.")})
    members = (Member.objects.filter(community=community, anonymised_at__isnull=True)
               .prefetch_related("skills", "caregiving").select_related("community").order_by("name", "pk"))
    sensitive = can_see_sensitive_in(user, community)
    fields = [name for name in EXPORT_FIELDS if sensitive or name not in SENSITIVE_EXPORT_FIELDS]
    rows = [[_export_cell(name, member) for name in fields] for member in members]
    headers = [COLUMN_BY_FIELD[name].header for name in fields]
    if sensitive:
        audit_log(action="volunteers.member.sensitive_exported", actor=user, community=community,
                  data={"members": len(rows), "format": fmt, "fields": list(SENSITIVE_EXPORT_FIELDS)})
    else:
        audit_log(action="volunteers.member.exported", actor=user, community=community,
                  data={"members": len(rows), "format": fmt})
    stamp = timezone.localdate().isoformat()
    filename = f"members-{community.pk}-{stamp}.{fmt}"
    if fmt == "csv":
        return csv_bytes(headers, rows), "text/csv; charset=utf-8", filename
    return (xlsx_bytes(headers, rows, title="名册"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename)


def _export_cell(name: str, member: Member):
    if name == "birth_date":
        return member.birth_date
    if name == "health":
        return HEALTH_EXPORT[member.health]
    if name == "skills":
        return "、".join(sorted(s.name for s in member.skills.all()))
    if name == "caregiving":
        return format_caregiving((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all())
    if name == "community":
        return member.community.name
    if name == "active":
        return "在册" if member.active else "停用"
    value = getattr(member, name)
    return "" if value is None else str(value) if name == "phone" else value



def zip_is_safe(data: bytes) -> bool:
    """Cheap guard against zip bombs: uncompressed size at most 50× the upload and below 100 MB."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return True  # not a zip: the readers report it properly
    return total <= min(100 * 1024 * 1024, max(50 * len(data), 10 * 1024 * 1024))
