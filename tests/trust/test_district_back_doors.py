"""The district administrator's back doors to what only a community's own staff may see (issue 28): a member's
calendar link, the outbox's login codes, relatives with message forwarding, and the hours export's households."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shifts.delivered.attendance import attendance_set
from shifts.models import Notification, OutboxMessage
from tests import factories
from volunteers.models import MemberProxy
from volunteers.services.logins import login_token_issue
from volunteers.services.proxies import proxy_add

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- the member's calendar link

def test_district_admin_cannot_open_a_members_calendar_link(client, world):
    url = reverse("feeds:member", args=[world.b.member.pk])
    client.force_login(world.admin)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404  # nor reset it
    assert reverse("feeds:member", args=[world.b.member.pk]) not in client.get(
        reverse("member_edit", args=[world.b.member.pk])).content.decode()
    client.force_login(world.b.secretary)
    assert client.get(url).status_code == 200


def test_district_admin_assigned_to_the_community_opens_its_calendar_links(client, world):
    world.admin.staff_profile.communities.add(world.b.community)
    client.force_login(world.admin)
    assert client.get(reverse("feeds:member", args=[world.b.member.pk])).status_code == 200


# --------------------------------------------------------------------------- the outbox

def _login_code_sms(member, code: str) -> OutboxMessage:
    note = Notification.objects.create(dedupe_key=f"code:{member.pk}", kind="login_code", member=member,
                                       channel=Notification.Channel.SMS, subject="login", body=f"code {code}")
    return OutboxMessage.objects.create(notification=note, phone="+8613900000001", sign_name="余热志愿",
                                        template="T-LOGIN", params=[code, "https://yure.example/l/abc123"],
                                        text=f"您的登录码是{code}，或打开 https://yure.example/l/abc123")


def test_outbox_hides_login_codes_and_links_from_the_district_admin(client, world):
    _login_code_sms(world.b.member, "73519264")
    client.force_login(world.admin)
    page = client.get(reverse("sms_outbox")).content.decode()
    assert "B成员甲" in page  # who and when stay: the district sees that messages go out
    assert "73519264" not in page and "yure.example/l/abc123" not in page
    assert "+8613900000001" not in page


def test_outbox_shows_the_issuing_communitys_staff_the_whole_message(client, world):
    _login_code_sms(world.b.member, "73519264")
    for login in (world.b.secretary, world.admin):
        if login is world.admin:
            world.admin.staff_profile.communities.add(world.b.community)
        client.force_login(login)
        page = client.get(reverse("sms_outbox")).content.decode()
        assert "73519264" in page and "yure.example/l/abc123" in page and "+8613900000001" in page
    client.force_login(world.a.secretary)
    assert "B成员甲" not in client.get(reverse("sms_outbox")).content.decode()


# --------------------------------------------------------------------------- relatives

def test_district_admin_cannot_register_a_relative_with_message_forwarding(client, world):
    url = reverse("member_proxies", args=[world.b.member.pk])
    client.force_login(world.admin)
    assert client.get(url).status_code == 404
    response = client.post(url, {"name": "冒名", "phone": "13700000001", "relation": "child",
                                 "consent_note": "电话同意", "forward_messages": "on"})
    assert response.status_code == 404
    assert not MemberProxy.objects.exists()
    with pytest.raises(ValidationError) as refused:
        proxy_add(member=world.b.member, by=world.admin, name="冒名", phone="13700000001", relation="child",
                  consent_note="电话同意", forward_messages=True)
    assert "member" in refused.value.message_dict
    client.force_login(world.b.secretary)
    assert client.get(url).status_code == 200


def test_district_admin_cannot_issue_a_relatives_login(client, world):
    proxy = proxy_add(member=world.b.member, by=world.b.secretary, name="女儿", phone="13700000001",
                      relation="child", consent_note="电话同意", forward_messages=True)
    client.force_login(world.admin)
    assert client.post(reverse("member_proxy_login", args=[world.b.member.pk, proxy.pk])).status_code == 404
    assert client.post(reverse("member_proxy_revoke", args=[world.b.member.pk, proxy.pk])).status_code == 404
    with pytest.raises(ValidationError):
        login_token_issue(member=world.b.member, by=world.admin, proxy=proxy)


# --------------------------------------------------------------------------- the hours export

def _served_visit(side, week_start):
    visiting = factories.duty("visiting", name="探访", name_en="Home visit")
    start = timezone.make_aware(dt.datetime.combine(week_start - dt.timedelta(days=7), dt.time(10)))
    shift = factories.shift(side.community, visiting, start, 90, min_staff=1, max_staff=1, visit_target=side.target,
                            name="探访谢家（和平街1号）")
    attendance_set(shift=shift, member=side.member, check_in=start, check_out=start + dt.timedelta(minutes=90))
    return shift


def _export(client, community, week_start, fmt):
    day = week_start - dt.timedelta(days=14)
    response = client.get(reverse("hours_export", args=[community.pk]),
                          {"from": day.isoformat(), "to": week_start.isoformat(), "format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.values]


def test_hours_export_says_home_visit_not_the_household_for_secretaries_too(client, world, week_start):
    _served_visit(world.b, week_start)
    for login in (world.b.secretary, world.admin):
        client.force_login(login)
        for fmt in ("csv", "xlsx"):
            rows = _export(client, world.b.community, week_start, fmt)
            body = "\n".join(str(v) for row in rows for v in row)
            assert "谢家" not in body and "和平街" not in body and world.b.target.household not in body
            assert rows[1][6] == "入户探访"


def test_hours_export_writes_hours_as_numbers(client, world, week_start):
    _served_visit(world.b, week_start)
    client.force_login(world.b.secretary)
    rows = _export(client, world.b.community, week_start, "xlsx")
    assert rows[1][5] == 1.5 and isinstance(rows[1][5], float)
    assert _export(client, world.b.community, week_start, "csv")[1][5] == "1.50"


# --------------------------------------------------------------------------- the set-up pages

def _weekly_visit(side):
    return factories.template(side.community, factories.duty("visiting"), 4, name="探访B谢家",
                              location="B幸福里9号", visit_target=side.target, min_staff=1, max_staff=1)


def test_district_admin_set_up_pages_show_no_household_of_a_weekly_visit(client, world):
    template = _weekly_visit(world.b)
    client.force_login(world.admin)
    page = client.get(reverse("setup_community", args=[world.b.community.pk])).content.decode()
    assert "探访B谢家" not in page and "B幸福里9号" not in page and world.b.target.household not in page
    for name in ("setup_template_edit", "setup_template_delete"):
        assert client.get(reverse(name, args=[world.b.community.pk, template.pk])).status_code == 404
    assert "B幸福里9号" not in client.get(reverse("posters_print", args=[world.b.community.pk])).content.decode()
    client.force_login(world.b.secretary)
    page = client.get(reverse("setup_community", args=[world.b.community.pk])).content.decode()
    assert "探访B谢家" in page and "B幸福里9号" in page
    assert client.get(reverse("setup_template_edit", args=[world.b.community.pk, template.pk])).status_code == 200
