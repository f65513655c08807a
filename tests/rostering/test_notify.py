"""Notifications: rendered in the member's language, recorded, sent once per dedupe key."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member, notify_staff
from shifts.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


class FlakySender:
    channel = "email"
    calls = 0

    def address_for_member(self, member):
        return member.email

    def address_for_user(self, user):
        return user.email

    def send(self, *, address, subject, body, urgent=False):
        FlakySender.calls += 1
        if FlakySender.calls == 1:
            raise ConnectionError("smtp down")
        mail.outbox.append(mail.EmailMessage(subject, body, to=[address]))


@pytest.fixture
def reminder_context(town):
    shift = f.shift(town["community"], town["patrol"],
                    timezone.make_aware(dt.datetime.combine(town["week_start"], dt.time(9, 0))), location="东门")
    return {"shift": shift_line(shift)}


def test_same_dedupe_key_mails_once(town, reminder_context):
    member = town["members"][0]
    first = notify_member(member=member, kind="shift_reminder", dedupe_key="k1", context=reminder_context)
    again = notify_member(member=member, kind="shift_reminder", dedupe_key="k1", context=reminder_context)
    assert first.pk == again.pk and len(mail.outbox) == 1
    assert first.status == Notification.Status.SENT and first.sent_at is not None
    assert "东门" in mail.outbox[0].body and "09:00" in mail.outbox[0].subject


def test_message_is_rendered_in_the_members_language(town, reminder_context):
    zh, en = town["members"][0], town["members"][1]
    en.language = "en"
    en.save()
    notify_member(member=zh, kind="shift_reminder", dedupe_key="zh", context=reminder_context)
    notify_member(member=en, kind="shift_reminder", dedupe_key="en", context=reminder_context)
    zh_body, en_body = mail.outbox[0].body, mail.outbox[1].body
    weekday_en = reminder_context["shift"]["start"].strftime("%a")
    assert weekday_en in en_body and weekday_en not in zh_body
    assert "星期" in zh_body or "周" in zh_body
    assert Notification.objects.get(dedupe_key="en").language == "en"


def test_member_without_address_is_recorded_as_skipped(town, reminder_context):
    member = town["members"][0]
    member.email = ""
    member.save()
    note = notify_member(member=member, kind="shift_reminder", dedupe_key="k2", context=reminder_context)
    assert note.status == Notification.Status.SKIPPED and mail.outbox == []


def test_a_failed_send_is_retried_and_then_not_repeated(town, reminder_context, settings):
    settings.NOTIFICATION_SENDERS = ["tests.rostering.test_notify.FlakySender"]
    FlakySender.calls = 0
    member = town["members"][0]
    failed = notify_member(member=member, kind="shift_reminder", dedupe_key="k3", context=reminder_context)
    assert failed.status == Notification.Status.FAILED and "smtp down" in failed.error
    sent = notify_member(member=member, kind="shift_reminder", dedupe_key="k3", context=reminder_context)
    notify_member(member=member, kind="shift_reminder", dedupe_key="k3", context=reminder_context)
    assert sent.status == Notification.Status.SENT and FlakySender.calls == 2 and len(mail.outbox) == 1


def test_staff_messages_go_to_each_secretary_once(town, reminder_context):
    other = f.secretary(town["community"])
    other.email = "sec2@example.org"
    other.save()
    f.secretary(f.community(name="别的社区"))
    context = {"shifts": [{**reminder_context["shift"], "missing": 1, "published": True}]}
    notify_staff(community=town["community"], kind="unfilled_alert", dedupe_key="u1", context=context)
    notify_staff(community=town["community"], kind="unfilled_alert", dedupe_key="u1", context=context)
    assert sorted(m.to[0] for m in mail.outbox) == ["sec2@example.org", "sec@example.org"]
