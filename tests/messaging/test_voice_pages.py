"""The secretary sets a member's channel (短信 / 语音电话 / 短信+语音) on the member page; the demo outbox shows kept
calls with their spoken text, keys and outcome, and the demo has a member who prefers voice calls."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member
from shifts.models import Notification, VoiceOutboxCall
from volunteers.models import AuditEntry, Member

pytestmark = pytest.mark.django_db


def test_the_secretary_sets_the_channel_and_the_member_page_shows_it(staff, site):
    member = site.members[1]
    page = staff.get(reverse("member_edit", args=[member.pk])).content.decode()
    assert 'name="contact_channel"' in page and "语音电话" in page and "短信+语音" in page
    data = {"active": "on", "health": "good", "contact_channel": "voice", "max_hours_per_week": "",
            "min_rest_hours": ""}
    assert staff.post(reverse("member_edit", args=[member.pk]), data).status_code == 302
    member.refresh_from_db()
    assert member.contact_channel == Member.ContactChannel.VOICE
    entry = AuditEntry.objects.filter(action="volunteers.member.profile_changed", object_id=str(member.pk)).latest("pk")
    assert "contact_channel" in entry.data["fields"]
    page = staff.get(reverse("member_edit", args=[member.pk])).content.decode()
    assert 'id="member-contact-channel"' in page and "<strong>语音电话</strong>" in page
    del data["contact_channel"]  # a form without the field keeps what is stored
    staff.post(reverse("member_edit", args=[member.pk]), data)
    member.refresh_from_db()
    assert member.contact_channel == "voice"


def test_the_outbox_page_shows_calls_with_their_text_keys_and_outcome(staff, site, settings):
    settings.SMS_PROVIDER = settings.VOICE_PROVIDER = "outbox"
    settings.VOICE_QUIET_HOURS = (0, 0)
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender",
                                     "shifts.messaging.voice.VoiceSender"]
    member = site.members[0]
    member.phone, member.contact_channel = "13800000001", "sms_voice"
    member.save()
    notify_member(member=member, kind="confirm_request", dedupe_key="c1",
                  context={"week_start": site.week_start, "link": "http://x/c/a/", "replies": False,
                           "shifts": [shift_line(site.shifts[0])]})
    call = VoiceOutboxCall.objects.get()
    assert call.keys == {"1": "确认", "2": "来不了"} and call.phone == "+8613800000001"
    assert Notification.objects.get(dedupe_key="c1").status == "sent"  # sms_voice: the text went too
    page = staff.get(reverse("sms_outbox")).content.decode()
    assert "按1确认，按2来不了" in page and "<strong>1</strong> 确认" in page and "尚未回报" in page


def test_the_demo_has_a_member_who_prefers_calls_and_a_recorded_call():
    args = ["--communities", "1", "--members-min", "30", "--members-max", "30", "--households", "2"]
    call_command("seed_demo", *args)
    voice = Member.objects.get(contact_channel="voice")
    assert Member.objects.filter(contact_channel="sms_voice").count() == 1
    call = VoiceOutboxCall.objects.get()
    assert call.notification.member == voice and call.outcome == "answered" and call.digit == "1"
    assert voice.name in call.text and "按1确认" in call.text
    call_command("seed_demo", *args)
    assert VoiceOutboxCall.objects.count() == 1
