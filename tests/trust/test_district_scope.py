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


def _away(member, week_start, *, note="住院复查", reason=Unavailability.Reason.HOSPITAL):
    start = timezone.make_aware(dt.datetime.combine(week_start + dt.timedelta(days=2), dt.time(0)))
    return Unavailability.objects.create(member=member, start=start, end=start + dt.timedelta(days=1),
                                         reason=reason, note=note)


def test_member_page_hides_absence_reasons_and_notes_from_an_unassigned_district_admin(client, world, week_start):
    _away(world.b.mate, week_start)
    url = reverse("member_edit", args=[world.b.mate.pk])
    client.force_login(world.admin)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "住院复查" not in page and "(Hospital)" not in page and "· Hospital" not in page
    away_day = week_start + dt.timedelta(days=2)  # a whole day, said as a day (issue #25): "December 16"
    assert f"{away_day:%B} {away_day.day}" in page  # the dates stay: the roster needs them
    client.force_login(world.b.secretary)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "住院复查" in page and "(Hospital)" in page


def test_dashboard_and_week_hide_a_replans_reason_from_an_unassigned_district_admin(client, world, week_start):
    from shifts.models import Roster
    from shifts.rostering.views.common import this_monday

    monday = this_monday()
    for roster in (world.b.roster, world.b.draft):
        roster.week_start = monday
        roster.save(update_fields=["week_start"])
    Roster.objects.create(community=world.b.community, week_start=monday, status=Roster.Status.PROPOSAL,
                          reason="B队友乙: illness", based_on=world.b.roster)
    pages = [reverse("dashboard"), reverse("roster_week", args=[world.b.community.pk, monday.isoformat()])
             + "?show=proposal"]
    client.force_login(world.admin)
    for url in pages:
        page = client.get(url).content.decode()
        assert "illness" not in page, url
    client.force_login(world.b.secretary)
    for url in pages:
        assert "B队友乙: illness" in client.get(url).content.decode(), url


def test_can_do_duty_filter_does_not_reveal_health_to_an_unassigned_district_admin(client, world):
    from shifts.models import Duty

    Duty.objects.filter(code="patrol").update(min_health="good")  # world.b.mate is "limited"
    url = reverse("member_list") + f"?community={world.b.community.pk}&duty=patrol"
    client.force_login(world.admin)
    names = {m.name for m in client.get(url).context["page"].object_list}
    assert {"B成员甲", "B队友乙"} <= names
    client.force_login(world.b.secretary)
    names = {m.name for m in client.get(url).context["page"].object_list}
    assert "B成员甲" in names and "B队友乙" not in names


def test_login_links_are_issued_only_by_the_members_own_community_staff(client, world):
    from volunteers.models import MemberLoginToken

    url = reverse("member_login_link_issue", args=[world.b.member.pk])
    client.force_login(world.admin)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert "login-link" not in client.get(reverse("member_edit", args=[world.b.member.pk])).content.decode()
    assert not MemberLoginToken.objects.exists()
    client.force_login(world.b.secretary)
    assert client.post(url).status_code == 200
    assert MemberLoginToken.objects.filter(member=world.b.member).count() == 1


def test_login_link_service_refuses_staff_of_another_community(world):
    from django.core.exceptions import ValidationError

    from volunteers.services.logins import login_token_issue

    with pytest.raises(ValidationError):
        login_token_issue(member=world.b.member, by=world.admin)
    with pytest.raises(ValidationError):
        login_token_issue(member=world.b.member, by=world.a.secretary)


def _candidates(client, roster, shift):
    response = client.get(reverse("shift_candidates", args=[roster.pk, shift.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {c.member.name: c.reason_text for c in response.context["view"].ranked}, response.content.decode()


def test_who_can_take_it_hides_health_and_caregiving_reasons_of_guests_and_from_an_unassigned_admin(
        client, world, week_start):
    a = world.a
    guest = factories.member(world.b.community, name="B客串丙", extra=[a.community])
    factories.caregiving(guest, weekdays="mon", start=dt.time(9), end=dt.time(10), label="接送外孙")
    home = factories.member(a.community, name="A本社丁")
    factories.caregiving(home, weekdays="mon", start=dt.time(9), end=dt.time(10))
    frail = factories.member(world.b.community, name="B体弱戊", health="frail", extra=[a.community])
    from shifts.models import Duty
    Duty.objects.filter(code="patrol").update(min_health="limited")

    client.force_login(a.secretary)
    reasons, page = _candidates(client, a.draft, a.shift)
    assert reasons["A本社丁"] == "looks after family at that time"
    assert reasons["B客串丙"] == "not available" and reasons["B体弱戊"] == "not available"
    assert "health does not allow" not in page and "looks after family" in page
    # The add form's own error names the reason the same way.
    response = client.post(reverse("shift_add_member", args=[a.draft.pk, a.shift.pk]),
                           {"member": frail.pk, "override_reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "health" not in response.content.decode()

    client.force_login(world.admin)
    reasons, page = _candidates(client, a.draft, a.shift)
    assert reasons["A本社丁"] == reasons["B客串丙"] == reasons["B体弱戊"] == "not available"
    assert "looks after family" not in page and "health does not allow" not in page
