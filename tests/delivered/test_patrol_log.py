"""The patrol log: a team member writes, the secretary hands over and exports."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shifts.delivered.patrol import patrol_log, patrol_log_export, patrol_note_add, patrol_note_hand_over
from shifts.models import PatrolLogEntry
from tests import factories as f

from .conftest import WEEK, grid_now, publish

pytestmark = pytest.mark.django_db


def test_any_team_member_writes_a_tagged_note(team):
    entry = patrol_note_add(member=team["mate"], shift=team["shift"], note="3号楼楼道灯坏了",
                            tags=["repairs", "hazard"])
    assert entry.tags == ["hazard", "repairs"] and entry.community == team["community"]
    assert [str(label) for label in entry.tag_labels()] == ["Safety hazard", "Repairs needed"]


def test_notes_are_refused_from_outsiders_before_the_round_and_without_words_or_known_tags(team):
    with pytest.raises(ValidationError, match="not on this shift"):
        patrol_note_add(member=f.member(team["community"]), shift=team["shift"], note="x", tags=[])
    future = f.shift(team["community"], team["patrol"], grid_now() + dt.timedelta(days=1), min_staff=1)
    publish((future, team["mate"]))
    with pytest.raises(ValidationError, match="not started"):
        patrol_note_add(member=team["mate"], shift=future, note="x", tags=[])
    with pytest.raises(ValidationError) as err:
        patrol_note_add(member=team["mate"], shift=team["shift"], note="  ", tags=["graffiti"])
    assert set(err.value.message_dict) == {"note", "tags"}
    assert not PatrolLogEntry.objects.exists()


def test_secretary_hands_over_once_and_filters_by_tag(team):
    litter = patrol_note_add(member=team["mate"], shift=team["shift"], note="垃圾桶满了", tags=["litter"])
    hazard = patrol_note_add(member=team["leader"], shift=team["shift"], note="井盖松动", tags=["hazard"])
    patrol_note_hand_over(entry=hazard, by=team["secretary"])
    first = PatrolLogEntry.objects.get(pk=hazard.pk).handed_over_at
    patrol_note_hand_over(entry=hazard, by=team["secretary"])
    assert PatrolLogEntry.objects.get(pk=hazard.pk).handed_over_at == first
    assert patrol_log(team["community"], WEEK, WEEK, "litter") == [litter]
    assert len(patrol_log(team["community"], WEEK, WEEK)) == 2
    assert patrol_log(team["community"], WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=2)) == []


def test_export_as_csv_and_excel(team):
    entry = patrol_note_add(member=team["mate"], shift=team["shift"], note="=可疑车辆", tags=["suspicious"])
    patrol_note_hand_over(entry=entry, by=team["secretary"])
    content, _type, name = patrol_log_export(community=team["community"], start=WEEK, end=WEEK, fmt="csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["日期", "时间", "值班", "记录人", "标签", "情况", "已交网格员"],
                    ["2026-03-02", "09:00", "红袖章巡逻", "李秀英", "可疑人员", "'=可疑车辆", "是"]]
    content, _type, name = patrol_log_export(community=team["community"], start=WEEK, end=WEEK, fmt="xlsx")
    assert list(openpyxl.load_workbook(io.BytesIO(content)).active.values)[1][5] == "=可疑车辆"
    with pytest.raises(ValidationError):
        patrol_log_export(community=team["community"], start=WEEK, end=WEEK, fmt="pdf")


def test_pages_for_the_member_and_the_secretary(client, team):
    recent = f.shift(team["community"], team["patrol"], grid_now() - dt.timedelta(hours=2), min_staff=1,
                     name="晚巡")
    publish((recent, team["mate"]))
    client.force_login(f.member_login(team["mate"]))
    url = reverse("patrol_note_new")
    assert "晚巡" in client.get(url).content.decode()
    assert client.post(url, {"shift": recent.pk, "note": ""}).status_code == 400
    assert client.post(url, {"shift": team["shift"].pk, "note": "x"}).status_code == 400  # not offered
    assert client.post(url, {"shift": recent.pk, "note": "路灯不亮", "tags": ["repairs"]}).status_code == 302
    entry = PatrolLogEntry.objects.get()
    client.force_login(team["secretary"])
    day = recent.start.date().isoformat()
    page = client.get(reverse("patrol_log", args=[team["community"].pk]), {"from": day, "to": day})
    assert "路灯不亮" in page.content.decode()
    client.post(reverse("patrol_hand_over", args=[entry.pk]))
    assert PatrolLogEntry.objects.get().handed_over_at is not None
    export = client.get(reverse("patrol_log_export", args=[team["community"].pk, "csv"]), {"from": day, "to": day})
    assert export.status_code == 200 and "路灯不亮" in export.content.decode("utf-8-sig")
    client.force_login(f.secretary(f.community()))
    assert client.get(reverse("patrol_log", args=[team["community"].pk])).status_code == 404
    assert client.post(reverse("patrol_hand_over", args=[entry.pk])).status_code == 404
