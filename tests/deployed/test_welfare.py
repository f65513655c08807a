"""The no-show check on the deployed service: the team leader of a shift checks in, the others do not; the
scheduled check (yure.welfare_ladder) puts the others on 需要联系 and, on the queue (no_show_leader_send), asks
the leader by text to look round for each of them."""

import datetime as dt
import re

import pytest

from .harness import as_member, outbox
from .no_show import ZONE, last_quarter, led_shift, schedule_due, shift_start_move, this_monday

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

CHECK_DEADLINE = 150  # django-q2's scheduler looks every 30 s; a busy machine adds to that


def _called(secretary) -> set[str]:
    section = re.search(r'<section class="card alert" aria-labelledby="needs-contact">(.*?)</section>',
                        secretary.get("/dashboard/").html, flags=re.S)
    return set(re.findall(r"<strong>([^<]+)</strong>", section.group(1))) if section else set()


def test_members_who_do_not_check_in_are_listed_and_their_leader_is_asked(deployment, secretary, admin,
                                                                           outbox_readers):
    now = dt.datetime.now(ZONE)
    # A team none of whom is listed already (an earlier ladder's, at some hours of the week, may be).
    team = led_shift(deployment, this_monday(now), avoid=_called(secretary))
    if team is None:
        pytest.skip("no shift of this week with a team leader and a teammate, none of them listed, has still to "
                    "begin (late on Sunday)")
    shift_id, leader, people = team["shift"], team["leader_name"], set(team["others"]) - {team["leader_name"]}
    assert people and not _called(secretary) & (people | {leader})
    # The shift starts within the hour, so its leader may check in early (the check flags nobody before the start).
    soon = last_quarter(now) + dt.timedelta(minutes=30)
    shift_start_move(admin, shift_id, soon, soon + dt.timedelta(hours=2))
    here = as_member(secretary, team["leader"])
    here.get("/me/")
    done = here.post(f"/me/shifts/{team['assignment']}/check-in/", data={"next": "/me/"})
    assert "Checked in at" in done.text, done.text[:800]
    # Now it began minutes ago, and the operator makes the ladder's check due.
    start = last_quarter(dt.datetime.now(ZONE))
    shift_start_move(admin, shift_id, start, start + dt.timedelta(hours=2))
    schedule_due(admin, "yure.welfare_ladder", now)

    deployment.wait_until(lambda: _called(secretary) >= people, CHECK_DEADLINE,
                          f"the no-show check to list the shift's people ({', '.join(sorted(people))})",
                          interval=3, detail=lambda: f"listed: {_called(secretary)}")
    assert leader not in _called(secretary)  # checked in: not missing

    def asked() -> list[str]:
        texts = [sms.text for sms in outbox(outbox_readers)
                 if sms.template == "yure-welfare_check" and sms.recipient == leader]
        return texts if all(any(name in text for text in texts) for name in people) else []

    def leader_texts() -> str:
        return f"{leader}'s texts: {[sms.text for sms in outbox(outbox_readers) if sms.recipient == leader][-4:]}"

    deployment.wait_until(asked, CHECK_DEADLINE, f"the text asking {leader} to look round for "
                                                 f"{', '.join(sorted(people))}", interval=3, detail=leader_texts)
