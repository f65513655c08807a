"""Paper (issue #27): the month's large-print schedule card, for one member or every member, and the week's
sign-in sheet printed with names and boxes, whose blank file the attendance import reads back (12月3日 dates,
empty boxes, the study day as organisational life)."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shifts.delivered.attendance_import import AttendanceImportRejected, attendance_import
from shifts.delivered.hours import member_hours
from shifts.models import Attendance
from shifts.rostering.week_making import study_session_make
from tests import factories as f
from volunteers.models import AuditEntry, Community, HealthLevel, MemberLoginToken

from .conftest import WEEK, aware, publish

pytestmark = pytest.mark.django_db
MONTH = "2026-03"


@pytest.fixture
def paper(team):
    """The team's patrol (Monday 2026-03-02), a home visit, the study day on the 25th, and private details that
    must never reach paper."""
    community, mate = team["community"], team["mate"]
    mate.health = HealthLevel.FRAIL  # 体弱: a health level is sensitive and never printed
    mate.save(update_fields=["health"])
    f.caregiving(mate, label="接送外孙")
    household = f.visit_target(community, household="谢家", address="和平街1号")
    visit = f.shift(community, f.duty("visit", name="探访"), aware(WEEK + dt.timedelta(days=2), 14),
                    name="探访谢家（和平街1号）", location="和平街1号", visit_target=household)
    publish((visit, mate))
    study, _created = study_session_make(community=community, day=dt.date(2026, 3, 25))
    return {**team, "visit": visit, "study": study}


def _card(client, member, method="get", data=None):
    url = reverse("member_card", args=[member.pk, MONTH])
    return client.post(url, data or {}) if method == "post" else client.get(url)


def test_the_card_says_each_shift_in_words_and_whom_to_call_and_nothing_private(client, paper):
    client.force_login(paper["secretary"])
    response = _card(client, paper["mate"])
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "李秀英" in page and "A5" not in page  # the page size is in the card's CSS, not in words
    assert "3月2日，星期一，上午9:00到11:00：红袖章巡逻。在居委会门口集合。" in page
    assert "3月4日，星期三，下午14:00到16:00：入户探访。" in page  # a visit: no household, no address
    assert "3月25日" in page  # the study day, for everyone
    assert "021-12345678" in page  # the community's phone: no secretary has one of their own on file
    for private in ("体弱", "健康", "接送外孙", "谢家", "和平街", "13900000002", "mate@example.org"):
        assert private not in page, private
    assert "shifts/card.css" in page and 'class="qr"' in page
    css = (Path(settings.BASE_DIR) / "shifts/static/shifts/card.css").read_text()
    assert "size: A5" in css and "font-size: 24pt" in css
    assert not MemberLoginToken.objects.exists()  # a GET issues nothing: its QR opens the code login page


def test_the_card_with_a_login_qr_issues_one_audited_one_time_link(client, paper):
    mate = paper["mate"]
    client.force_login(paper["secretary"])
    response = _card(client, mate, "post", {"login": "1"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = MemberLoginToken.objects.get(member=mate)
    assert token.created_by == paper["secretary"] and token.used_at is None
    page = response.content.decode()
    assert "/accounts/login/link/" not in page  # the link is in the QR code only, never as text
    assert "只能用一次" in page
    assert AuditEntry.objects.filter(action="volunteers.member.login_link_issued", object_id=str(mate.pk)).exists()
    printed = AuditEntry.objects.get(action="shifts.card.printed_with_login")
    assert printed.data["members"] == [mate.pk] and printed.actor == paper["secretary"]


def test_only_the_members_own_staff_print_a_login_and_others_see_no_card(client, paper):
    client.force_login(f.district_admin(username="district"))
    response = _card(client, paper["mate"], "post", {"login": "1"})
    assert response.status_code == 400 and not MemberLoginToken.objects.exists()
    assert "3月2日" in response.content.decode()  # the card itself, without a login
    client.force_login(f.secretary(f.community(name="和平里"), username="elsewhere"))
    assert _card(client, paper["mate"]).status_code == 404
    assert client.get(reverse("community_cards", args=[paper["community"].pk, MONTH])).status_code == 404
    client.force_login(paper["secretary"])
    assert client.get(reverse("member_card", args=[paper["mate"].pk, "2026-13"])).status_code == 404


def test_everyone_s_cards_one_page_each_active_members_of_the_community_only(client, paper):
    inactive = f.member(paper["community"], name="钱已退", active=False)
    stranger = f.member(f.community(name="和平里"), name="路人甲")
    client.force_login(paper["secretary"])
    response = client.get(reverse("community_cards", args=[paper["community"].pk, MONTH]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="print-page month-card"') == 3
    assert all(name in page for name in ("王建国", "李秀英", "张志强"))
    assert inactive.name not in page and stranger.name not in page and "体弱" not in page
    response = client.post(reverse("community_cards", args=[paper["community"].pk, MONTH]), {"login": "1"})
    assert MemberLoginToken.objects.count() == 3 and response.status_code == 200


# --------------------------------------------------------------------------- the sign-in sheet


def test_the_sign_in_sheet_prints_names_and_boxes_for_shifts_and_the_study_day(client, paper):
    client.force_login(paper["secretary"])
    page = client.get(reverse("sign_in_sheet", args=[paper["community"].pk, "2026-03-02"])).content.decode()
    assert page.count('class="box"') == 4  # the patrol's three, the visit's one
    assert "2026-03-02 · 开始 09:00 · 值班" in page and "组织生活" not in page
    for private in ("谢家", "和平街", "13900000001", "体弱"):
        assert private not in page
    study = client.get(reverse("sign_in_sheet", args=[paper["community"].pk, "2026-03-23"])).content.decode()
    assert "组织生活" in study and study.count('class="box"') == 3  # every active member of the community
    assert reverse("sign_in_sheet_export", args=[paper["community"].pk, "2026-03-23", "xlsx"]) in study
    assert client.get(reverse("sign_in_sheet_export",
                              args=[paper["community"].pk, "2026-03-23", "pdf"])).status_code == 404


def _filled(client, community, week, fill) -> bytes:
    """The blank Excel sheet the page offers, with `fill(row)` typed into each row."""
    response = client.get(reverse("sign_in_sheet_export", args=[community.pk, week, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["日期", "开始", "值班", "姓名", "手机", "签到", "签退", "出勤"]
    for row in sheet.iter_rows(min_row=2):
        fill(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_filled_in_sheet_imports_through_the_queued_preview(client, paper):
    """Sheet → paper → typed into the blank file → upload → preview → confirm: the same columns read back."""
    community = paper["community"]
    client.force_login(paper["secretary"])

    def fill(row):
        name = row[3].value
        if name == "王建国":
            row[0].value = "3月2日"  # as written in a book: no year
            row[7].value = "✓"
        elif name == "李秀英" and row[2].value == "巡逻":
            row[5].value, row[6].value = "09:10", "10:55"
        # 张志强 and 李秀英's visit: boxes left empty, not here

    data = _filled(client, community, "2026-03-02", fill)
    url = reverse("attendance_import", args=[community.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("sheet.xlsx", data)}, follow=True)
    assert preview.status_code == 200 and preview.context["confirmable"] and preview.context["rows"] == 2
    done = client.post(reverse("attendance_import_confirm", args=[community.pk, preview.context["job"].pk]),
                       follow=True)
    assert done.status_code == 200
    records = {a.member.name: a for a in Attendance.objects.select_related("member")}
    assert set(records) == {"王建国", "李秀英"}
    assert records["王建国"].check_in == paper["shift"].start and records["王建国"].check_out == paper["shift"].end
    assert (records["李秀英"].check_in, records["李秀英"].check_out) == (aware(WEEK, 9, 10), aware(WEEK, 10, 55))
    assert all(r.source == Attendance.Source.IMPORT for r in records.values())


def test_study_day_rows_import_as_organisational_life(client, paper):
    community, study = paper["community"], paper["study"]
    client.force_login(paper["secretary"])

    def fill(row):
        row[0].value = "3月25日"
        if row[3].value in ("李秀英", "张志强"):
            row[7].value = "√"

    data = _filled(client, community, "2026-03-23", fill)
    attendance_import(data=data, filename="study.xlsx", communities=Community.objects.all(), community=community,
                      by=paper["secretary"])
    present = set(Attendance.objects.filter(shift=study).values_list("member__name", flat=True))
    assert present == {"李秀英", "张志强"}  # nobody is rostered on the study day; the sheet says who came
    assert member_hours(paper["mate"], 2026).year_minutes == 0  # organisational life, not service hours


def test_dates_like_12月3日_are_read_and_a_wrong_one_is_named(paper):
    community = paper["community"]
    december = f.shift(community, paper["patrol"], aware(dt.date(2026, 12, 3), 9), name="巡逻")
    publish((december, paper["leader"]))
    data = "姓名,日期,开始,出勤\n王建国,１２月３日,09:00,✓\n".encode()
    attendance_import(data=data, filename="book.csv", communities=Community.objects.all(), community=community)
    assert Attendance.objects.get().shift == december
    with pytest.raises(AttendanceImportRejected) as err:
        attendance_import(data="姓名,日期,开始,出勤\n王建国,13月3日,09:00,✓\n王建国,十二月三日,09:00,✓\n".encode(),
                          filename="book.csv", communities=Community.objects.all(), community=community)
    assert [(e.row, e.column) for e in err.value.result.errors] == [(2, "日期"), (3, "日期")]
    assert "11月23日" in err.value.result.errors[0].message


def test_an_empty_box_is_only_not_here_on_a_sheet_with_the_box_column(paper):
    """Without a 出勤 column a row with no time is still an error, as before."""
    with pytest.raises(AttendanceImportRejected) as err:
        attendance_import(data="姓名,日期,开始,签到,签退\n王建国,2026-03-02,09:00,,\n".encode(), filename="b.csv",
                          communities=Community.objects.all(), community=paper["community"])
    assert err.value.result.errors[0].column == "签到"
    result = attendance_import(data="姓名,日期,开始,签到,签退,出勤\n王建国,2026-03-02,09:00,,,\n".encode(),
                               filename="b.csv", communities=Community.objects.all(), community=paper["community"])
    assert result.rows == [] and not Attendance.objects.exists()


def test_the_card_says_from_when_the_month_is_not_planned_yet(client, paper):
    """Only the week of 2 March is published: the card says the shifts from 9 March on are not planned yet."""
    client.force_login(paper["secretary"])
    page = _card(client, paper["mate"]).content.decode()
    assert "3月9日起的值班还没排好" in page


def test_two_members_of_the_same_name_are_told_apart_by_the_file_s_phone_not_on_paper(client, paper):
    twin = f.member(paper["community"], name="王建国", phone="13900000099")
    publish((paper["shift"], twin))
    client.force_login(paper["secretary"])
    page = client.get(reverse("sign_in_sheet", args=[paper["community"].pk, "2026-03-02"])).content.decode()
    assert "13900000099" not in page and page.count("王建国") == 2

    def fill(row):
        if row[3].value == "王建国" and row[4].value and row[4].value.endswith("99"):
            row[7].value = "✓"

    data = _filled(client, paper["community"], "2026-03-02", fill)
    attendance_import(data=data, filename="sheet.xlsx", communities=Community.objects.all(),
                      community=paper["community"])
    assert Attendance.objects.get().member == twin
