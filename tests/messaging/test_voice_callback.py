"""The key press comes back through a signed, fresh, single-use callback: anything else changes nothing (and is
audited), two identical callbacks at once have one effect, and on a confirmation call 1 confirms and 2 declines
the week as the member's tap does."""

import threading
import time

import pytest
from django.db import connection

from shifts.models import Notification, Roster, VoiceCallbackSeen, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from shifts.rostering.voice_answers import confirmation_answer_by_call
from tests.messaging import voice_setup
from tests.site_week import build_site
from volunteers.models import AuditEntry, Unavailability

answered, people, plain_live_server, standin = (voice_setup.answered, voice_setup.people,
                                                voice_setup.plain_live_server, voice_setup.standin)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def placed(standin, people):
    """A confirmation call placed and picked up, whose report the relay has not sent yet."""
    from shifts.messaging.labels import shift_line
    from shifts.messaging.notify import notify_member

    url, standin.callback_url = standin.callback_url, ""
    text = notify_member(member=people["members"][0], kind="confirm_request", dedupe_key="c1",
                         context={"week_start": people["week_start"], "link": "http://x/c/a/", "replies": False,
                                  "shifts": [shift_line(people["shift"])]})
    standin.callback_url = url
    call = Notification.objects.get(dedupe_key=f"{text.dedupe_key}:call")
    assert call.status == "sent" and call.delivery_status == "accepted"
    return call


def _report(call, digit="1"):
    return {"call_id": call.provider_message_id, "status": "answered", "digit": digit}


def _refusals():
    refused = AuditEntry.objects.filter(action="shifts.voice.callback_refused").order_by("pk")
    return list(refused.values_list("data__why", flat=True))


def _unchanged(call, answered):
    call.refresh_from_db()
    return call.delivery_status == "accepted" and call.call_digit == "" and answered == [] and \
        not VoiceCallbackSeen.objects.exists()


def test_unsigned_wrongly_signed_stale_and_tampered_reports_change_nothing(standin, placed, answered):
    report = _report(placed)
    assert standin.report(report, signature="") == 403
    assert standin.report(report, secret="not-the-secret") == 403
    assert standin.report(report, timestamp=int(time.time()) - 3600) == 403
    assert standin.report(report, timestamp=int(time.time()) + 3600) == 403
    assert standin.report(report, tampered={**report, "digit": "2"}) == 403
    assert standin.report({**report, "call_id": "no-such-call"}) == 404
    assert _unchanged(placed, answered)
    assert _refusals() == ["unsigned", "bad signature", "stale timestamp", "stale timestamp", "bad signature",
                           "unknown call"]


def test_without_a_configured_secret_every_report_is_refused(standin, placed, answered, settings):
    settings.VOICE_CALLBACK_SECRET = ""
    assert standin.report(_report(placed)) == 403
    assert _unchanged(placed, answered)


def test_a_replayed_report_changes_nothing(standin, placed, answered):
    assert standin.report(_report(placed)) == 200
    placed.refresh_from_db()
    assert placed.call_digit == "1" and answered == [(placed.pk, "confirm_request", "1", placed.member_id)]
    assert standin.report(_report(placed)) == 409  # the same report again, freshly signed
    assert standin.report(_report(placed, digit="2")) == 409  # or changed and signed again: the call id is spent
    placed.refresh_from_db()
    assert placed.call_digit == "1" and len(answered) == 1
    assert _refusals() == ["replayed", "replayed"]


def test_two_identical_reports_at_once_have_one_effect(standin, placed, answered):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (DATABASE_URL)")
    stamp = int(time.time())
    start = threading.Barrier(2)
    statuses = []

    def post():
        start.wait()
        statuses.append(standin.report(_report(placed), timestamp=stamp))
    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(statuses) == [200, 409]
    assert len(answered) == 1 and VoiceCallbackSeen.objects.count() == 1


@pytest.fixture
def week(standin, week_start):
    site = build_site(week_start)
    for i, member in enumerate(site.members[:3]):
        member.phone = f"1380000000{i + 1}"
        member.contact_channel = "voice"
        member.save()
    pairs = [(shift, site.members[i % 3]) for i, shift in enumerate(site.shifts)]

    def publish():  # publishing asks for the confirmations (by call, for these members)
        standin.hold = True
        roster = site.roster(Roster.Status.PUBLISHED, pairs)
        confirmations_request(roster=roster)
        standin.release()
        return roster
    return site, publish


def test_key_1_on_the_confirmation_call_confirms_the_week_once(standin, week):
    site, publish = week
    standin.answers["+8613800000001"] = "key1"
    publish()
    member = site.members[0]
    confirmation = WeekConfirmation.objects.get(member=member, week_start=site.week_start)
    assert confirmation.state == "confirmed" and confirmation.via == "voice"
    call = Notification.objects.get(member=member, kind="confirm_request", channel="voice")
    assert call.call_digit == "1" and standin.requests[0]["action"] == "IvrCall"
    first = confirmation.answered_at
    assert confirmation_answer_by_call(notification_id=call.pk, digit="1").answered_at == first  # pressed again
    confirmation.refresh_from_db()
    assert confirmation.state == "confirmed" and confirmation.answered_at == first
    others = WeekConfirmation.objects.filter(week_start=site.week_start).exclude(member=member)
    assert set(others.values_list("state", flat=True)) == {"pending"}  # their calls were answered without a key


def test_key_2_on_the_confirmation_call_is_i_cant_come(standin, week):
    site, publish = week
    standin.answers["+8613800000002"] = "key2"
    publish()
    member = site.members[1]
    confirmation = WeekConfirmation.objects.get(member=member, week_start=site.week_start)
    assert confirmation.state == "declined" and confirmation.via == "voice"
    held = sum(1 for i, _shift in enumerate(site.shifts) if i % 3 == 1)  # the week as published to them
    assert held > 0 and Unavailability.objects.filter(member=member).count() == held  # each shift: an absence
    call = Notification.objects.get(member=member, kind="confirm_request", channel="voice")
    assert confirmation_answer_by_call(notification_id=call.pk, digit="1") is None  # 1 after 2: refused
    confirmation.refresh_from_db()
    assert confirmation.state == "declined"
