"""Voice calls through the real Alibaba Cloud voice SDK against a stand-in on 127.0.0.1: every outcome, the
member's channel preference, quiet hours, the daily limit, one retry and the text message when every try failed.
The stand-in reports each call to the live server's signed callback, as the provider relay does."""

import datetime as dt
import json

import pytest
from django_q.models import Schedule

from shifts import tasks
from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member, notify_user
from shifts.models import Notification, OutboxMessage
from shifts.weeks import local_zone
from tests import factories as f
from tests.messaging import voice_setup

# The voice fixtures (tests/messaging/voice_setup.py), under this module's names.
answered, people, plain_live_server, standin = (voice_setup.answered, voice_setup.people,
                                                voice_setup.plain_live_server, voice_setup.standin)

pytestmark = pytest.mark.django_db(transaction=True)


def _reminder(people, member, key="r1"):
    return notify_member(member=member, kind="shift_reminder", dedupe_key=key,
                         context={"shift": shift_line(people["shift"])})


def _ask(people, member, key="c1"):
    return notify_member(member=member, kind="confirm_request", dedupe_key=key,
                         context={"week_start": people["week_start"], "link": "http://x/c/abc/", "replies": False,
                                  "shifts": [shift_line(people["shift"])]})


def _call(text: Notification) -> Notification:
    return Notification.objects.get(dedupe_key=f"{text.dedupe_key}:call")


def _retry(standin, call):
    """What the scheduled retry does when its time comes (the task the Schedule row names)."""
    assert Schedule.objects.get(name__startswith=f"voice-retry:{call.pk}:").func == "shifts.tasks.notification_retry"
    tasks.notification_retry(call.pk)
    standin.wait()


def test_a_reminder_is_read_aloud_through_the_real_sdk(standin, people):
    member = people["members"][0]  # voice only
    text = _reminder(people, member)
    standin.wait()
    call = _call(text)
    assert call.channel == "voice" and call.status == "sent" and call.provider == "aliyun"
    assert call.provider_message_id.startswith("1160") and call.address == "+8613800000001"
    sent = standin.requests[0]
    assert sent["action"] == "SingleCallByTts" and sent["authorization"].startswith("ACS3-HMAC-SHA256")
    params = sent["params"]
    assert params["CalledNumber"] == "13800000001" and params["CalledShowNumber"] == "057100000000"
    assert params["TtsCode"] == "TTS_reminder" and params["OutId"] == str(call.pk)
    assert json.loads(params["TtsParam"]) == {"name": "王秀英", "when": call.sms_params[1], "duty": "巡逻"}
    assert "王秀英" in call.body and "巡逻" in call.body and "东门" not in call.body  # no place, no health
    call.refresh_from_db()
    assert call.delivery_status == "answered" and call.call_digit == ""
    text.refresh_from_db()
    assert text.status == "held" and not OutboxMessage.objects.exists()  # the call got through: no text
    again = _reminder(people, member)
    assert again.pk == text.pk and len(standin.requests) == 1  # the dedupe key: never called twice


@pytest.mark.parametrize("digit", ["1", "2"])
def test_a_confirmation_call_offers_keys_and_passes_the_key_on(standin, people, answered, digit):
    member = people["members"][0]
    standin.answers["+8613800000001"] = f"key{digit}"
    text = _ask(people, member)
    standin.wait()
    call = _call(text)
    sent = standin.requests[0]
    assert sent["action"] == "IvrCall" and sent["params"]["StartCode"] == "TTS_confirm_request"
    assert sent["params"]["MenuKeyMap.1.Key"] == "1" and sent["params"]["MenuKeyMap.2.Key"] == "2"
    assert "按1确认" in call.body and "按2" in call.body
    call.refresh_from_db()
    assert call.delivery_status == "answered" and call.call_digit == digit
    assert answered == [(call.pk, "confirm_request", digit, member.pk)]
    assert standin.posted[0][1] == 200


def test_a_key_the_call_did_not_offer_is_recorded_but_not_passed_on(standin, people, answered):
    standin.answers["+8613800000001"] = "key3"
    text = _ask(people, people["members"][0])
    standin.wait()
    call = _call(text)
    assert call.delivery_status == "answered" and call.call_digit == "" and answered == []


@pytest.mark.parametrize("first", ["busy", "no_answer"])
def test_busy_or_no_answer_calls_once_more_then_the_text_goes(standin, people, first):
    member = people["members"][0]  # voice only
    standin.answers["+8613800000001"] = [first, first]
    text = _reminder(people, member)
    standin.wait()
    call = _call(text)
    assert call.status == "pending" and call.delivery_status == first and "calling again" in call.error
    schedule = Schedule.objects.get(name=f"voice-retry:{call.pk}:1")
    assert schedule.func == "shifts.tasks.notification_retry" and schedule.next_run > call.sent_at
    text.refresh_from_db()
    assert text.status == "held"
    _retry(standin, call)
    call.refresh_from_db()
    text.refresh_from_db()
    assert len(standin.requests) == 2 and call.status == "failed" and call.delivery_status == first
    assert text.status == "sent" and text.channel == "sms"  # the message is not lost
    assert OutboxMessage.objects.filter(notification=text).count() == 1


def test_a_retry_that_gets_through_sends_no_text(standin, people):
    standin.answers["+8613800000001"] = ["no_answer", "answered"]
    text = _reminder(people, people["members"][0])
    standin.wait()
    call = _call(text)
    _retry(standin, call)
    call.refresh_from_db()
    text.refresh_from_db()
    assert call.status == "sent" and call.delivery_status == "answered" and call.attempts == 2
    assert text.status == "held" and not OutboxMessage.objects.exists()


@pytest.mark.parametrize("outcome", ["failed", "bad_number"])
def test_a_call_that_cannot_be_connected_is_not_retried_and_the_text_goes(standin, people, outcome):
    standin.answers["+8613800000001"] = outcome
    text = _reminder(people, people["members"][0])
    standin.wait()
    call = _call(text)
    text.refresh_from_db()
    assert call.status == "failed" and len(standin.requests) == 1
    if outcome == "bad_number":
        assert "isv.MOBILE_NUMBER_ILLEGAL" in call.error
    else:
        assert call.delivery_status == "call_failed"
    assert not Schedule.objects.filter(name__startswith="voice-retry:").exists()
    assert text.status == "sent" and text.channel == "sms"


def test_a_provider_timeout_is_tried_again_later(standin, people):
    standin.answers["+8613800000001"] = ["timeout", "answered"]
    text = _reminder(people, people["members"][0])
    call = _call(text)
    assert call.status == "pending" and "calling again" in call.error and call.attempts == 1
    text.refresh_from_db()
    assert text.status == "held"
    _retry(standin, call)
    call.refresh_from_db()
    assert call.status == "sent" and call.delivery_status == "answered"


def test_the_members_channel_decides_who_is_called(standin, people):
    voice, both, sms = people["members"]
    texts = [_reminder(people, member, key=f"r{member.pk}") for member in people["members"]]
    standin.wait()
    for text in texts:
        text.refresh_from_db()
    assert texts[0].status == "held" and _call(texts[0]).status == "sent"
    assert texts[1].status == "sent" and texts[1].channel == "sms" and _call(texts[1]).status == "sent"
    assert texts[2].status == "sent" and not Notification.objects.filter(dedupe_key=f"{texts[2].dedupe_key}:call")
    assert sorted(r["phone"] for r in standin.requests) == ["+8613800000001", "+8613800000002"]


def test_a_kind_without_a_voice_template_is_never_called(standin, people):
    member = people["members"][0]
    text = notify_member(member=member, kind="absence_recorded", dedupe_key="a1",
                         context={"start": people["shift"].start, "end": people["shift"].end})
    assert text.status == "sent" and text.channel == "sms" and standin.requests == []
    assert not Notification.objects.filter(channel="voice").exists()


def test_no_number_means_no_call_and_the_text_as_usual(standin, people):
    member = people["members"][0]
    member.phone = ""
    member.email = "wang@example.org"
    member.save()
    text = _reminder(people, member)
    assert text.status == "sent" and text.channel == "email" and standin.requests == []


def _freeze(monkeypatch, local: dt.datetime):
    moment = local.replace(tzinfo=local_zone())
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment.astimezone(dt.UTC))
    return moment


def test_quiet_hours_defer_the_call_to_the_morning_but_not_the_text(standin, people, settings, monkeypatch):
    settings.VOICE_QUIET_HOURS = (21, 8)
    _freeze(monkeypatch, dt.datetime(2026, 11, 30, 22, 30))
    both_text = _reminder(people, people["members"][1], key="q1")
    voice_text = _reminder(people, people["members"][0], key="q2")
    assert standin.requests == []
    both_text.refresh_from_db()
    voice_text.refresh_from_db()
    assert both_text.status == "sent" and voice_text.status == "held"  # sms_voice's text goes at once
    for text in (both_text, voice_text):
        call = _call(text)
        assert call.status == "pending" and "quiet hours" in call.error
        schedule = Schedule.objects.get(name=f"voice-quiet:{call.pk}:20261201")
        assert schedule.next_run == dt.datetime(2026, 12, 1, 8, 0, tzinfo=local_zone())
    _freeze(monkeypatch, dt.datetime(2026, 12, 1, 8, 0))
    tasks.notification_retry(_call(voice_text).pk)  # the deferred run at 08:00
    standin.wait()
    assert len(standin.requests) == 1 and _call(voice_text).status == "sent"


def test_a_welfare_call_ignores_quiet_hours_preference_and_the_daily_limit(standin, people, settings, monkeypatch):
    settings.VOICE_QUIET_HOURS = (21, 8)
    settings.VOICE_LIMIT_PER_NUMBER_DAY = 1
    _freeze(monkeypatch, dt.datetime(2026, 11, 30, 23, 10))
    sms_member = people["members"][2]  # prefers text messages
    for key in ("w1", "w2"):
        notify_member(member=sms_member, kind="welfare_call", dedupe_key=key,
                      context={"missing_name": sms_member.name, "when": people["shift"].start})
    calls = Notification.objects.filter(channel="voice", kind="welfare_call").order_by("pk")
    assert [c.status for c in calls] == ["sent", "sent"] and len(standin.requests) == 2
    assert standin.requests[0]["action"] == "IvrCall" and standin.requests[0]["params"]["MenuKeyMap.3.Key"] == "3"
    secretary = f.secretary(people["community"])
    secretary.staff_profile.phone = "13900000009"
    secretary.staff_profile.save()
    notify_user(user=secretary, kind="welfare_call", dedupe_key="w3", context={"missing_name": sms_member.name,
                                                                               "when": people["shift"].start})
    assert standin.requests[-1]["phone"] == "+8613900000009"


def test_the_daily_call_limit_sends_the_text_instead(standin, people, settings):
    settings.VOICE_LIMIT_PER_NUMBER_DAY = 2
    member = people["members"][0]
    texts = [_reminder(people, member, key=f"d{i}") for i in range(3)]
    standin.wait()
    assert len(standin.requests) == 2
    last = _call(texts[2])
    assert last.status == "failed" and "daily limit" in last.error
    texts[2].refresh_from_db()
    assert texts[2].status == "sent" and texts[2].channel == "sms"
