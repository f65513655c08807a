"""The secretary corrects a member's name, phone and birth date on the member page (issue 25), and reads 操作记录."""

import datetime as dt

import pytest
from django.urls import reverse

from shifts.models import Notification
from tests import factories
from volunteers.models import AuditEntry, MemberProxy
from volunteers.services.audit import audit_log
from volunteers.services.members import member_update_identity, member_update_profile
from volunteers.signals import availability_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    community = factories.community(name="幸福里社区")
    other = factories.community(name="和平社区")
    yao = factories.member(community, name="姚国庆", phone="+8613900000001", birth_date=dt.date(1946, 12, 30))
    stranger = factories.member(other, name="外人甲", birth_date=dt.date(1950, 1, 2))
    secretary = factories.secretary(community, username="sec")
    return community, other, yao, stranger, secretary


def _post(client, member, **fields):
    data = {"who-name": member.name, "who-phone": "139 0000 0001", "who-birth_date": member.birth_date.isoformat()}
    data.update({f"who-{k}": v for k, v in fields.items()})
    return client.post(reverse("member_identity", args=[member.pk]), data)


def test_the_member_page_shows_the_phone_and_the_editor(client, people):
    _community, _other, yao, _stranger, secretary = people
    client.force_login(secretary)
    page = client.get(reverse("member_edit", args=[yao.pk])).content.decode()
    assert "139 0000 0001" in page
    assert 'name="who-phone"' in page and 'value="139 0000 0001"' in page
    assert 'id="id_who-birth_date"' in page


def test_phone_change_is_stored_e164_audited_and_codes_go_to_the_new_number(client, people, settings,
                                                                           django_capture_on_commit_callbacks):
    settings.SMS_PROVIDER = "outbox"
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]
    _community, _other, yao, _stranger, secretary = people
    client.force_login(secretary)
    response = _post(client, yao, phone="138 0013 8000")
    assert response.status_code == 302
    yao.refresh_from_db()
    assert yao.phone.as_e164 == "+8613800138000"
    entry = AuditEntry.objects.get(action="volunteers.member.profile_changed")
    assert entry.data["changes"] == {"phone": ["+8613900000001", "+8613800138000"]}
    assert entry.actor == secretary
    assert "138 0013 8000" in client.get(reverse("member_edit", args=[yao.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the code is sent by the queue after the request
        client.post(reverse("member_login_link_issue", args=[yao.pk]), {"send": "sms"})
    sent = Notification.objects.filter(member=yao, kind="login_code").get()
    assert sent.address == "+8613800138000"


def test_a_bad_phone_is_refused_on_its_field(client, people):
    _community, _other, yao, _stranger, secretary = people
    client.force_login(secretary)
    response = _post(client, yao, phone="12345")
    assert response.status_code == 400
    assert "who-phone" in response.content.decode()
    yao.refresh_from_db()
    assert yao.phone.as_e164 == "+8613900000001"
    assert not AuditEntry.objects.filter(action="volunteers.member.profile_changed").exists()


def test_a_birth_date_change_announces_the_age_rules(client, people, django_capture_on_commit_callbacks):
    _community, _other, yao, _stranger, secretary = people
    heard = []

    def listener(sender, member_id, reason="", **kwargs):
        heard.append((member_id, reason))

    availability_changed.connect(listener, dispatch_uid="test-identity-listener")
    try:
        client.force_login(secretary)
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(client, yao, birth_date="1946-11-01").status_code == 302
    finally:
        availability_changed.disconnect(dispatch_uid="test-identity-listener")
    yao.refresh_from_db()
    assert yao.birth_date == dt.date(1946, 11, 1)
    assert (yao.pk, "profile") in heard


def test_a_rename_to_a_namesake_asks_first(client, people):
    community, _other, yao, _stranger, secretary = people
    factories.member(community, name="王秀英", birth_date=dt.date(1951, 3, 1))
    client.force_login(secretary)
    response = _post(client, yao, name="王秀英")
    assert response.status_code == 400
    page = response.content.decode()
    assert "王秀英" in page and 'name="who-different_person"' in page
    yao.refresh_from_db()
    assert yao.name == "姚国庆"
    assert _post(client, yao, name="王秀英", different_person="on").status_code == 302
    yao.refresh_from_db()
    assert yao.name == "王秀英"


def test_another_communitys_secretary_cannot_edit(client, people):
    _community, other, yao, _stranger, _secretary = people
    client.force_login(factories.secretary(other))
    assert _post(client, yao, name="改名").status_code == 404


def test_my_details_says_whom_to_ask(client, people):
    community, _other, yao, _stranger, secretary = people
    profile = secretary.staff_profile
    profile.phone = "+8613700000000"
    profile.save()
    client.force_login(factories.member_login(yao))
    page = client.get(reverse("my_data")).content.decode()
    assert "137 0000 0000" in page and 'href="tel:+8613700000000"' in page


# --------------------------------------------------------------------------- 操作记录

def test_audit_page_secretary_reads_readable_labels_and_old_new(client, people):
    _community, other, yao, stranger, secretary = people
    member_update_identity(member=yao, by=secretary, name="姚国庆", phone="+8613900000001",
                           birth_date=dt.date(1946, 11, 1))
    audit_log(action="volunteers.member.profile_changed", actor=None, community=other, obj=stranger,
              data={"fields": ["name"]})
    client.force_login(secretary)
    page = client.get(reverse("audit_log")).content.decode()
    assert "1946-12-30 → 1946-11-01" in page
    assert "外人甲" not in page and "和平社区" not in page
    assert reverse("audit_log") in page  # the staff menu links it


def test_audit_page_shows_a_relative_acting_for_the_member(client, people):
    _community, _other, yao, _stranger, secretary = people
    relative_login = factories.user("relative")
    proxy = MemberProxy(member=yao, name="王小明", phone="+8613600000000", user=relative_login,
                        consent_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    proxy.save()
    audit_log(action="volunteers.proxy.acted", actor=relative_login, community=yao.community, obj=yao,
              data={"path": "/accounts/me/"})
    client.force_login(secretary)
    page = client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "王小明（代 姚国庆）" in page


def test_audit_page_hides_health_values_and_reasons_from_the_district(client, people):
    _community, _other, yao, _stranger, secretary = people
    member_update_profile(member=yao, by=secretary, health="frail")
    audit_log(action="shifts.assignment.removed", actor=secretary, community=yao.community, obj=yao,
              reason="腿伤住院")
    district = factories.district_admin()
    client.force_login(district)
    page = client.get(reverse("audit_log")).content.decode()
    assert "姚国庆" in page
    assert "→" not in page and "腿伤住院" not in page
    client.force_login(secretary)
    page = client.get(reverse("audit_log")).content.decode()
    assert "→" in page and "腿伤住院" in page


def test_audit_page_filters_and_a_bad_date_names_the_field(client, people):
    _community, _other, yao, _stranger, secretary = people
    other_member = factories.member(yao.community, name="李四")
    member_update_profile(member=yao, by=secretary, volunteer_number="A1")
    member_update_profile(member=other_member, by=secretary, volunteer_number="B2")
    client.force_login(secretary)
    page = client.get(reverse("audit_log"), {"member": "李四"}).content.decode()
    assert "B2" in page and "A1" not in page
    page = client.get(reverse("audit_log"), {"action": "volunteers.caregiving.added"}).content.decode()
    assert "B2" not in page
    response = client.get(reverse("audit_log"), {"date_from": "2026-13-45"})
    assert response.status_code == 400
    assert 'href="#id_date_from"' in response.content.decode() or "id_date_from" in response.content.decode()


def test_audit_page_is_paginated(client, people):
    _community, _other, yao, _stranger, secretary = people
    AuditEntry.objects.bulk_create([AuditEntry(action="volunteers.member.sensitive_viewed", community=yao.community,
                                               object_type="volunteers.member", object_id=str(yao.pk))
                                    for _ in range(120)])
    client.force_login(secretary)
    page = client.get(reverse("audit_log"), {"page": "3"}).content.decode()
    assert 'rel="prev"' in page and 'rel="next"' not in page
