"""The ledger: sums by member, duty, month and year; fairness history from served minutes; the export."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shifts.delivered.attendance import attendance_set
from shifts.delivered.hours import community_ledger, hours_export, ledger_by_duty, member_hours
from shifts.rostering.load import history_minutes
from shifts.rostering.problem_docs import _history_minutes
from tests import factories as f

from .conftest import WEEK, aware, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(team):
    """Three recorded shifts for the leader across two months and two duties, plus one below 60%."""
    community, leader = team["community"], team["leader"]
    mediation = f.duty("mediation")
    april = f.shift(community, mediation, aware(dt.date(2026, 4, 7), 14), minutes=180, min_staff=1)
    later = f.shift(community, team["patrol"], aware(WEEK + dt.timedelta(days=2), 19), minutes=120, min_staff=1)
    publish((april, leader), (later, leader))
    attendance_set(shift=team["shift"], member=leader, check_in=aware(WEEK, 9), check_out=aware(WEEK, 11))
    attendance_set(shift=april, member=leader, check_in=aware(dt.date(2026, 4, 7), 14),
                   check_out=aware(dt.date(2026, 4, 7), 16, 30))  # 150 of 180
    attendance_set(shift=later, member=leader, check_in=aware(WEEK + dt.timedelta(days=2), 19),
                   check_out=aware(WEEK + dt.timedelta(days=2), 20))  # 60 of 120: not served
    attendance_set(shift=team["shift"], member=team["mate"], check_in=aware(WEEK, 9, 30), check_out=aware(WEEK, 11))
    return {**team, "april": april, "later": later, "mediation": mediation}


def test_member_hours_by_month_duty_and_year(served):
    hours = member_hours(served["leader"], year=2026)
    assert hours.total_minutes == hours.year_minutes == 120 + 150
    assert hours.by_month == [(3, 120), (4, 150)]
    assert sorted(hours.by_duty) == [("巡逻", 120, 1), ("调解", 150, 1)]
    assert member_hours(served["leader"], year=2025).year_minutes == 0


def test_community_ledger_and_duty_totals(served):
    rows = {r["member"].name: r for r in community_ledger(served["community"], 2026)}
    assert rows["王建国"]["months"][2:4] == [2.0, 2.5] and rows["王建国"]["year_hours"] == 4.5
    assert rows["李秀英"]["year_hours"] == 1.5
    assert ledger_by_duty(served["community"], 2026) == [("巡逻", 3.5, 2), ("调解", 2.5, 1)]


def test_history_uses_served_minutes_where_attendance_exists_and_planned_otherwise(served):
    third = served["third"]
    start, end = aware(WEEK, 0), aware(WEEK + dt.timedelta(days=7), 0)
    minutes = history_minutes([served["leader"].pk, served["mate"].pk, third.pk], start, end)
    # The leader: 120 served + 0 (the round below 60% counts nothing). The mate: 90 served.
    # The third member has no record on a shift whose attendance was taken: absent, 0.
    assert minutes == {served["leader"].pk: 120, served["mate"].pk: 90, third.pk: 0}
    unrecorded = f.shift(served["community"], served["patrol"], aware(WEEK + dt.timedelta(days=4), 9), minutes=105,
                         min_staff=1)
    publish((unrecorded, third))
    assert history_minutes([third.pk], start, end) == {third.pk: 105}  # nothing recorded: the plan counts
    # The solver's history (the four weeks before a week) takes the same figures, on the 15-minute grid.
    next_week = WEEK + dt.timedelta(days=7)
    assert _history_minutes([served["leader"].pk, third.pk], next_week) == {served["leader"].pk: 120,
                                                                           third.pk: 105}


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_writes_the_national_record_fields(served):
    served["leader"].volunteer_number = "31011520260001"
    served["leader"].save()
    content, content_type, filename = hours_export(communities=[served["community"]], start=dt.date(2026, 3, 1),
                                                   end=dt.date(2026, 4, 30), fmt="csv")
    rows = _rows(content)
    assert rows[0] == ["姓名", "志愿者编号", "服务日期", "开始时间", "结束时间", "服务时长（小时）", "服务内容",
                       "组织名称"]
    assert rows[1:] == [
        ["李秀英", "", "2026-03-02", "09:30", "11:00", "1.50", "巡逻（红袖章巡逻）", "幸福里"],
        ["王建国", "31011520260001", "2026-03-02", "09:00", "11:00", "2.00", "巡逻（红袖章巡逻）", "幸福里"],
        ["王建国", "31011520260001", "2026-04-07", "14:00", "16:30", "2.50", "调解", "幸福里"],
    ]
    assert content_type.startswith("text/csv") and filename.endswith(".csv")
    only_march = _rows(hours_export(communities=[served["community"]], start=dt.date(2026, 3, 1),
                                    end=dt.date(2026, 3, 31), fmt="csv")[0])
    assert len(only_march) == 3


def test_export_as_xlsx_uses_the_organisation_name_and_writes_no_formula(served):
    served["community"].organisation_name = "=幸福里社区志愿服务队"
    served["community"].save()
    content, _type, _name = hours_export(communities=[served["community"]], start=dt.date(2026, 1, 1),
                                         end=dt.date(2026, 12, 31), fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = list(sheet.values)
    assert values[2][0] == "王建国" and values[2][7] == "=幸福里社区志愿服务队" and len(values) == 4
    assert sheet.cell(row=3, column=8).data_type == "s"  # text, never a formula


def test_the_command_exports_and_names_bad_options(served, tmp_path, capsysbinary):
    call_command("hours", "export", "--community", "幸福里", "--from", "2026-03-01", "--to", "2026-03-31")
    assert len(_rows(capsysbinary.readouterr().out)) == 3
    out = tmp_path / "hours.xlsx"
    call_command("hours", "export", "--district", "示范街道", "--from", "2026-01-01", "--to", "2026-12-31",
                 "--format", "xlsx", "--output", str(out))
    assert len(list(openpyxl.load_workbook(out).active.values)) == 4
    with pytest.raises(CommandError, match="--from"):
        call_command("hours", "export", "--community", "幸福里", "--from", "2026-02-30", "--to", "2026-03-31")
    with pytest.raises(CommandError, match="--end"):
        call_command("hours", "export", "--community", "幸福里", "--from", "2026-03-31", "--to", "2026-03-01")
    with pytest.raises(CommandError, match="--community"):
        call_command("hours", "export", "--community", "无此社区", "--from", "2026-03-01", "--to", "2026-03-31")


def test_ledger_page_and_web_export(client, served):
    client.force_login(served["secretary"])
    page = client.get(reverse("hours_ledger", args=[served["community"].pk]) + "?year=2026").content.decode()
    assert "王建国" in page and "4.5" in page
    url = reverse("hours_export", args=[served["community"].pk])
    response = client.get(url, {"from": "2026-03-01", "to": "2026-04-30", "format": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert len(_rows(response.content)) == 4
    assert client.get(url, {"from": "2026-04-30", "to": "2026-03-01", "format": "csv"}).status_code == 400
    assert client.get(url, {"from": "x", "to": "2026-03-01"}).status_code == 400
    client.force_login(f.secretary(f.community()))
    assert client.get(url, {"from": "2026-03-01", "to": "2026-04-30"}).status_code == 404



def test_fairness_page_shows_served_minutes_where_attendance_was_taken(client, team):
    from django.utils import timezone

    from shifts.weeks import week_start_of

    monday = week_start_of(timezone.localdate())
    taken = f.shift(team["community"], team["patrol"], aware(monday, 9), minutes=120, min_staff=3)
    planned = f.shift(team["community"], team["patrol"], aware(monday, 15), minutes=60, min_staff=1)
    publish((taken, team["leader"]), (taken, team["mate"]), (taken, team["third"]), (planned, team["third"]))
    attendance_set(shift=taken, member=team["leader"], check_in=aware(monday, 9), check_out=aware(monday, 11))
    attendance_set(shift=taken, member=team["mate"], check_in=aware(monday, 10), check_out=aware(monday, 11))
    client.force_login(team["secretary"])
    response = client.get(reverse("fairness", args=[team["community"].pk]))
    loads = {load.member.name: load.by_week[-1] for load in response.context["loads"]}
    # Served 120; present 60 of 120 (below 60%) counts 0; not noted on a shift whose attendance was taken: 0,
    # plus 60 planned minutes on a shift without any attendance yet.
    assert (loads["王建国"], loads["李秀英"], loads["张志强"]) == (120, 0, 60)
