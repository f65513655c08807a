"""The week's sign-in sheet (签到表, issue #27 paper): printed with names and boxes, one row per assignment and per
member for each gathering (the study day, settings.UNROSTERED_DUTIES), and offered as a blank CSV or Excel file.

Its columns are the attendance import's own headers (shifts.delivered.attendance_import.HEADERS), in the order
日期, 开始, 值班, 姓名, 手机, 签到, 签退, 出勤: the same sheet, filled in and typed up (or the blank file filled in),
imports as it is. The file fills 手机 only for two members of the same name. A box left empty is read as "did
not come" (nothing recorded), a ✓ as present for the whole shift, times as the times. The paper shows names only:
no phone, health, caregiving or address; a home visit is the duty's name, never the household's."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from shifts.delivered.attendance import is_gathering
from shifts.delivered.attendance_import import LABEL
from shifts.delivered.selectors import attendance_sheet

COLUMNS = ("date", "start", "duty", "name", "phone", "check_in", "check_out", "present")
WIDTHS = (12, 8, 12, 12, 14, 8, 8, 6)


def headers() -> list[str]:
    return [LABEL[column] for column in COLUMNS]


@dataclass
class SheetBlock:
    shift: object
    day: dt.date
    start: str
    end: str
    duty: str
    gathering: bool
    names: list[str]
    phones: list[str]  # for the file only, and only to tell apart two members of the same name


def sign_in_blocks(community, week_start: dt.date) -> list[SheetBlock]:
    """The week's shifts with the names expected on each (everyone serving the community at a gathering)."""
    blocks = []
    for item in attendance_sheet(community, week_start):
        shift = item.shift
        start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
        members = [line.member for line in item.lines]
        names = [member.name for member in members]
        phones = [str(m.phone) if m.phone and names.count(m.name) > 1 else "" for m in members]
        blocks.append(SheetBlock(shift=shift, day=start.date(), start=f"{start:%H:%M}", end=f"{end:%H:%M}",
                                 duty=shift.duty.name, gathering=is_gathering(shift), names=names, phones=phones))
    return blocks


def sign_in_rows(blocks: list[SheetBlock]):
    """The blank file's rows: the shift's columns filled, the boxes empty."""
    for block in blocks:
        for name, phone in zip(block.names, block.phones, strict=True):
            yield [block.day.isoformat(), block.start, block.duty, name, phone, "", "", ""]
