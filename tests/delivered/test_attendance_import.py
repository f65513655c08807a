"""Back-fill from a sheet: CSV and Excel, all rows or none, errors naming row and column; the command."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shifts.delivered.attendance_import import AttendanceImportRejected, attendance_import
from shifts.models import Attendance
from tests import factories as f
from volunteers.models import Community

from .conftest import WEEK, aware, publish

pytestmark = pytest.mark.django_db

HEAD = "姓名,日期,开始,签到,签退,出勤\n"


def _csv(*lines) -> bytes:
    return (HEAD + "\n".join(lines) + "\n").encode("utf-8")


def _run(team, data, filename="book.csv"):
    return attendance_import(data=data, filename=filename, communities=Community.objects.all(),
                             community=team["community"], by=team["secretary"])


def test_csv_import_writes_times_and_marks(team):
    data = _csv("王建国,2026-03-02,09:00,09:00,11:00,", "李秀英,2026/3/2,9:00,,,✓", "张志强,2026-03-02,09:00,,,✗")
    result = _run(team, data)
    assert len(result.rows) == 2  # the ✗ row is an absence: nothing to record
    records = {a.member.name: a for a in Attendance.objects.select_related("member")}
    assert set(records) == {"王建国", "李秀英"}  # ✗ is absent: nothing recorded
    assert records["李秀英"].check_in == team["shift"].start and records["李秀英"].served_minutes == 120
    assert all(a.source == Attendance.Source.IMPORT for a in records.values())


def test_xlsx_import_with_a_title_row(team):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["幸福里巡逻考勤本"])
    sheet.append(["姓名", "日期", "开始", "签到", "签退"])
    sheet.append(["王建国", "2026-03-02", "09:00", "09:10", "10:50"])
    out = io.BytesIO()
    book.save(out)
    _run(team, out.getvalue(), "book.xlsx")
    record = Attendance.objects.get()
    assert (record.check_in, record.check_out, record.served_minutes) == (aware(WEEK, 9, 10), aware(WEEK, 10, 50),
                                                                          100)


def test_one_bad_row_and_nothing_is_written_with_each_error_named(team):
    data = _csv("王建国,2026-03-02,09:00,09:00,11:00,", "无此人,2026-03-02,09:00,09:00,11:00,",
                "李秀英,2026-03-02,10:00,09:00,11:00,", "张志强,2026-03-02,09:00,9点,11:00,",
                "王建国,2026-03-02,09:00,09:00,11:00,")
    with pytest.raises(AttendanceImportRejected) as err:
        _run(team, data)
    errors = [(e.row, e.column) for e in err.value.result.errors]
    assert errors == [(3, "姓名"), (4, "开始"), (5, "签到"), (6, "姓名")]
    messages = [e.message for e in err.value.result.errors]
    assert "无此人" in messages[0] and "Duplicate of row 2" in messages[3]
    assert not Attendance.objects.exists()


def test_same_name_needs_the_phone(team):
    twin = f.member(team["community"], name="王建国", phone="13900000099")
    publish((team["shift"], twin))
    with pytest.raises(AttendanceImportRejected) as err:
        _run(team, _csv("王建国,2026-03-02,09:00,09:00,11:00,"))
    assert err.value.result.errors[0].column == "手机"
    data = "姓名,手机,日期,开始,出勤\n王建国,139-0000-0099,2026-03-02,09:00,✓\n".encode("gb18030")
    _run(team, data)
    assert Attendance.objects.get().member == twin


def test_a_sheet_missing_columns_or_unreadable_is_refused_as_a_whole(team):
    with pytest.raises(AttendanceImportRejected, match="日期"):
        _run(team, "姓名,开始,签到\n王建国,09:00,09:00\n".encode())
    with pytest.raises(AttendanceImportRejected, match="old Excel"):
        _run(team, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "book.xls")


def test_the_command_imports_or_lists_the_errors(team, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv("王建国,2026-03-02,09:00,09:00,11:00,"))
    call_command("attendance", "import", str(good), "--community", "幸福里")
    assert Attendance.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("李秀英,2026-03-02,09:00,09:00,11:00,", "李秀英,2026-13-02,09:00,09:00,11:00,"))
    with pytest.raises(CommandError, match="1 rows have errors"):
        call_command("attendance", "import", str(bad), "--community", str(team["community"].pk))
    assert "row 3, 日期" in capsys.readouterr().err
    assert Attendance.objects.count() == 1
    with pytest.raises(CommandError, match="--community"):
        call_command("attendance", "import", str(good), "--community", "无此社区")
