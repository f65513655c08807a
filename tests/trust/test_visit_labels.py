"""A home visit's household ("探访谢家（和平街1号）") reaches only its visitor and the community's staff; printouts,
roster exports, other members' swap pages and swap messages say 入户探访 (issue 16). Roster exports never
write a live formula (one spreadsheet writer with the member export's guard)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from shifts.models import Assignment, Notification
from shifts.swaps.requests import swap_request_create
from tests import factories

pytestmark = pytest.mark.django_db

HOUSEHOLD = "探访谢家（和平街1号）"


@pytest.fixture
def visit(world, week_start):
    a = world.a
    target = factories.visit_target(a.community, household="谢家", address="和平街1号")
    shift = factories.shift(a.community, factories.duty("visiting"),
                            dt.datetime.combine(week_start + dt.timedelta(days=1), dt.time(10)), 60,
                            min_staff=1, max_staff=1, visit_target=target, name=HOUSEHOLD)
    assignment = Assignment.objects.create(roster=a.roster, shift=shift, member=a.member)
    Assignment.objects.create(roster=a.draft, shift=shift, member=a.member)
    neighbour = factories.member(a.community, name="A邻居丙")
    return dict(shift=shift, assignment=assignment, neighbour=neighbour,
                neighbour_user=factories.member_login(neighbour))


def _export_text(response, fmt) -> str:
    if fmt == "csv":
        return response.content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return "\n".join(",".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))


def test_printouts_and_roster_exports_call_a_visit_home_visit(client, world, week_start, visit):
    client.force_login(world.a.secretary)
    week = week_start.isoformat()
    urls = [reverse("print_week", args=[world.a.community.pk, week]) + "?members=1",
            reverse("print_member", args=[world.a.member.pk, week])]
    for url in urls:
        page = client.get(url).content.decode()
        assert "谢家" not in page and "和平街" not in page, url
        assert "入户探访" in page, url
    for fmt in ("csv", "xlsx"):
        for show in ("draft", "published"):
            response = client.get(reverse("export_week", args=[world.a.community.pk, week, fmt]) + f"?show={show}")
            text = _export_text(response, fmt)
            assert "谢家" not in text and "和平街" not in text and "入户探访" in text


def test_swap_pages_and_messages_show_the_household_only_to_its_visitor(client, world, visit,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        swap_request_create(requester=world.a.member, kind="give_away", assignment=visit["assignment"])
    offered = Notification.objects.filter(member=visit["neighbour"])
    assert offered.exists()
    for message in Notification.objects.exclude(member=world.a.member):
        assert "谢家" not in message.body + message.subject and "和平街" not in message.body
    client.force_login(visit["neighbour_user"])
    page = client.get(reverse("swap_home")).content.decode()
    assert "入户探访" in page and "谢家" not in page
    client.force_login(world.a.member_user)
    assert "谢家" in client.get(reverse("swap_home")).content.decode()
    client.force_login(world.a.secretary)
    assert "谢家" in client.get(reverse("swap_inbox")).content.decode()
    client.force_login(world.admin)  # a district administrator not assigned to the community
    page = client.get(reverse("swap_inbox")).content.decode()
    assert "谢家" not in page and "入户探访" in page


def test_roster_exports_never_write_live_formulas(client, world, week_start):
    a = world.a
    shift = factories.shift(a.community, a.duty, dt.datetime.combine(week_start + dt.timedelta(days=2),
                                                                     dt.time(14)),
                            name='=HYPERLINK("http://evil.example","点我")', location="+1+cmd|' /C calc'!A0")
    Assignment.objects.create(roster=a.draft, shift=shift, member=a.member)
    client.force_login(a.secretary)
    week = week_start.isoformat()
    rows = list(csv.reader(io.StringIO(client.get(reverse("export_week", args=[a.community.pk, week, "csv"]))
                                       .content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in cells and "'+1+cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("export_week", args=[a.community.pk, week, "xlsx"]))
                                             .content))
    sheet = book.worksheets[0]
    found = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)
             and cell.value.startswith(("=", "+"))]
    assert found and all(cell.data_type == "s" for cell in found)
