"""A district administrator sees every community's rosters, but health, caregiving, absence reasons and
visit addresses only of the communities they are assigned to (issue 16)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from volunteers.models import AuditEntry, Unavailability

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_member_export_leaves_out_health_and_caregiving_for_an_unassigned_district_admin(client, world):
    client.force_login(world.admin)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("member_export", args=[world.b.community.pk, fmt]))
        assert response.status_code == 200
        if fmt == "csv":
            rows = _csv(response)
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
            rows = [[str(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
        assert "健康" not in rows[0] and "接送时间" not in rows[0]
        assert "姓名" in rows[0] and any("B成员甲" in row for row in rows)
        body = "\n".join(",".join(row) for row in rows)
        assert "07:00-08:30" not in body and "一般" not in body
    assert not AuditEntry.objects.filter(action="volunteers.member.sensitive_exported").exists()
    assert AuditEntry.objects.filter(action="volunteers.member.exported", actor=world.admin).count() == 2


def test_member_export_keeps_them_for_the_communitys_secretary_and_an_assigned_admin(client, world):
    world.admin.staff_profile.communities.add(world.b.community)
    for login in (world.b.secretary, world.admin):
        client.force_login(login)
        rows = _csv(client.get(reverse("member_export", args=[world.b.community.pk, "csv"])))
        assert "健康" in rows[0] and "接送时间" in rows[0]
        assert "07:00-08:30" in "\n".join(",".join(row) for row in rows)
