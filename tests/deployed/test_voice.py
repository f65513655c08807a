"""A confirmation by voice call on the deployed service: the secretary sets a member to 语音电话, publishes a week,
a real qcluster places the call through the real Alibaba voice SDK to the stand-in on 127.0.0.1, and the
stand-in's relay posts the signed key-1 report to the real web server, which confirms the member's week."""

import re

import pytest

from .conftest import coming_mondays
from .harness import member_ids, week_rows
from .test_roster import COMMUNITY, SOLVE_DEADLINE, finished_run, roster_status

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

CALL_DEADLINE = 120  # the publish's message job, the call, the report: a busy machine adds to each


def _confirmation(deployment, member_id: int, week: str) -> str:
    code = ("from shifts.models import WeekConfirmation as W; "
            f"c = W.objects.filter(member_id={member_id}, week_start='{week}').first(); "
            "print(f'{c.state} {c.via}' if c else 'none')")
    return deployment.manage("shell", "-c", code).stdout.strip().splitlines()[-1]  # after Django's auto-import note


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


def test_key_1_on_the_confirmation_call_confirms_the_week(deployment, secretary, voice_standin):
    week = coming_mondays(3)[2].isoformat()  # a week no other deployed test touches
    secretary.submit(secretary.get(f"/communities/{COMMUNITY}/weeks/{week}/"), "/generate/")
    deployment.wait_until(lambda: finished_run(deployment, week, "generate"), SOLVE_DEADLINE,
                          f"the draft of week {week}")
    ids = member_ids(secretary, COMMUNITY)
    name = next(row["Member"] for row in week_rows(secretary, COMMUNITY, week) if row["Member"] in ids)
    member_id = ids[name]
    phone = _set_voice(secretary, member_id)
    voice_standin.answers[phone] = "key1"

    secretary.submit(secretary.get(f"/communities/{COMMUNITY}/weeks/{week}/publish/"), "/publish/")
    assert roster_status(deployment, week)["status"] == "published"
    deployment.wait_until(lambda: _confirmation(deployment, member_id, week) == "confirmed voice", CALL_DEADLINE,
                          f"{name}'s key 1 to confirm the week",
                          interval=3, detail=lambda: f"{_confirmation(deployment, member_id, week)}; "
                                                     f"calls: {voice_standin.requests[-3:]}; "
                                                     f"reports: {voice_standin.posted[-3:]}")
    calls = [r for r in voice_standin.requests if r["phone"] == phone]
    assert [r["action"] for r in calls] == ["IvrCall"] and calls[0]["params"]["StartCode"] == "TTS_CONFIRM_REQUEST"
    assert any(report["call_id"] and report.get("digit") == "1" and status == 200
               for report, status in voice_standin.posted)
