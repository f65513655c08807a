"""Text messages through the real Tencent Cloud SDK against a local stand-in, the outbox, limits and retries."""

import json
import pathlib
import subprocess
import sys

import pytest
from django.core import mail
from django.urls import reverse
from django_q.models import Schedule

from shifts import tasks
from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member, notify_staff
from shifts.messaging.sms_templates import SMS_KIND_OF, SMS_TEMPLATE_PARAMS
from shifts.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db
ROOT = str(pathlib.Path(__file__).resolve().parents[2])


def context_for(kind: str, people) -> dict:
    line = shift_line(people["shift"])
    swap = {"swap_id": 7, "kind": "cover", "requester": "李建国", "taker": "王秀英", "shift": "11-30 09:00 巡逻",
            "counterpart_shift": "", "note": "", "decision_note": "", "refusal": "",
            "expires_at": people["shift"].start, "swap_path": reverse("swap_home"), "inbox_path": "/swaps/inbox/"}
    return {
        "shift_reminder": {"shift": line},
        "roster_changed": {"week_start": people["week_start"], "version": 1, "urgent": False, "first_version": True,
                           "added": [line], "removed": []},
        "partner_changed": {"week_start": people["week_start"], "changes": [{"shift": line, "with": ["李建国"]}]},
        "absence_recorded": {"start": people["shift"].start, "end": people["shift"].end},
        "login_code": {"code": "1234 5678", "link": "http://127.0.0.1:8000/accounts/login/link/x/",
                       "code_page": "http://127.0.0.1:8000/accounts/login/code/"},
        "confirm_request": {"week_start": people["week_start"], "shifts": [line], "link": "http://x/c/abc/",
                            "replies": True},
        "confirm_reminder": {"week_start": people["week_start"], "shifts": [line], "link": "http://x/c/abc/",
                             "replies": False},
        "welfare_check": {"when": people["shift"].start},
        "cover_ask": {"shift": line, "link": "http://x/k/abc/"},
        "cover_taken": {"shift": line},
    }.get(kind, swap)


STAFF_KINDS = ("repair_proposal", "unfilled_alert", "solve_failed", "cover_exhausted", "cover_soon",
               "cover_reasked", "cover_replan_short")
MEMBER_KINDS = [kind for kind in SMS_KIND_OF if kind not in STAFF_KINDS]


def test_success_records_the_providers_message_id_through_the_real_sdk(standin, people):
    member = people["members"][0]
    note = notify_member(member=member, kind="shift_reminder", dedupe_key="r1",
                         context=context_for("shift_reminder", people))
    assert note.status == Notification.Status.SENT and note.channel == "sms" and note.provider == standin.provider
    assert note.provider_message_id in ("2433:000001", "9006^000001") and note.delivery_status == "accepted"
    assert note.address == "+8613800000001"
    sent = standin.requests[0]
    assert sent["action"] == "SendSms" and sent["authorization"]
    body = sent["body"]
    if standin.provider == "tencent":
        assert sent["authorization"].startswith("TC3-HMAC-SHA256")
        assert body["PhoneNumberSet"] == ["+8613800000001"] and body["TemplateId"] == "T-reminder"
        assert body["SmsSdkAppId"] == "1400000001" and body["SignName"]
        assert body["TemplateParamSet"][0] == "王秀英" and body["TemplateParamSet"][2] == "巡逻"
    else:
        assert body["PhoneNumbers"] == "13800000001" and body["TemplateCode"] == "T-reminder"
        assert body["SignName"] and sent["authorization"].startswith("ACS3-HMAC-SHA256 Credential=AKIDtest")
        assert json.loads(body["TemplateParam"]) == {"name": "王秀英", "when": note.sms_params[1], "duty": "巡逻"}
    again = notify_member(member=member, kind="shift_reminder", dedupe_key="r1",
                          context=context_for("shift_reminder", people))
    assert again.pk == note.pk and len(standin.requests) == 1  # the dedupe key: never twice


@pytest.mark.parametrize("mode", ["rate_limit", "server_busy", "timeout"])
def test_transient_failures_are_retried_on_the_queue_and_sent_once(standin, people, mode,
                                                                   django_capture_on_commit_callbacks):
    standin.mode = mode
    member = people["members"][0]
    with django_capture_on_commit_callbacks(execute=True):
        note = notify_member(member=member, kind="shift_reminder", dedupe_key=f"t-{mode}",
                             context=context_for("shift_reminder", people))
    assert note.status == Notification.Status.FAILED and note.attempts == 1
    expected = {"tencent": {"rate_limit": "LimitExceeded.PhoneNumberOneHourLimit",
                            "server_busy": "RequestLimitExceeded", "timeout": "Read timed out"},
                "aliyun": {"rate_limit": "isv.BUSINESS_LIMIT_CONTROL", "server_busy": "Throttling",
                           "timeout": "imeout"}}[standin.provider][mode]
    assert expected in note.error
    retry = Schedule.objects.get(name=f"notification-retry:{note.pk}:1")
    assert retry.func == "shifts.tasks.notification_retry" and retry.schedule_type == Schedule.ONCE
    standin.mode = "ok"
    assert tasks.notification_retry(note.pk) == Notification.Status.SENT
    assert tasks.notification_retry(note.pk) == Notification.Status.SENT  # a second run sends nothing more
    tries = [r for r in standin.requests if r["phone"] in ("+8613800000001", "13800000001")]
    assert len(tries) == 2 and mail.outbox == []  # one failed try, one success; e-mail not used
    note.refresh_from_db()
    assert note.provider_message_id and note.attempts == 2


def test_a_bad_number_is_not_retried_and_falls_through_to_e_mail(standin, people,
                                                                 django_capture_on_commit_callbacks):
    standin.mode = "bad_number"
    member = people["members"][0]
    member.email = "wang@example.org"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        note = notify_member(member=member, kind="shift_reminder", dedupe_key="bad",
                             context=context_for("shift_reminder", people))
    assert note.status == Notification.Status.SENT and note.channel == "email"
    assert len(mail.outbox) == 1 and not Schedule.objects.filter(name__startswith="notification-retry").exists()


def test_a_bad_number_without_e_mail_is_failed_for_good(standin, people, django_capture_on_commit_callbacks):
    standin.mode = "bad_number"
    with django_capture_on_commit_callbacks(execute=True):
        note = notify_member(member=people["members"][0], kind="shift_reminder", dedupe_key="bad2",
                             context=context_for("shift_reminder", people))
    assert note.status == Notification.Status.FAILED
    assert ("IncorrectPhoneNumber" if standin.provider == "tencent" else "MOBILE_NUMBER_ILLEGAL") in note.error
    assert not Schedule.objects.filter(name__startswith="notification-retry").exists()


def test_limits_per_number_per_template_and_per_day(standin, people, settings):
    settings.SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY = 2
    settings.SMS_LIMIT_PER_NUMBER_DAY = 3
    member = people["members"][0]
    results = [notify_member(member=member, kind="shift_reminder", dedupe_key=f"lim{i}",
                             context=context_for("shift_reminder", people)).status for i in range(3)]
    assert results == ["sent", "sent", "failed"]
    assert "'reminder' texts to this number" in Notification.objects.get(dedupe_key="lim2").error
    other_kind = notify_member(member=member, kind="welfare_check", dedupe_key="w1",
                               context=context_for("welfare_check", people))
    assert other_kind.status == "sent"
    over_day = notify_member(member=member, kind="welfare_check", dedupe_key="w2",
                             context=context_for("welfare_check", people))
    assert over_day.status == "failed" and "daily limit of 3 texts" in over_day.error
    assert len(standin.requests) == 3  # refused messages never reached the provider
    settings.SMS_LIMIT_PER_TEMPLATE_DAY = 1
    someone_else = notify_member(member=people["members"][1], kind="welfare_check", dedupe_key="w3",
                                 context=context_for("welfare_check", people))
    assert someone_else.status == "failed" and "'welfare_check' texts reached" in someone_else.error


@pytest.mark.parametrize("kind", MEMBER_KINDS)
def test_each_message_kind_as_text_message(outbox_sms, people, kind, settings):
    member = people["members"][0]
    note = notify_member(member=member, kind=kind, dedupe_key=f"k:{kind}", context=context_for(kind, people))
    assert note.status == "sent" and note.channel == "sms" and note.provider == "outbox"
    stored = OutboxMessage.objects.get(notification=note)
    sms_kind = SMS_KIND_OF[kind]
    assert stored.phone == "+8613800000001" and stored.template == f"yure-{sms_kind}"
    assert len(stored.params) == len(SMS_TEMPLATE_PARAMS[sms_kind]) and all(stored.params)
    assert note.subject in stored.text and stored.text.startswith(f"【{settings.SMS_SIGN_NAME}】")


@pytest.mark.parametrize("kind", MEMBER_KINDS)
def test_each_message_kind_by_e_mail(people, kind):
    member = people["members"][0]
    member.email = "wang@example.org"
    member.save()
    note = notify_member(member=member, kind=kind, dedupe_key=f"e:{kind}", context=context_for(kind, people))
    assert note.status == "sent" and note.channel == "email" and mail.outbox[-1].subject == note.subject


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_secretaries_get_re_plan_texts_on_their_own_phone(outbox_sms, people, kind):
    profile = people["secretary"].staff_profile
    profile.phone = "13700000000"
    profile.save()
    context = {"shifts": [], "roster": None, "run": None, "reason": "", "error": "", "week_start": None,
               "path": "/dashboard/", "shift": shift_line(people["shift"], private=True), "asked": 3, "declined": 1,
               "unanswered": 2, "hours": 2, "window_hours": 48}
    [note] = notify_staff(community=people["community"], kind=kind, dedupe_key=f"s:{kind}", context=context)
    assert note.status == "sent" and note.channel == "sms" and note.address == "+8613700000000"


def test_member_without_any_address_is_skipped(outbox_sms, people):
    note = notify_member(member=people["members"][2], kind="shift_reminder", dedupe_key="none",
                         context=context_for("shift_reminder", people))
    assert note.status == "skipped" and not OutboxMessage.objects.exists()


def test_staff_outbox_page_shows_their_members_messages_only(outbox_sms, people, client):
    from tests import factories as f
    notify_member(member=people["members"][0], kind="shift_reminder", dedupe_key="o1",
                  context=context_for("shift_reminder", people))
    stranger = f.member(f.community(name="别处"), name="外人", phone="13900000009")
    notify_member(member=stranger, kind="shift_reminder", dedupe_key="o2", context=context_for("shift_reminder",
                                                                                               people))
    client.force_login(people["secretary"])
    page = client.get(reverse("sms_outbox")).content.decode()
    assert "+8613800000001" in page and "王秀英" in page and "外人" not in page
    assert client.get(reverse("sms_outbox"), HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    client.force_login(f.member_login(people["members"][0]))
    assert client.get(reverse("sms_outbox")).status_code == 404


def _settings_in_a_fresh_process(**env) -> subprocess.CompletedProcess:
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'scheduler_site.settings'); "
            "django.setup(); from django.conf import settings; "
            "print(settings.SMS_PROVIDER, settings.NOTIFICATION_SENDERS[0])")
    return subprocess.run([sys.executable, "-c", code], env={"PATH": "/usr/bin", **env}, capture_output=True,
                          text=True, cwd=ROOT)


def test_tencent_needs_its_settings():
    result = _settings_in_a_fresh_process(SMS_PROVIDER="tencent", DEBUG="1")
    assert result.returncode == 1 and "SMS_PROVIDER=tencent needs SMS_APP_ID" in result.stderr


def test_the_demo_uses_the_outbox_so_nothing_is_skipped():
    result = _settings_in_a_fresh_process(DEBUG="1")
    assert result.stdout.split() == ["outbox", "shifts.messaging.sms.SmsSender"]
    assert "SMS_PROVIDER=${SMS_PROVIDER:-outbox}" in (pathlib.Path(ROOT) / "scripts" / "demo.sh").read_text()


def test_an_invalid_stored_number_counts_as_no_address(outbox_sms, people):
    from volunteers.models import Member
    Member.objects.filter(pk=people["members"][0].pk).update(phone="12345")
    member = Member.objects.get(pk=people["members"][0].pk)
    note = notify_member(member=member, kind="shift_reminder", dedupe_key="invalid",
                         context=context_for("shift_reminder", people))
    assert note.status == "skipped" and not OutboxMessage.objects.exists()
