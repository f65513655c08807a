"""Back-filling attendance from the paper book (考勤本) typed into a CSV or Excel sheet.

Columns (Chinese headers, synonyms accepted): 姓名, 手机 (to tell apart two people of the same name), 日期 (also
12月3日: the year nearest today), 开始 (the shift's start time, which names the shift), 值班 (duty, when two
shifts start together), 签到, 签退, 出勤 (✓/是 = present for the whole shift when no times are given; an empty 出勤
box, as on the printed sign-in sheet, = not here), 社区 (when the file covers several).
The whole file is checked first; one bad row and nothing is written. The reading and its guards (encodings,
zip bombs, formulas, merged cells, row limits, the child process with CPU and memory limits) are the member
import's. From the web it is a queue job like the member import (attendance_import_job_run): a preview, then
the import once the secretary confirms, each read by a worker while the page shows its progress.
"""

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.delivered.attendance import attendance_set
from shifts.models import Attendance, Shift
from volunteers.models import Community, Member, MemberImportJob
from volunteers.selectors import communities_for
from volunteers.services.audit import audit_log
from volunteers.services.import_files import ImportFileError, RowError, Sheet, read_sheet_isolated
from volunteers.services.import_jobs import import_job_begin, import_job_finish, upload_forget
from volunteers.services.member_text import (
    cell_text,
    header_synonyms,
    mapping_from_headers,
    parse_date,
    parse_name,
    parse_phone,
)

logger = logging.getLogger(__name__)


HEADERS = {
    "name": ("姓名", "名字", "志愿者姓名", "name"),
    "phone": ("手机", "手机号", "电话", "联系电话", "phone"),
    "date": ("日期", "服务日期", "值班日期", "date"),
    "start": ("开始", "开始时间", "班次", "值班时间", "start"),
    "duty": ("值班", "服务项目", "项目", "岗位", "duty"),
    "check_in": ("签到", "签到时间", "到岗", "checkin"),
    "check_out": ("签退", "签退时间", "离岗", "checkout"),
    "present": ("出勤", "到场", "考勤", "present"),
    "community": ("社区", "所属社区", "community"),
}
LABEL = {f: words[0] for f, words in HEADERS.items()}
_SYNONYMS = header_synonyms(HEADERS)
PRESENT_WORDS = ("✓", "√", "是", "到", "出勤", "yes", "y", "1")
ABSENT_WORDS = ("✗", "×", "否", "缺", "缺勤", "no", "n", "0")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?::\d{2})?$")
PREVIEW_ROWS = 300
PREVIEW_ERRORS = 1000


def guess(headers: list[str]) -> dict[int, str]:
    """The attendance columns a sheet's headers name."""
    return mapping_from_headers(headers, _SYNONYMS)


@dataclass
class AttendanceRow:
    row: int
    shift: Shift
    member: Member
    check_in: dt.datetime | None
    check_out: dt.datetime | None


@dataclass
class AttendanceImport:
    rows: list[AttendanceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


class AttendanceImportRejected(Exception):
    def __init__(self, result: AttendanceImport):
        self.result = result
        super().__init__(result.file_error or _("%(n)d rows have errors; nothing was imported.")
                         % {"n": len({e.row for e in result.errors})})


def attendance_import(*, data: bytes = b"", filename: str = "", communities, community: Community | None = None,
                      by=None, sheet: Sheet | None = None, progress=None) -> AttendanceImport:
    """Check every row, then write all of them in one transaction; AttendanceImportRejected writes nothing.

    `communities` are those the importer manages; `community` is the default when the sheet has no 社区 column.
    `sheet`: the file already read; else `data` is read here, in the limited child (read_sheet_isolated)."""
    result = attendance_import_plan(data=data, filename=filename, communities=communities, community=community,
                                    sheet=sheet, progress=progress)
    if not result.ok:
        raise AttendanceImportRejected(result)
    with transaction.atomic():
        for row in result.rows:
            attendance_set(shift=row.shift, member=row.member, check_in=row.check_in, check_out=row.check_out,
                           by=by, source=Attendance.Source.IMPORT)
        audit_log(action="shifts.attendance.imported", actor=by, community=community,
                  data={"file": filename[:100], "rows": len(result.rows)})
    logger.info("attendance import %s: %d rows", filename, len(result.rows))
    return result


def attendance_sheet_read(*, data: bytes, filename: str = "", progress=None) -> Sheet:
    """The attendance book's rows, read by the member import's guarded reader; ImportFileError says why not."""
    return read_sheet_isolated(data, filename, progress=progress, synonyms=_SYNONYMS, no_header=_(
        "No header row found. The first rows should name the columns, e.g. 姓名, 日期, 开始, 签到, 签退."))


def attendance_import_plan(*, data: bytes = b"", filename: str = "", communities, community: Community | None = None,
                           sheet: Sheet | None = None, progress=None) -> AttendanceImport:
    result = AttendanceImport()
    try:
        sheet = sheet if sheet is not None else attendance_sheet_read(data=data, filename=filename,
                                                                      progress=progress)
    except ImportFileError as exc:
        result.file_error = str(exc)
        return result
    mapping = guess(sheet.headers)
    missing = [LABEL[f] for f in ("name", "date", "start") if f not in mapping.values()]
    if not ({"check_in", "present"} & set(mapping.values())):
        missing.append(f"{LABEL['check_in']}/{LABEL['present']}")
    if "community" not in mapping.values() and community is None:
        missing.append(LABEL["community"])
    if missing:
        result.file_error = _("The sheet lacks the column(s) %(columns)s.") % {"columns": "、".join(missing)}
        return result
    context = _Context(list(communities), community, has_box="present" in mapping.values())
    seen: dict = {}
    for number, cells in sheet.rows:
        values = {f: (cells[i] if i < len(cells) else None) for i, f in mapping.items()}
        try:
            row = _row(number, values, context)
        except _CellError as exc:
            result.errors.append(RowError(number, exc.column, exc.message))
            continue
        if row is None:
            continue
        key = (row.shift.pk, row.member.pk)
        if key in seen:
            result.errors.append(RowError(number, LABEL["name"], _("Duplicate of row %(row)d.") % {"row": seen[key]}))
            continue
        seen[key] = number
        result.rows.append(row)
    return result


# --------------------------------------------------------------------------- on the queue

def attendance_import_job_run(job_id: int) -> str:
    """The queue task: read the stored book in the limited child, check it and, when confirmed, write it."""
    begun = import_job_begin(job_id, sheet=MemberImportJob.Sheet.ATTENDANCE)
    if begun is None:
        return MemberImportJob.objects.get(pk=job_id).status
    job, data, progress = begun
    try:
        sheet = attendance_sheet_read(data=data, filename=job.filename, progress=progress)
    except ImportFileError as exc:
        import_job_finish(job, MemberImportJob.Status.DONE, result=attendance_summary(AttendanceImport(
            file_error=str(exc))))
        return job.status
    progress(len(sheet.rows) + sheet.header_row)
    kwargs = dict(filename=job.filename, communities=communities_for(job.created_by), community=job.community,
                  sheet=sheet)
    if job.kind == MemberImportJob.Kind.PREVIEW:
        import_job_finish(job, MemberImportJob.Status.DONE, result=attendance_summary(attendance_import_plan(**kwargs)))
        return job.status
    try:
        result = attendance_import(**kwargs, by=job.created_by)
    except AttendanceImportRejected as exc:
        import_job_finish(job, MemberImportJob.Status.DONE,
                          result={**attendance_summary(exc.result), "rejected": str(exc)})
    else:
        upload_forget(job.file_id)
        import_job_finish(job, MemberImportJob.Status.DONE, result={**attendance_summary(result), "imported": True})
    return job.status


def attendance_summary(result: AttendanceImport) -> dict:
    """What the preview page shows of a checked book, as JSON."""
    return {
        "file_error": result.file_error, "ok": result.ok, "rows": len(result.rows),
        "error_rows": len({e.row for e in result.errors}),
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:PREVIEW_ERRORS]],
        "more_errors": max(len(result.errors) - PREVIEW_ERRORS, 0),
        "sample": [{"row": r.row, "name": r.member.name, "shift": _shift_words(r.shift),
                    "check_in": _clock(r.check_in), "check_out": _clock(r.check_out)}
                   for r in result.rows[:PREVIEW_ROWS]],
        "more_rows": max(len(result.rows) - PREVIEW_ROWS, 0),
    }


def _shift_words(shift: Shift) -> str:
    return f"{timezone.localtime(shift.start):%Y-%m-%d %H:%M} {shift.duty.name}"


def _clock(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%H:%M}" if moment is not None else ""


class _CellError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


class _Context:
    def __init__(self, communities: list[Community], default: Community | None, has_box: bool = False):
        self.communities = {c.name: c for c in communities}
        self.has_box = has_box  # the sheet has a 出勤 column: an empty box there means "not here"
        self.default = default
        self.members: dict[int, dict[str, list[Member]]] = {}

    def community(self, raw) -> Community:
        name = _cell(raw, "community")
        if not name:
            if self.default is None:
                raise _CellError(LABEL["community"], _("The community is missing."))
            return self.default
        if name not in self.communities:
            raise _CellError(LABEL["community"],
                             _("“%(value)s” is not one of your communities.") % {"value": name[:40]})
        return self.communities[name]

    def by_name(self, community: Community) -> dict[str, list[Member]]:
        if community.pk not in self.members:
            found: dict[str, list[Member]] = {}
            for member in Member.objects.filter(community=community, anonymised_at__isnull=True).order_by("pk"):
                found.setdefault(member.name, []).append(member)
            for member in community.guest_members.filter(anonymised_at__isnull=True).order_by("pk"):
                found.setdefault(member.name, []).append(member)
            self.members[community.pk] = found
        return self.members[community.pk]


def _cell(raw, field_name: str) -> str:
    try:
        return cell_text(raw)
    except ValidationError as exc:
        raise _CellError(LABEL[field_name], " ".join(exc.messages))


def _row(number: int, values: dict, ctx: _Context) -> AttendanceRow | None:
    community = ctx.community(values.get("community"))
    member = _member(values, ctx.by_name(community))
    days = _dates(values.get("date"))
    start = _time(values.get("start"), "start", required=True)
    duty = _cell(values.get("duty"), "duty")
    shift = None
    for day in days:
        try:
            shift = _shift(community, day, start, duty)
            break
        except _CellError as exc:
            if day == days[0]:
                first_error = exc
    if shift is None:
        raise first_error
    check_in = _time(values.get("check_in"), "check_in")
    check_out = _time(values.get("check_out"), "check_out")
    present = _present(values.get("present"))
    if check_in is None and check_out is not None:
        raise _CellError(LABEL["check_in"], _("The check-in time is missing."))
    if check_in is None:
        if present is None and ctx.has_box:
            return None  # the sign-in sheet's 出勤 box left empty: not here, nothing to record
        if present is None:
            raise _CellError(LABEL["check_in"], _("Give the check-in time, or mark 出勤 with ✓ or ✗."))
        if not present:
            return None  # marked absent in the book: nothing to record
        return AttendanceRow(number, shift, member, shift.start, shift.end)
    local_start = timezone.localtime(shift.start)
    begin = _on_shift_day(local_start, check_in)
    end = _on_shift_day(local_start, check_out) if check_out is not None else None
    if end is not None and end <= begin:
        end += dt.timedelta(days=1)  # a night round signed out after midnight
        if end - begin > dt.timedelta(hours=24) or end <= begin:
            raise _CellError(LABEL["check_out"], _("The check-out must be after the check-in."))
    return AttendanceRow(number, shift, member, begin, end)


def _member(values: dict, by_name: dict[str, list[Member]]) -> Member:
    try:
        name = parse_name(values.get("name"))
    except ValidationError as exc:
        raise _CellError(LABEL["name"], " ".join(exc.messages))
    candidates = by_name.get(name, [])
    if not candidates:
        raise _CellError(LABEL["name"], _("No member called %(name)s in this community.") % {"name": name})
    if len(candidates) > 1:
        phone = parse_phone(values.get("phone")) if values.get("phone") else ""  # E.164, as members' numbers are
        matched = [m for m in candidates if phone and m.phone and str(m.phone) == phone]
        if len(matched) != 1:
            raise _CellError(LABEL["phone"], _("Several members are called %(name)s; add their phone number.")
                             % {"name": name})
        return matched[0]
    return candidates[0]


# A day without its year, as written in a book: 12月3日, 12月3号.
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$")


def _dates(raw) -> list[dt.date]:
    """The days a date cell may mean. Every date the member import reads is one day
    (volunteers.services.member_text.parse_date: 2026-12-03, 2026/12/3, 2026年12月3日, a spreadsheet date); a month
    and day without the year (12月3日, as a book is written) may be last year's, this year's or next year's: the
    row's shift decides, nearest today first (a book typed up in January reads 12月30日 as last December)."""
    try:
        return [parse_date(raw)]
    except ValidationError:
        pass
    text = unicodedata.normalize("NFKC", _cell(raw, "date")).replace(" ", "")
    match = _MONTH_DAY.match(text)
    if match:
        today = timezone.localdate()
        candidates = []
        for year in (today.year - 1, today.year, today.year + 1):
            try:
                candidates.append(dt.date(year, int(match.group(1)), int(match.group(2))))
            except ValueError:
                continue
        if candidates:
            return sorted(candidates, key=lambda day: abs((day - today).days))
    raise _CellError(LABEL["date"], _("“%(value)s” is not a date; write it like 2026-11-23 or 11月23日.")
                     % {"value": text[:40]})


def _time(raw, field_name: str, required: bool = False) -> dt.time | None:
    if isinstance(raw, dt.datetime):
        return raw.time().replace(second=0, microsecond=0)
    if isinstance(raw, dt.time):
        return raw.replace(second=0, microsecond=0)
    text = _cell(raw, field_name)
    if not text:
        if required:
            raise _CellError(LABEL[field_name], _("The time is missing; write it like 09:00."))
        return None
    match = _TIME.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _CellError(LABEL[field_name], _("“%(value)s” is not a time; write it like 09:00.") % {"value": text[:40]})
    return dt.time(int(match.group(1)), int(match.group(2)))


def _present(raw) -> bool | None:
    text = _cell(raw, "present").lower()
    if not text:
        return None
    if text in PRESENT_WORDS:
        return True
    if text in ABSENT_WORDS:
        return False
    raise _CellError(LABEL["present"], _("Unknown mark “%(value)s”; write ✓ or ✗.") % {"value": text[:20]})


def _shift(community: Community, day: dt.date, start: dt.time, duty: str) -> Shift:
    tz = timezone.get_current_timezone()
    moment = dt.datetime.combine(day, start, tzinfo=tz)
    shifts = list(Shift.objects.filter(community=community, start=moment).select_related("duty", "community"))
    if duty:
        shifts = [s for s in shifts if duty in (s.duty.name, s.duty.code, s.name)]
    if not shifts:
        raise _CellError(LABEL["start"], _("No shift of %(community)s starts at %(when)s.")
                         % {"community": community.name, "when": f"{day:%Y-%m-%d} {start:%H:%M}"})
    if len(shifts) > 1:
        raise _CellError(LABEL["duty"], _("Several shifts start then; name the duty in the 值班 column."))
    return shifts[0]


def _on_shift_day(local_start: dt.datetime, at: dt.time) -> dt.datetime:
    moment = dt.datetime.combine(local_start.date(), at, tzinfo=local_start.tzinfo)
    # A night round (e.g. 22:00–02:00) signed in after midnight belongs to the next day.
    if moment < local_start - dt.timedelta(hours=12):
        moment += dt.timedelta(days=1)
    return moment
