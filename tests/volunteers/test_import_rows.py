"""The 名册 import as a secretary's file really looks (issue 25): footer and nameless lines are skipped and listed,
two people of one name in the file are asked about, a year-and-month birth date keeps a stored exact date, and the
preview says old → new. Through the service and through the upload → preview → confirm pages."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from tests import factories
from volunteers.models import Member
from volunteers.services.import_apply import ImportRejected, member_import_apply
from volunteers.services.import_plan import member_import_plan

pytestmark = pytest.mark.django_db
HEADER = ["序号", "姓名", "手机", "出生年月", "健康"]


def xlsx(rows, title="幸福里社区志愿者名册") -> bytes:
    book = openpyxl.Workbook()
    book.active.append([title])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def place(db):
    community = factories.community(name="幸福里社区")
    return community, factories.secretary(community)


def test_footer_and_nameless_lines_are_skipped_with_their_row_numbers(place):
    community, secretary = place
    data = xlsx([HEADER, [1, "王秀英", "13911112222", "1951.03", "良好"], [2, "", "", "", ""],
                 [3, "李建国", "", "1950年7月", "一般"], ["填表人：王书记"], ["制表：李四", None, None, "2026.12"],
                 ["合计", None, None, None, "2人"]])
    plan = member_import_plan(user=secretary, community=community, data=data, filename="名册.xlsx")
    assert plan.ok, plan.errors
    assert [s.row for s in plan.skipped] == [4, 6, 7, 8]
    assert "填表人：王书记" in plan.skipped[1].message
    member_import_apply(user=secretary, community=community, data=data, filename="名册.xlsx",
                        expected_fingerprint=plan.fingerprint)
    assert sorted(Member.objects.values_list("name", flat=True)) == ["李建国", "王秀英"]


def test_two_people_of_one_name_in_the_file_are_asked_about(place):
    community, secretary = place
    data = xlsx([HEADER, [1, "王秀英", "13911112222", "1951.03", "良好"],
                 [2, "王秀英", "13800001111", "1948.05", "一般"]])
    plan = member_import_plan(user=secretary, community=community, data=data, filename="名册.xlsx")
    [asked] = [r for r in plan.rows if r.action == "ask"]
    assert asked.row == 4 and [n for n, _label in asked.same_name_rows] == [3]
    with pytest.raises(ImportRejected):
        member_import_apply(user=secretary, community=community, data=data, filename="名册.xlsx")
    assert not Member.objects.exists()
    member_import_apply(user=secretary, community=community, data=data, filename="名册.xlsx",
                        decisions={"4": "new"})
    assert Member.objects.filter(name="王秀英").count() == 2


def test_a_year_and_month_keeps_the_stored_date_and_another_month_changes_it(place):
    community, secretary = place
    yao = factories.member(community, name="姚国庆", birth_date=dt.date(1946, 12, 30))
    same = xlsx([HEADER, [1, "姚国庆", "", "1946.12", "良好"]])
    plan = member_import_plan(user=secretary, community=community, data=same, filename="名册.xlsx")
    assert [(r.action, r.member_id) for r in plan.rows] == [("unchanged", yao.pk)]
    assert not plan.notes
    member_import_apply(user=secretary, community=community, data=same, filename="名册.xlsx")
    yao.refresh_from_db()
    assert yao.birth_date == dt.date(1946, 12, 30)

    yao.phone = "+8613900000001"
    yao.save()
    moved = xlsx([HEADER, [1, "姚国庆", "139 0000 0001", "1946.11", "良好"]])
    plan = member_import_plan(user=secretary, community=community, data=moved, filename="名册.xlsx")
    [row] = plan.rows
    assert row.action == "update"
    assert row.details == ["出生日期：1946-12-30 → 1946-11-01"]
    member_import_apply(user=secretary, community=community, data=moved, filename="名册.xlsx")
    yao.refresh_from_db()
    assert yao.birth_date == dt.date(1946, 11, 1)


@pytest.mark.parametrize("cell", ["1951.03", "1951-3", "1951年3月", "1951/03"])
def test_the_birth_month_forms_are_accepted(place, cell):
    community, secretary = place
    plan = member_import_plan(user=secretary, community=community, filename="名册.xlsx",
                              data=xlsx([HEADER, [1, "王秀英", "", cell, "良好"]]))
    assert plan.ok and plan.rows[0].values["birth_date"] == dt.date(1951, 3, 1)


def test_the_preview_page_lists_skipped_lines_and_old_new(client, place):
    community, secretary = place
    factories.member(community, name="姚国庆", birth_date=dt.date(1946, 12, 30), phone="+8613900000001",
                     health="good")
    data = xlsx([HEADER, [1, "姚国庆", "13900000001", "1946.11", "一般"], ["填表人：王书记"]])
    client.force_login(secretary)
    file = io.BytesIO(data)
    file.name = "名册.xlsx"
    preview = client.post(reverse("member_import", args=[community.pk]), {"file": file}, follow=True)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "出生日期：1946-12-30 → 1946-11-01" in page and "健康：良好 → 一般" in page
    assert "填表人：王书记" in page
    assert [s.row for s in preview.context["skipped"]] == [4]
    done = client.post(reverse("member_import_confirm", args=[community.pk]), {}, follow=True)
    assert done.status_code == 200
    assert Member.objects.get(name="姚国庆").birth_date == dt.date(1946, 11, 1)


def test_the_preview_page_asks_about_two_namesakes_in_the_file(client, place):
    community, secretary = place
    data = xlsx([HEADER, [1, "王秀英", "13911112222", "1951.03", "良好"],
                 [2, "王秀英", "13800001111", "1948.05", "一般"]])
    client.force_login(secretary)
    file = io.BytesIO(data)
    file.name = "名册.xlsx"
    preview = client.post(reverse("member_import", args=[community.pk]), {"file": file}, follow=True)
    page = preview.content.decode()
    assert 'name="same_4"' in page
    refused = client.post(reverse("member_import_confirm", args=[community.pk]), {}, follow=True)
    assert refused.status_code == 409 and not Member.objects.exists()
    client.post(reverse("member_import_confirm", args=[community.pk]), {"same_4": "new"}, follow=True)
    assert Member.objects.filter(name="王秀英").count() == 2
