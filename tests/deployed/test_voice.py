"""A confirmation by voice call on the deployed service: the secretary sets two members to 语音电话, publishes a
week, a real qcluster places the calls through the real Alibaba voice SDK to the stand-in on 127.0.0.1, and the
stand-in's relay posts the signed reports to the real web server: key 1 from the first confirms their week; the
second's call cannot be connected, so the text held for them goes on the queue (voice_fallback_send)."""

import datetime as dt
import json
import re

import pytest

from .conftest import coming_mondays
from .harness import member_ids, outbox, week_rows
from .test_roster import COMMUNITY, SOLVE_DEADLINE, finished_run, roster_status, week_label

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

CALL_DEADLINE = 120  # the publish's message job, the call, the report: a busy machine adds to each


def _confirmation(deployment, member_id: int, week: str) -> str:
    code = ("from shifts.models import WeekConfirmation as W; "
            f"c = W.objects.filter(member_id={member_id}, week_start='{week}').first(); "
            "print(f'{c.state} {c.via}' if c else 'none')")
    return deployment.manage("shell", "-c", code).stdout.strip().splitlines()[-1]  # after Django's auto-import note


def _own_staff_edits(secretary, member_id: int) -> bool:
    """Whether the secretary sees the member's number and contact form: a member of their own community (a
    neighbour's member on the roster shows neither)."""
    page = secretary.get(f"/members/{member_id}/")
    return 'href="tel:' in page.html and any("contact_channel" in {**form.fields, **form.choices}
                                             for form in page.forms)


def _set_voice(secretary, member_id: int) -> str:
    """The secretary picks 语音电话 on the member page (everything else as shown); returns the member's number."""
    page = secretary.get(f"/members/{member_id}/")
    phone = re.search(r'href="tel:(\+\d+)"', page.html).group(1)
    form = page.form(f"/members/{member_id}/", has="contact_channel")
    data = {**form.fields, "contact_channel": "voice",
            "skills": re.findall(r'name="skills" value="(\d+)"[^>]*checked', page.html)}
    secretary.post(form.action, data=data)
    shown = secretary.get(f"/members/{member_id}/")
    assert re.search(r'id="member-contact-channel">[^<]*<strong>(Voice call|语音电话)</strong>', shown.html), \
        shown.text[:600]
    return phone


def _call_state(deployment, member_id: int) -> str:
    """The member's latest confirmation call: its status and how it ended."""
    code = ("from shifts.models import Notification as N; "
            f"c = N.objects.filter(member_id={member_id}, kind='confirm_request', channel='voice').order_by('-pk')"
            ".first(); "
            "print(f'{c.status} {c.delivery_status}' if c else 'none')")
    return deployment.manage("shell", "-c", code).stdout.strip().splitlines()[-1]


def _confirm_call_actions(voice_standin, phone: str, week: str) -> list[str]:
    """The stand-in's requests for confirm-your-week calls to `phone` about `week` (a voice-only member may also be
    asked to cover a short shift by the periodic call-down meanwhile, and, from Thursday evening, reminded to
    confirm another published week they are on: the same template, another week)."""
    day = dt.date.fromisoformat(week)
    spoken = {week, day.strftime("%m月%d日"), day.strftime("%d %b")}
    return [r["action"] for r in voice_standin.requests
            if r["phone"] == phone and r["params"].get("StartCode") == "TTS_CONFIRM_REQUEST"
            and json.loads(r["params"].get("StartTtsParams") or "{}").get("week") in spoken]


def test_key_1_on_the_confirmation_call_confirms_the_week(deployment, secretary, voice_standin, outbox_readers):
    week = coming_mondays(3)[2].isoformat()  # a week no other deployed test touches
    secretary.submit(secretary.get(f"/communities/{COMMUNITY}/weeks/{week}/"), "/generate/")
    deployment.wait_until(lambda: finished_run(deployment, week, "generate"), SOLVE_DEADLINE,
                          f"the draft of week {week}")
    ids = member_ids(secretary, COMMUNITY)
    names = list(dict.fromkeys(row["Member"] for row in week_rows(secretary, COMMUNITY, week) if row["Member"] in ids))
    name, unreachable = [n for n in names if _own_staff_edits(secretary, ids[n])][:2]
    member_id = ids[name]
    phone = _set_voice(secretary, member_id)
    voice_standin.answers[phone] = "key1"
    try:
        _confirm_calls(deployment, secretary, voice_standin, outbox_readers, week, ids, name, unreachable, phone)
    finally:  # later tests' calls to this member (a welfare call) go as to anyone else: not connected
        voice_standin.answers.pop(phone, None)


def _confirm_calls(deployment, secretary, voice_standin, outbox_readers, week, ids, name, unreachable, phone):
    member_id = ids[name]
    # The second's number is not set up at the stand-in: their call "fails to connect".
    lost_phone = _set_voice(secretary, ids[unreachable])

    secretary.submit(secretary.get(f"/communities/{COMMUNITY}/weeks/{week}/publish/"), "/publish/")
    assert roster_status(deployment, week)["status"] == "published"
    deployment.wait_until(lambda: _confirmation(deployment, member_id, week) == "confirmed voice", CALL_DEADLINE,
                          f"{name}'s key 1 to confirm the week",
                          interval=3, detail=lambda: f"{_confirmation(deployment, member_id, week)}; "
                                                     f"calls: {voice_standin.requests[-3:]}; "
                                                     f"reports: {voice_standin.posted[-3:]}")
    assert _confirm_call_actions(voice_standin, phone, week) == ["IvrCall"]
    assert any(report["call_id"] and report.get("digit") == "1" and status == 200
               for report, status in voice_standin.posted)

    # The unreachable member: one call, reported failed, then the confirm-your-week text held for them goes.
    def texted():
        return [sms for sms in outbox(outbox_readers)
                if sms.template == "yure-confirm_request" and sms.recipient == unreachable
                and week_label(week) in sms.text]

    deployment.wait_until(texted, CALL_DEADLINE, f"the text held for {unreachable} after their call failed",
                          interval=3, detail=lambda: f"call: {_call_state(deployment, ids[unreachable])}; "
                                                     f"reports: {voice_standin.posted[-3:]}")
    assert _confirm_call_actions(voice_standin, lost_phone, week) == ["IvrCall"]
    assert _call_state(deployment, ids[unreachable]).startswith("failed ")
