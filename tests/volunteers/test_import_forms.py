"""Member import, as a secretary meets it (issue 13): the 名册's birth-date forms, a row with the name of a member
the community already has (asked, never a silent duplicate), a preview that shows only the columns the sheet
uses, and the staff navigation on the import pages. Everything goes through the real upload → preview → confirm
pages; queue tasks run at once in tests."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from volunteers.models import Member
from volunteers.services.member_text import parse_birth_date

HEADER = ["姓名", "手机", "出生日期", "健康"]


@pytest.mark.parametrize(("cell", "expected", "month_only"), [
    ("1951.03", dt.date(1951, 3, 1), True),
    ("1951年3月", dt.date(1951, 3, 1), True),
    ("1951-3", dt.date(1951, 3, 1), True),
    ("1951/03", dt.date(1951, 3, 1), True),
    ("19510312", dt.date(1951, 3, 12), False),
    ("1951/03/12", dt.date(1951, 3, 12), False),
    ("1951年3月12日", dt.date(1951, 3, 12), False),
    ("1951-03-12", dt.date(1951, 3, 12), False),
    (1951.03, dt.date(1951, 3, 1), True),  # typed into Excel as a number
    (1951.1, dt.date(1951, 10, 1), True),  # Excel keeps 1951.10 as 1951.1: October, not January
    (19510312.0, dt.date(1951, 3, 12), False),
    (dt.datetime(1951, 3, 12), dt.date(1951, 3, 12), False),  # a date cell
])
def test_the_common_birth_date_forms_are_read(cell, expected, month_only):
    assert parse_birth_date(cell) == (expected, month_only)


@pytest.mark.parametrize("cell", ["1951.13", "1951年", "51.03", "昨天", "1951-02-30"])
def test_what_is_not_a_birth_date_is_refused_with_the_forms_to_use(cell):
    with pytest.raises(ValidationError) as refused:
        parse_birth_date(cell)
    assert "1956-03-21" in " ".join(refused.value.messages)


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def place(db):
    community = factories.community(name="幸福里社区")
    return community, factories.secretary(community)


def upload(client, community, data):
    file = io.BytesIO(data)
    file.name = "名册.xlsx"
    return client.post(reverse("member_import", args=[community.pk]), {"file": file}, follow=True)


def confirm(client, community, answers=None):
    return client.post(reverse("member_import_confirm", args=[community.pk]), answers or {}, follow=True)


def test_a_month_only_birth_date_is_imported_as_the_first_and_the_preview_says_so(client, place):
    community, secretary = place
    client.force_login(secretary)
    preview = upload(client, community, xlsx([HEADER, ["王秀英", "13911112222", "1951.03", "良好"],
                                              ["李建国", "", "1950年7月", "一般"]]))
    assert preview.status_code == 200 and preview.context["created"] == 2
    assert [(n.row, n.column) for n in preview.context["notes"]] == [(2, "出生日期"), (3, "出生日期")]
    assert "1951-03-01" in preview.context["notes"][0].message
    confirm(client, community)
    assert Member.objects.get(name="王秀英").birth_date == dt.date(1951, 3, 1)
    assert Member.objects.get(name="李建国").birth_date == dt.date(1950, 7, 1)


@pytest.fixture
def namesake(place):
    """The community already has a 王秀英; the file's 王秀英 has another birth date and phone."""
    community, secretary = place
    existing = factories.member(community, name="王秀英", birth_date=dt.date(1950, 5, 5), phone="13911112222")
    rows = [HEADER, ["王秀英", "13800001111", "1951.03", "良好"], ["赵大爷", "", "1949-01-01", "良好"]]
    return community, secretary, existing, xlsx(rows)


def test_a_same_name_row_is_asked_about_and_nothing_is_imported_unanswered(client, namesake):
    community, secretary, existing, data = namesake
    client.force_login(secretary)
    preview = upload(client, community, data)
    assert preview.status_code == 200
    [question] = preview.context["questions"]
    assert (question.row, question.name) == (2, "王秀英")
    assert [o.member_id for o in question.options] == [existing.pk]
    page = preview.content.decode()
    assert 'name="same_2"' in page and "2222" in page and "1111" in page  # both phones' last digits to compare
    assert preview.context["created"] == 1  # 赵大爷; 王秀英 waits for the answer
    refused = confirm(client, community)
    assert refused.status_code == 409
    assert Member.objects.filter(name="王秀英").count() == 1 and not Member.objects.filter(name="赵大爷").exists()


def test_answering_another_person_adds_a_new_member(client, namesake):
    community, secretary, existing, data = namesake
    client.force_login(secretary)
    upload(client, community, data)
    done = confirm(client, community, {"same_2": "new"})
    assert done.status_code == 200
    births = sorted(Member.objects.filter(community=community, name="王秀英").values_list("birth_date", flat=True))
    assert births == [dt.date(1950, 5, 5), dt.date(1951, 3, 1)]
    assert Member.objects.filter(name="赵大爷").exists()


def test_answering_the_same_person_updates_that_member(client, namesake):
    community, secretary, existing, data = namesake
    client.force_login(secretary)
    upload(client, community, data)
    confirm(client, community, {"same_2": str(existing.pk)})
    [wang] = Member.objects.filter(community=community, name="王秀英")
    assert wang.pk == existing.pk
    assert (wang.birth_date, str(wang.phone)) == (dt.date(1951, 3, 1), "+8613800001111")
    assert Member.objects.filter(name="赵大爷").exists()


def test_an_answer_naming_a_member_of_another_name_is_not_taken(client, namesake, place):
    community, secretary, existing, data = namesake
    stranger = factories.member(community, name="钱阿姨")
    client.force_login(secretary)
    upload(client, community, data)
    refused = confirm(client, community, {"same_2": str(stranger.pk)})
    assert refused.status_code == 409
    stranger.refresh_from_db()
    assert stranger.name == "钱阿姨" and Member.objects.filter(name="王秀英").count() == 1


def test_the_preview_shows_only_the_columns_the_sheet_uses(client, place):
    community, secretary = place
    client.force_login(secretary)
    # Read through openpyxl every row has 60 cells; this sheet uses four headed columns, one headed column further
    # right, and one without a header that holds a value (column 5); column 6 is empty.
    rows = [[*HEADER, None, None, "备注"],
            ["王秀英", "13911112222", "1951-03-12", "良好", "x", None, "腿脚好"],
            ["李建国", None, "1950-07-01", "一般", None, None, None]]
    preview = upload(client, community, xlsx(rows))
    assert [c["index"] for c in preview.context["columns"]] == [0, 1, 2, 3, 4, 6]
    assert [c["header"] for c in preview.context["columns"]] == [*HEADER, "", "备注"]
    assert preview.content.decode().count('name="col_') == 6


def test_the_import_pages_keep_the_staff_navigation(client, place):
    community, secretary = place
    client.force_login(secretary)
    pages = [client.get(reverse("member_import", args=[community.pk])),
             upload(client, community, xlsx([HEADER, ["王秀英", "13911112222", "1951-03-12", "良好"]]))]
    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        assert f'href="{reverse("dashboard")}"' in text and f'href="{reverse("member_list")}"' in text
