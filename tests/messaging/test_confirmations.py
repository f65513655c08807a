"""Confirmations after a publish: one tap in the app, the signed single-use link, text replies, expiry,
the reminder and the secretary's lists; notices on My shifts."""

import datetime as dt
import hashlib
import hmac
import json
import re
import time

import pytest
from django.urls import reverse

from shifts.models import MemberNotice, Notification, OutboxMessage, Roster, SolveRun, WeekConfirmation
from shifts.rostering.confirmations import confirmations_overdue, confirmations_remind, confirmations_request
from tests import factories
from tests.site_week import build_site
from volunteers.models import Unavailability

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(week_start, outbox_sms, settings):
    settings.SMS_CALLBACK_SECRET = "callback-secret"
    site = build_site(week_start)
    for i, member in enumerate(site.members):
        member.phone = f"1380000000{i}"
        member.save()
    return site


@pytest.fixture
def published(site):
    pairs = [(shift, site.members[i % 3]) for i, shift in enumerate(site.shifts)]
    roster = site.roster(Roster.Status.PUBLISHED, pairs)
    confirmations_request(roster=roster)
    return roster


def _link(member) -> str:
    text = OutboxMessage.objects.filter(notification__member=member,
                                        notification__kind="confirm_request").latest("pk").text
    return re.search(r"http://\S+/c/\S+/", text).group(0)


def _path(link: str) -> str:
    return link.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in link else link[link.index("/c/"):]


def test_publish_asks_each_member_once_by_text_and_notice(site, published):
    asked = WeekConfirmation.objects.filter(week_start=site.week_start)
    assert asked.count() == 3 and set(asked.values_list("state", flat=True)) == {"pending"}
    assert Notification.objects.filter(kind="confirm_request", status="sent", channel="sms").count() == 3
    assert MemberNotice.objects.filter(kind="confirm", member=site.members[0]).count() == 1
    assert confirmations_request(roster=published) == 0  # idempotent


def test_one_tap_in_the_app_confirms_and_reads_the_notice(site, published, client):
    member = site.members[0]
    client.force_login(factories.member_login(member))
    page = client.get(reverse("my_shifts")).content.decode()
    assert 'name="answer" value="yes"' in page
    confirmation = WeekConfirmation.objects.get(member=member)
    client.post(reverse("confirm_week", args=[confirmation.pk]), {"answer": "yes"})
    confirmation.refresh_from_db()
    assert confirmation.state == "confirmed" and confirmation.via == "app"
    assert not MemberNotice.objects.filter(member=member, read_at__isnull=True, kind="confirm").exists()
    other = WeekConfirmation.objects.get(member=site.members[1])
    assert client.post(reverse("confirm_week", args=[other.pk]), {"answer": "yes"}).status_code == 404


def test_the_link_needs_no_login_and_works_once(site, published, client):
    member = site.members[0]
    path = _path(_link(member))
    assert client.get(path).status_code == 200  # a link preview does not answer
    assert WeekConfirmation.objects.get(member=member).state == "pending"
    done = client.post(path, {"answer": "yes"})
    assert done.status_code == 200 and WeekConfirmation.objects.get(member=member).state == "confirmed"
    assert client.post(path + "no/", {"reason": "illness"}).status_code == 404
    assert WeekConfirmation.objects.get(member=member).state == "confirmed"
    forged = path[:-3] + ("A" if path[-2] != "A" else "B") + "/"
    assert client.get(forged).status_code == 404


def test_single_use_link_after_an_in_app_decline_does_not_confirm(site, published, client):
    """She said no in the app; the link in the text message, pressed later with yes, must not mark the week
    confirmed while she is off all of it. The same no again, by any way, writes no second absence."""
    member = site.members[0]
    path = _path(_link(member))
    client.force_login(factories.member_login(member))
    confirmation = WeekConfirmation.objects.get(member=member)
    for _ in range(2):
        assert client.post(reverse("confirm_decline", args=[confirmation.pk]),
                           {"reason": "illness"}).status_code == 302
    assert client.post(reverse("confirm_week", args=[confirmation.pk]), {"answer": "yes"}).status_code == 302
    client.logout()
    refused = client.post(path, {"answer": "yes"})
    assert refused.status_code == 409
    assert WeekConfirmation.objects.get(member=member).state == "declined"
    held = published.assignments.filter(member=member)
    assert all(Unavailability.objects.filter(member=member, start__lte=a.shift.start, end__gte=a.shift.end).count()
               == 1 for a in held)


def test_declining_by_link_is_i_cant_come_and_starts_the_re_plan(site, published, client,
                                                                  django_capture_on_commit_callbacks):
    member = site.members[1]
    held = published.assignments.filter(member=member).count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_path(_link(member)) + "no/", {"reason": "illness"})
    assert WeekConfirmation.objects.get(member=member).state == "declined"
    assert Unavailability.objects.filter(member=member).count() == held
    assert Notification.objects.filter(member=member, kind="absence_recorded").exists()
    assert SolveRun.objects.filter(community=site.community, week_start=site.week_start).exists()


def test_the_link_expires_when_the_shifts_begin(site, published, client):
    member = site.members[0]
    path = _path(_link(member))
    WeekConfirmation.objects.filter(member=member).update(first_start=published.assignments.first().shift.start
                                                          - dt.timedelta(days=30))
    assert client.get(path).status_code == 404 and client.post(path, {"answer": "yes"}).status_code == 404


def test_one_reminder_48_hours_before_then_the_dashboard_list(site, published, client):
    confirmation = WeekConfirmation.objects.get(member=site.members[0])
    early = confirmation.first_start - dt.timedelta(hours=50)
    assert confirmations_remind(now=early) == 0
    soon = confirmation.first_start - dt.timedelta(hours=47)
    reminded = confirmations_remind(now=soon)
    assert reminded >= 1 and confirmations_remind(now=soon) == 0
    assert Notification.objects.filter(kind="confirm_reminder", member=site.members[0]).count() == 1
    overdue = confirmations_overdue(community_ids=[site.community.pk], now=soon)
    assert site.members[0] in [c.member for c in overdue]
    WeekConfirmation.objects.filter(pk=confirmation.pk).update(state="confirmed")
    assert site.members[0] not in [c.member for c in confirmations_overdue(community_ids=[site.community.pk],
                                                                            now=soon)]


def _signed(payload, secret="callback-secret", stamp=None) -> tuple[bytes, dict]:
    """A callback as the relay sends it: the timestamp and the body signed together."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(time.time()) if stamp is None else stamp)
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"HTTP_X_YURE_SIGNATURE": signature, "HTTP_X_YURE_TIMESTAMP": stamp}


def _signed_post(client, name, payload, secret="callback-secret", stamp=None):
    body, headers = _signed(payload, secret, stamp)
    return client.post(reverse(name), body, content_type="application/json", **headers)


def _request_id(member, week_start=None) -> str:
    """The provider's id of the confirmation request texted to the member (for that week)."""
    sent = Notification.objects.filter(member=member, kind="confirm_request", channel="sms")
    if week_start is not None:
        sent = sent.filter(dedupe_key__in=[f"confirm:{c.pk}:v{c.roster_version}" for c in
                                           WeekConfirmation.objects.filter(member=member, week_start=week_start)])
    return sent.latest("pk").provider_message_id


def _reply(member, text, msgid, **extra) -> dict:
    return {"msgid": msgid, "reply_to": _request_id(member), "mobile": str(member.phone.national_number),
            "nationcode": "86", "text": text, "sign": "余热志愿", **extra}


def test_text_replies_confirm_or_decline_with_a_verified_signature(site, published, client):
    first, second = site.members[0], site.members[1]
    reply = _reply(first, "1", "up-1")
    assert _signed_post(client, "sms_reply_webhook", reply, secret="wrong").status_code == 403
    assert WeekConfirmation.objects.get(member=first).state == "pending"
    assert _signed_post(client, "sms_reply_webhook", reply).json()["handled"] == 1
    assert WeekConfirmation.objects.get(member=first).state == "confirmed"
    full_width_two = _reply(second, "２", "up-2")
    assert _signed_post(client, "sms_reply_webhook", [full_width_two]).json()["handled"] == 1
    assert WeekConfirmation.objects.get(member=second).state == "declined"
    assert Unavailability.objects.filter(member=second).exists()
    unknown = {**_reply(site.members[2], "1", "up-3"), "mobile": "13900000000"}
    assert _signed_post(client, "sms_reply_webhook", unknown).json()["handled"] == 0
    assert WeekConfirmation.objects.get(member=site.members[2]).state == "pending"


@pytest.fixture
def two_weeks(site, published):
    """The first member is asked about a second week too."""
    from shifts.rostering.week_making import shifts_make_for_week

    later = site.week_start + dt.timedelta(days=7)
    shifts_make_for_week(community=site.community, week_start=later)
    shift = site.community.shifts.filter(start__date__gte=later).order_by("start").first()
    roster = factories.published_roster(site.community, later, {shift: [site.members[0]]}, by=site.secretary,
                                        override_reason="set up by a test", messages=False)
    confirmations_request(roster=roster)
    return site.week_start, later


def test_replay_of_a_signed_reply_answers_nothing_more(site, two_weeks, client):
    """One captured "1" confirmed three weeks: now it answers its own message once, and a replay does nothing."""
    member = site.members[0]
    first, later = two_weeks
    reply = {**_reply(member, "2", "up-7"), "reply_to": _request_id(member, first)}
    assert _signed_post(client, "sms_reply_webhook", reply).json()["handled"] == 1
    absences = Unavailability.objects.filter(member=member).count()
    for _ in range(3):
        assert _signed_post(client, "sms_reply_webhook", reply).json()["handled"] == 0
    assert WeekConfirmation.objects.get(member=member, week_start=first).state == "declined"
    assert WeekConfirmation.objects.get(member=member, week_start=later).state == "pending"
    assert Unavailability.objects.filter(member=member).count() == absences


def test_replay_a_reply_answers_the_week_of_the_message_it_replies_to(site, two_weeks, client):
    member = site.members[0]
    first, later = two_weeks
    reply = {**_reply(member, "1", "up-8"), "reply_to": _request_id(member, later)}
    assert _signed_post(client, "sms_reply_webhook", reply).json()["handled"] == 1
    assert WeekConfirmation.objects.get(member=member, week_start=later).state == "confirmed"
    assert WeekConfirmation.objects.get(member=member, week_start=first).state == "pending"
    # Without the message it replies to, a reply answers no week at all.
    bare = {k: v for k, v in _reply(member, "1", "up-9").items() if k != "reply_to"}
    assert _signed_post(client, "sms_reply_webhook", bare).json()["handled"] == 0
    assert WeekConfirmation.objects.get(member=member, week_start=first).state == "pending"


def test_replay_from_another_number_or_of_an_old_question_is_refused(site, published, client):
    member, other = site.members[0], site.members[1]
    stolen = {**_reply(member, "2", "up-10"), "mobile": str(other.phone.national_number)}
    assert _signed_post(client, "sms_reply_webhook", stolen).json()["handled"] == 0
    old = _request_id(member)
    WeekConfirmation.objects.filter(member=member).update(roster_version=2)  # asked again since
    assert _signed_post(client, "sms_reply_webhook", {**_reply(member, "1", "up-11"), "reply_to": old}
                        ).json()["handled"] == 0
    assert WeekConfirmation.objects.get(member=member).state == "pending"


def test_replay_older_than_ten_minutes_or_with_a_changed_timestamp_is_refused(site, published, client):
    member = site.members[0]
    reply = _reply(member, "1", "up-12")
    stale = _signed_post(client, "sms_reply_webhook", reply, stamp=int(time.time()) - 601)
    assert stale.status_code == 403
    # A minute beyond the window, not a second: under load the request may reach the check a second or more later,
    # which brings a stamp from the future back inside it (CI saw 200 with +601 on a busy machine).
    ahead = _signed_post(client, "sms_reply_webhook", reply, stamp=int(time.time()) + 660)
    assert ahead.status_code == 403
    body, headers = _signed(reply, stamp=int(time.time()) - 601)
    headers["HTTP_X_YURE_TIMESTAMP"] = str(int(time.time()))  # freshened by whoever captured it
    assert client.post(reverse("sms_reply_webhook"), body, content_type="application/json",
                       **headers).status_code == 403
    unsigned_time = {"HTTP_X_YURE_SIGNATURE": hmac.new(b"callback-secret", body, hashlib.sha256).hexdigest()}
    assert client.post(reverse("sms_reply_webhook"), body, content_type="application/json",
                       **unsigned_time).status_code == 403  # the old format, body only
    assert WeekConfirmation.objects.get(member=member).state == "pending"
    assert _signed_post(client, "sms_reply_webhook", reply).json()["handled"] == 1


@pytest.mark.parametrize("raw,status", [
    (b"[" * 20_000 + b"]" * 20_000, 400),                         # RecursionError before
    (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, 400),
    (b'[{"msgid": "x", "text": {"nested": ["deep"]}}]', 400),
    (b"[" + b'{"msgid": "x"},' * 200 + b"{}]", 400),            # too many items
    (b'"just a string"', 400),
    (b"\xff\xfe", 400),
    (json.dumps([{"text": "1" * 70_000}]).encode(), 413),
])
def test_no_500_on_oversized_or_deeply_nested_callbacks(site, client, raw, status):
    for name in ("sms_reply_webhook", "sms_status_webhook"):
        body, headers = _signed(raw)
        response = client.post(reverse(name), body, content_type="application/json", **headers)
        assert response.status_code == status, (name, response.status_code)


def test_delivery_reports_update_the_notification(site, published, client):
    note = Notification.objects.filter(kind="confirm_request").first()
    report = [{"sid": note.provider_message_id, "report_status": "SUCCESS", "mobile": "13800000000"}]
    assert _signed_post(client, "sms_status_webhook", report).json()["updated"] == 1
    note.refresh_from_db()
    assert note.delivery_status == "delivered" and note.delivered_at is not None
    assert client.post(reverse("sms_status_webhook"), "[]", content_type="application/json").status_code == 403


def test_a_notice_is_read_once_opened(site, published, client):
    member = site.members[0]
    notice = MemberNotice.objects.get(member=member)
    client.force_login(factories.member_login(member))
    opened = client.get(reverse("notice_open", args=[notice.pk]))
    assert opened.status_code == 302 and opened.url.endswith("#confirm")
    notice.refresh_from_db()
    assert notice.read_at is not None
    client.force_login(factories.member_login(site.members[1]))
    assert client.get(reverse("notice_open", args=[notice.pk])).status_code == 404


def test_dashboard_lists_members_no_channel_reaches_with_phone(site, published, client, settings):
    nobody = site.members[5]
    nobody.phone = ""
    nobody.save()
    failed = site.members[4]
    Notification.objects.create(dedupe_key="x", kind="shift_reminder", member=failed, subject="s", body="b",
                                status="failed", error="IncorrectPhoneNumber", channel="sms")
    client.force_login(site.secretary)
    page = client.get(reverse("dashboard")).content.decode()
    section = page[page.index('id="unreachable"'):]
    assert nobody.name in section and failed.name in section and "138 0000 0004" in section
    assert site.members[0].name not in section.split("</section>")[0]


def test_confirmation_links_are_redacted_from_logs(site, published):
    from scheduler_site.logging import redact
    path = _path(_link(site.members[0]))
    assert redact(f'"POST {path} HTTP/1.1" 200') == '"POST /c/[redacted]/ HTTP/1.1" 200'
    assert redact("/communities/1/weeks/2026-11-30/") == "/communities/1/weeks/2026-11-30/"
