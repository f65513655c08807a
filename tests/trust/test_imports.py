"""Member import (名册): every broken spreadsheet gives a clear report and writes nothing; good files import
once, re-import changes nothing, and export reads back identically."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from volunteers.models import AuditEntry, CaregivingWindow, Member
from volunteers.services.import_apply import ImportRejected, member_import_apply
from volunteers.services.import_plan import member_import_plan
from volunteers.services.member_exports import member_export
from volunteers.services.member_text import format_caregiving, parse_caregiving

HEADER = ["姓名", "手机", "出生日期", "健康", "技能", "接送时间", "所属社区"]


def good_rows(community_name="A社区"):
    return [
        ["王秀英", "13911112222", "1956-03-21", "良好", "急救", "周一至周五 07:00-08:30", community_name],
        ["李建国", "139 1111 3333", "1950/7/1", "一般", "调解、急救", "", ""],
        ["张桂兰", "", "1948年12月5日", "体弱", "", "周二、周四 16:00-17:30；周六 09:00-10:00 买菜", community_name],
    ]


def xlsx(rows, *, merges=(), title=None, formulas=None):
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8-sig", delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def plan(world, data, **kw):
    return member_import_plan(user=world.a.secretary, community=world.a.community, data=data, **kw)


def apply(world, data, **kw):
    return member_import_apply(user=world.a.secretary, community=world.a.community, data=data, **kw)


@pytest.fixture
def counts(db):
    def snapshot():
        return (Member.objects.count(), CaregivingWindow.objects.count(),
                Member.skills.through.objects.count(), list(Member.objects.values_list("name", "phone", "health")))
    return snapshot


# ------------------------------------------------------------------ good files

def test_good_xlsx_imports_all_rows_with_skills_and_caregiving(world, skills):
    result = apply(world, xlsx([HEADER, *good_rows()]))
    assert (result.count("create"), result.count("update")) == (3, 0)
    wang = Member.objects.get(name="王秀英")
    assert wang.community == world.a.community and wang.birth_date == dt.date(1956, 3, 21)
    assert list(wang.skills.values_list("code", flat=True)) == ["first_aid"]
    assert [(w.weekdays, w.start, w.end) for w in wang.caregiving.all()] == [
        ("mon,tue,wed,thu,fri", dt.time(7), dt.time(8, 30))]
    li = Member.objects.get(name="李建国")
    assert li.health == "limited" and li.phone == "13911113333" and li.skills.count() == 2
    zhang = Member.objects.get(name="张桂兰")
    labels = sorted((w.weekdays, w.label) for w in zhang.caregiving.all())
    assert labels == [("sat", "买菜"), ("tue,thu", "接送孙辈")]
    assert AuditEntry.objects.filter(action="volunteers.member.imported", community=world.a.community).count() == 1


def test_reimporting_the_same_file_changes_nothing(world, skills, counts):
    data = xlsx([HEADER, *good_rows()])
    apply(world, data)
    before = counts()
    updated = {m.pk: m.updated_at for m in Member.objects.all()}
    again = apply(world, data)
    assert again.count("unchanged") == 3 and again.count("create") == again.count("update") == 0
    assert counts() == before
    assert {m.pk: m.updated_at for m in Member.objects.all()} == updated


def test_changed_row_is_an_update_listing_the_changed_columns(world, skills):
    apply(world, xlsx([HEADER, *good_rows()]))
    rows = good_rows()
    rows[0][3] = "体弱"
    rows[0][5] = ""
    preview = plan(world, xlsx([HEADER, *rows]))
    update = [r for r in preview.rows if r.action == "update"]
    assert len(update) == 1 and sorted(update[0].changes) == sorted(["健康", "接送时间"])
    apply(world, xlsx([HEADER, *rows]))
    wang = Member.objects.get(name="王秀英")
    assert wang.health == "frail" and wang.caregiving.count() == 0


def test_existing_member_matched_by_phone_is_updated_not_duplicated(world, skills):
    rows = [["A成员甲", "13800000001", world.a.member.birth_date.isoformat(), "体弱", "", "", ""]]
    result = apply(world, xlsx([HEADER, *rows]))
    assert result.count("update") == 1
    world.a.member.refresh_from_db()
    assert world.a.member.health == "frail"
    assert Member.objects.filter(name="A成员甲").count() == 1


def test_export_reads_back_as_unchanged_in_both_formats(world, skills):
    apply(world, xlsx([HEADER, *good_rows()]))
    Member.objects.filter(name="李建国").update(phone="+86 139-1111-3333")
    for fmt in ("xlsx", "csv"):
        content, _type, _name = member_export(user=world.a.secretary, community=world.a.community, fmt=fmt)
        again = plan(world, content)
        assert again.ok, again.errors
        changed = [(r.name, r.changes) for r in again.rows if r.action != "unchanged"]
        # The phone is normalised on the first read-back ("+86 139-…" → "+8613911113333"), nothing else.
        assert changed in ([], [("李建国", ["手机"])]), changed
    assert AuditEntry.objects.filter(action="volunteers.member.sensitive_exported").count() == 2


def test_export_neutralises_formula_text(world, skills):
    Member.objects.filter(pk=world.a.mate.pk).update(email="=cmd|' /C calc'!A0@x.cn")
    content, _type, _name = member_export(user=world.a.secretary, community=world.a.community, fmt="csv")
    assert "'=cmd" in content.decode("utf-8-sig")
    content, _type, _name = member_export(user=world.a.secretary, community=world.a.community, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    emails = [row[7].value for row in sheet.iter_rows(min_row=2)]
    assert "=cmd|' /C calc'!A0@x.cn" in emails
    assert all(row[7].data_type == "s" for row in sheet.iter_rows(min_row=2) if row[7].value)


def test_export_of_another_community_is_refused(world):
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError):
        member_export(user=world.a.secretary, community=world.b.community, fmt="csv")


def test_gbk_csv_with_title_row_is_read(world, skills):
    data = csv_bytes([["A社区志愿者名册"], [], HEADER, *good_rows()], encoding="gbk")
    result = apply(world, data)
    assert result.count("create") == 3
    assert Member.objects.filter(name="张桂兰").exists()


def test_utf16_tab_separated_export_from_excel_is_read(world, skills):
    data = csv_bytes([HEADER, *good_rows()], encoding="utf-16", delimiter="\t")
    assert plan(world, data).count("create") == 3


def test_merged_community_cells_fill_down(world, skills):
    rows = [HEADER, *good_rows()]
    for row in rows[1:]:
        row[6] = None
    rows[1][6] = "A社区"
    data = xlsx(rows, merges=["G3:G5"], title="A社区志愿者名册")
    result = plan(world, data)
    assert result.ok, result.errors
    assert {r.values["community"] for r in result.rows} == {world.a.community.pk}


def test_formula_with_saved_value_is_used_and_without_is_reported(world, skills, counts):
    rows = [HEADER, *good_rows()]
    data = xlsx(rows, formulas={"D2": '=IF(1,"良好","体弱")'})  # openpyxl saves no cached result
    before = counts()
    result = plan(world, data)
    assert [(e.row, e.column) for e in result.errors] == [(2, "健康")]
    assert "formula" in result.errors[0].message.lower() or "公式" in result.errors[0].message
    with pytest.raises(ImportRejected):
        apply(world, data)
    assert counts() == before


def test_column_mapping_override(world, skills):
    header = ["名字", "联系电话", "生日", "身体", "备注"]
    rows = [header, ["赵大爷", "13700000000", "1952-01-01", "良好", "老党员"]]
    guessed = plan(world, xlsx(rows))
    assert guessed.file_error and "健康" in guessed.file_error  # 身体 is not a known header
    mapped = plan(world, xlsx(rows), mapping={0: "name", 1: "phone", 2: "birth_date", 3: "health"})
    assert mapped.ok and mapped.count("create") == 1
    assert mapped.ignored_columns == ["备注"]


def test_ten_thousand_rows_import_and_reimport(world, skills):
    rows = [HEADER] + [[f"成员{i:05d}", f"13{i:09d}", f"{1940 + i % 25}-0{1 + i % 9}-1{i % 10}",
                        ("良好", "一般", "体弱")[i % 3], "急救" if i % 4 == 0 else "",
                        "周一至周五 07:00-08:30" if i % 5 == 0 else "", ""] for i in range(10_000)]
    data = csv_bytes(rows)
    result = apply(world, data)
    assert result.count("create") == 10_000
    assert Member.objects.filter(community=world.a.community).count() == 10_002
    assert CaregivingWindow.objects.filter(member__community=world.a.community).count() == 2_000 + 1
    again = plan(world, data)
    assert again.ok and again.count("unchanged") == 10_000


# ------------------------------------------------------------------ broken files: report, write nothing

def _row(**changes):
    row = dict(zip(HEADER, good_rows()[0], strict=True))
    row.update(changes)
    return [row[h] for h in HEADER]


BROKEN_ROWS = {
    "date_words": (_row(出生日期="五六年三月"), "出生日期"),
    "date_impossible": (_row(出生日期="1956-02-30"), "出生日期"),
    "date_future": (_row(出生日期="2999-01-01"), "出生日期"),
    "date_too_old": (_row(出生日期="1850-01-01"), "出生日期"),
    "date_missing": (_row(出生日期=""), "出生日期"),
    # A line without a name is skipped and listed, not an error (issue 25): tests/people/test_import_rows.py.
    "name_formula_text": (_row(姓名="=HYPERLINK(\"http://x\")"), "姓名"),
    "name_control_chars": (_row(姓名="王\x07秀英"), "姓名"),
    "name_too_long": (_row(姓名="王" * 200), "姓名"),
    "cell_huge": (_row(技能="急救" * 1000), "技能"),
    "phone_letters": (_row(手机="138-abc-0000"), "手机"),
    "phone_too_short": (_row(手机="123"), "手机"),
    "health_unknown": (_row(健康="还行"), "健康"),
    "health_missing": (_row(健康=""), "健康"),
    "skill_unknown": (_row(技能="开车"), "技能"),
    "care_no_days": (_row(接送时间="07:00-08:30"), "接送时间"),
    "care_bad_day": (_row(接送时间="周八 07:00-08:30"), "接送时间"),
    "care_backwards_days": (_row(接送时间="周五至周一 07:00-08:30"), "接送时间"),
    "care_off_grid": (_row(接送时间="周一至周五 07:10-08:30"), "接送时间"),
    "care_end_before_start": (_row(接送时间="周一 09:00-08:00"), "接送时间"),
    "care_impossible_time": (_row(接送时间="周一 25:00-26:00"), "接送时间"),
    "care_no_time": (_row(接送时间="周一至周五 早上"), "接送时间"),
    "community_foreign": (_row(所属社区="B社区"), "所属社区"),
    "community_unknown": (_row(所属社区="不存在社区"), "所属社区"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_ROWS))
def test_broken_row_is_reported_and_nothing_is_written(world, skills, counts, case):
    bad, column = BROKEN_ROWS[case]
    rows = [HEADER, *good_rows()[1:], bad]
    # openpyxl refuses to write control characters, so that case travels as CSV.
    data = csv_bytes(rows) if case == "name_control_chars" else xlsx(rows)
    before = counts()
    result = plan(world, data)
    assert [(e.row, e.column) for e in result.errors] == [(4, column)], result.errors
    assert result.errors[0].message.strip()
    with pytest.raises(ImportRejected) as exc:
        apply(world, data)
    assert exc.value.plan.errors
    assert counts() == before


BROKEN_FILES = {
    "empty": b"",
    "whitespace": b"  \n\n ",
    "no_header": csv_bytes([["a", "b"], ["1", "2"]]),
    "binary": bytes(range(256)) * 10,
    "old_xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    "damaged_zip": b"PK\x03\x04" + b"\x00" * 300,
    "not_xlsx_zip": None,  # built below: a zip without a workbook
    "latin1_garbage": "姓名,手机\n".encode()[:5] + b"\xff\xfe\xfa" * 50,
    "missing_required_column": csv_bytes([["姓名", "手机"], ["王", "13800000000"]]),
    "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 100,
}


def _zip_without_workbook():
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(BROKEN_FILES))
def test_broken_file_gives_a_file_error(world, skills, counts, case):
    data = BROKEN_FILES[case] if BROKEN_FILES[case] is not None else _zip_without_workbook()
    before = counts()
    result = plan(world, data)
    assert result.file_error and not result.ok
    with pytest.raises(ImportRejected):
        apply(world, data)
    assert counts() == before


def test_duplicate_rows_in_the_file_are_reported(world, skills, counts):
    rows = [HEADER, *good_rows(), good_rows()[0], _row(姓名="王秀英2")]  # same phone twice more
    before = counts()
    result = plan(world, xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [(5, "姓名"), (6, "姓名")]
    assert "2" in result.errors[0].message
    assert counts() == before


def test_duplicate_without_phone_by_name_and_birth_date(world, skills):
    rows = [HEADER, good_rows()[2], good_rows()[2]]
    assert [e.row for e in plan(world, xlsx(rows)).errors] == [3]


def test_empty_rows_are_skipped_not_errors(world, skills):
    rows = [HEADER, good_rows()[0], [None] * 7, ["", " ", "", "", "", "", ""], good_rows()[1]]
    result = plan(world, xlsx(rows))
    assert result.ok and result.count("create") == 2


def test_many_errors_all_listed_and_half_good_file_imports_nothing(world, skills, counts):
    rows = [HEADER] + [_row(姓名=f"人{i}", 手机=f"1370000{i:04d}", 出生日期="bad" if i % 2 else "1950-01-01")
                       for i in range(40)]
    before = counts()
    result = plan(world, csv_bytes(rows))
    assert len(result.errors) == 20 and result.count("create") == 20
    with pytest.raises(ImportRejected):
        apply(world, csv_bytes(rows))
    assert counts() == before


def test_too_many_rows_is_a_file_error(world, skills, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [HEADER] + [_row(姓名=f"人{i}", 手机=f"1370000{i:04d}") for i in range(80)]
    assert "50" in plan(world, csv_bytes(rows)).file_error


def test_zip_bomb_is_refused(world, skills):
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (30 * 1024 * 1024))
    result = plan(world, out.getvalue())
    assert result.file_error


def test_preview_is_stale_after_data_changed(world, skills):
    data = xlsx([HEADER, *good_rows()])
    fingerprint = plan(world, data).fingerprint
    apply(world, xlsx([HEADER, good_rows()[0]]))
    with pytest.raises(ImportRejected):
        apply(world, data, expected_fingerprint=fingerprint)


# ------------------------------------------------------------------ caregiving text

@pytest.mark.parametrize("text,expected", [
    ("周一至周五 07:00-08:30", {("mon,tue,wed,thu,fri", dt.time(7), dt.time(8, 30), "接送孙辈")}),
    ("星期二、星期四 16:00～17:30", {("tue,thu", dt.time(16), dt.time(17, 30), "接送孙辈")}),
    ("工作日 7:00-8:30，周六 9:00-10:00", {("mon,tue,wed,thu,fri", dt.time(7), dt.time(8, 30), "接送孙辈"),
                                        ("sat", dt.time(9), dt.time(10), "接送孙辈")}),
    ("每天 06:00到07:00 照顾老伴", {("mon,tue,wed,thu,fri,sat,sun", dt.time(6), dt.time(7), "照顾老伴")}),
    ("周日 18:00－19:00".replace("－", "-"), {("sun", dt.time(18), dt.time(19), "接送孙辈")}),
])
def test_caregiving_text_parses(text, expected):
    assert parse_caregiving(text) == expected


def test_caregiving_format_round_trips():
    text = "周一至周五 07:00-08:30；周二、周四 16:00-17:30；每天 20:00-21:00 照顾老伴"
    windows = parse_caregiving(text)
    assert parse_caregiving(format_caregiving(windows)) == windows
