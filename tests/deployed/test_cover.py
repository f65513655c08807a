"""The cover call-down on the deployed service: the operator adds a published shift within 48 hours that nobody
is on yet (short), the real qcluster's periodic job (yure.cover_calls_advance) starts a call-down and texts the
first wave through the outbox provider, a member answers 我来接班 on the answer page of the real web server (no
login: the signed link from the text), and the shift is filled on the published roster without the secretary
doing anything more; the others asked get 已有人接了，谢谢 (cover_taken_send). A shift nobody may take texts the
secretary that nobody is left to ask (cover_staff_send). What reaches the outbox is checked: who it went to, the
template and its parameters."""

import datetime as dt
import re

import pytest

from .harness import Sms, outbox
from .no_show import ZONE, admin_save, schedule_due, this_monday
from .operator import cover_candidates, duty_add, member_skill_add, nobody_may_take, secretary_phone, shift_add

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

COMMUNITY = 1
DEADLINE = 180  # the scheduler looks every 30 s; the job runs every 2 minutes (made due at once below)
TAKEN = "已有人接了，谢谢"  # cover_outcome's outcome parameter, in the member's language (zh-hans)
NOBODY_LEFT = "已无人可问接班"  # the secretary's replan template: what happened (cover_exhausted)
ASKING_AGAIN = "再次找人接班"  # … and when someone new can take it after all (cover_reasked)


def _slot(now: dt.datetime, hour: int) -> dt.datetime | None:
    """When the test's own shift starts: tomorrow at `hour` while tomorrow is still this week, whose roster the
    demo published (3-46 hours from now whatever the time of day); on a Sunday, the first whole hour 3 hours
    from now if a two-hour shift still ends by midnight; else None."""
    if now.weekday() < 6:
        return dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(hour), ZONE)
    later = (now + dt.timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    return later if later.date() == now.date() and later.hour <= 22 else None


def _shift_made(deployment, admin, now: dt.datetime, hour: int, name: str, needed: int = 1) -> tuple[int, dt.datetime]:
    """A published shift of community 1 for one person, nobody on it, starting at `_slot`, of a duty anyone may
    take (the demo's soon shifts change with the hour: a mediation nobody else may take, a patrol whose first-aid
    holders are all at their weekly limit), which two or more members who get texts could take. `needed` 0: not
    short yet, so no call-down starts before the test has arranged the rest."""
    start = _slot(now, hour)
    if start is None:
        pytest.skip("late on Sunday: no hour of this week's published roster is 3 hours away")
    duty = duty_add(deployment, admin, f"{name}-duty", "楼道巡查")
    shift_id = shift_add(deployment, admin, COMMUNITY, duty, start, 120, name, needed=needed)
    helpers = cover_candidates(deployment, shift_id, COMMUNITY)
    assert len(helpers) >= 2, f"only {helpers} of community {COMMUNITY} could take shift {shift_id} at {start}"
    return shift_id, start


def _ask_links(outbox_readers) -> list[str]:
    return [link for sms in outbox(outbox_readers) if sms.template == "yure-cover_ask"
            for link in re.findall(r"https?://[^\s]+/k/[^\s/]+/", sms.text)]


def _asks_for(outbox_readers, start: dt.datetime, before: set[str]) -> list[Sms]:
    """The cover-ask texts sent since `before` for the shift starting at `start`: their parameters are the
    member's name, the shift in words ("12-08 10:00 巡逻") and the signed link."""
    when = start.astimezone(ZONE).strftime("%m-%d %H:%M")
    return [sms for sms in outbox(outbox_readers) if sms.template == "yure-cover_ask" and len(sms.params) == 3
            and sms.params[1].startswith(when + " ") and sms.params[2] not in before]


def test_a_short_shift_within_48_hours_is_filled_by_a_call_down(deployment, secretary, outbox_readers, admin):
    now = dt.datetime.now(ZONE)
    shift_id, start = _shift_made(deployment, admin, now, 9, "deployed-cover-walk")
    before = set(_ask_links(outbox_readers))
    schedule_due(admin, "yure.cover_calls_advance", now)

    answer = deployment.browser(language="zh-hans")

    def asked():
        for link in set(_ask_links(outbox_readers)) - before:
            path = re.sub(r"^https?://[^/]+", "", link)
            shown = answer.get(path, expect=(200, 404))
            if shown.status == 200 and f'data-shift="{shift_id}"' in shown.html and "我来接班" in shown.text:
                return path, shown
        return None

    path, shown = deployment.wait_until(asked, DEADLINE, f"a cover ask for shift {shift_id} in the outbox",
                                        interval=3)
    # The wave asks three; wait for a second text so that someone is left to be told it was taken.
    deployment.wait_until(lambda: len(_asks_for(outbox_readers, start, before)) >= 2, 90,
                          f"a second cover-ask text for shift {shift_id}", interval=3)
    heading = re.search(r"<h1>\s*(.*?)，您能接这个班吗？\s*</h1>", shown.html, flags=re.S)
    assert heading, shown.html[:2000]
    name = heading.group(1).strip()
    assert 'name="answer" value="yes"' in shown.html  # the big 我来接班 button (a button, not a field)
    done = answer.post(path, data={"answer": "yes"})
    assert "这个班归您了" in done.text, done.text[:800]

    def filled():
        week = secretary.get(f"/communities/{COMMUNITY}/weeks/{this_monday(start).isoformat()}/")
        cell = re.search(rf'id="shift-{shift_id}">(.*?)(?=id="shift-|\Z)', week.html, flags=re.S).group(1)
        return cell if name in cell and "cover-badge" in cell else None

    deployment.wait_until(filled, 60, f"{name} on shift {shift_id} of the published roster")
    week = secretary.get(f"/communities/{COMMUNITY}/weeks/{this_monday(start).isoformat()}/")
    assert f'class="slot is-short" id="shift-{shift_id}"' not in week.html  # no longer short
    # a second yes from the same link is the same booking, not an error
    again = answer.post(path, data={"answer": "yes"})
    assert "这个班归您了" in again.text

    # What the texts said: each ask to its member, with the shift in words and their own signed link; then
    # 已有人接了，谢谢 to every other member asked by text (cover_taken_send on the queue), none to the winner.
    asks = _asks_for(outbox_readers, start, before)
    winner = [sms for sms in asks if sms.params[2].endswith(path)]
    assert [sms.recipient for sms in winner] == [name] and winner[0].params[0] == name, asks
    shift_words = winner[0].params[1]
    others = {sms.recipient for sms in asks if sms.recipient != name}
    assert others and all(sms.params[1] == shift_words and sms.params[0] == sms.recipient for sms in asks), asks

    def told():
        texts = [sms for sms in outbox(outbox_readers) if sms.template == "yure-cover_outcome"
                 and sms.params == [shift_words, TAKEN]]
        return texts if others <= {sms.recipient for sms in texts} else None

    taken = deployment.wait_until(told, 60, f"已有人接了 texts to {sorted(others)}")
    assert name not in {sms.recipient for sms in taken}
    assert all(TAKEN in sms.text for sms in taken), [sms.text for sms in taken]


def _secretary_told(secretary, what: str, shift_id: int) -> list[Sms]:
    return [sms for sms in outbox([secretary]) if sms.template == "yure-replan" and len(sms.params) == 3
            and sms.params[1] == what and sms.params[2].endswith(f"#shift-{shift_id}")]


def test_a_shift_nobody_may_take_texts_the_secretary_and_asks_again_when_someone_can(deployment, secretary,
                                                                                   outbox_readers, admin):
    """The operator adds a shift soon, nobody on it, makes it a duty nobody holds the skill for, then short: the
    call-down finds nobody to ask, and secretary1 gets the text (cover_staff_send, cover_exhausted) with what
    happened and the link to the shift on the week grid. Then the operator gives a member who could otherwise
    take it the skill: on the periodic job's next tick the exhausted call-down ranks again, texts that member
    and tells secretary1 it is asking again (cover_reasked)."""
    now = dt.datetime.now(ZONE)
    shift_id, start = _shift_made(deployment, admin, now, 14, "deployed-cover-dive", needed=0)
    helper = cover_candidates(deployment, shift_id, COMMUNITY)[0]
    secretary_phone(deployment, admin, "secretary1", "+8613700000001")
    nobody_may_take(deployment, admin, shift_id, code="deployed-cover-diver", skill_name="潜水证",
                    duty_name="水下巡查")
    admin_save(admin, f"/admin/shifts/shift/{shift_id}/change/", "start_0", min_staff="1")  # short now
    schedule_due(admin, "yure.cover_calls_advance", now)

    [sms] = deployment.wait_until(lambda: _secretary_told(secretary, NOBODY_LEFT, shift_id), DEADLINE,
                                  f"the text to secretary1 that nobody is left for shift {shift_id}", interval=3,
                                  detail=lambda: [(s.template, s.params) for s in outbox([secretary])][:6])
    assert sms.params[0] == sms.recipient  # 书记 by name (the staff login's name)
    monday = this_monday(start).isoformat()
    assert f"/communities/{COMMUNITY}/weeks/{monday}/#shift-{shift_id}" in sms.params[2]
    assert "问了0人" in sms.text  # the body: nobody could be asked
    cell = secretary.get(f"/communities/{COMMUNITY}/weeks/{monday}/").html.split(f'id="shift-{shift_id}"', 1)[1]
    assert "Nobody left to ask" in cell.split('id="shift-', 1)[0]

    # Someone new can take it: asked on the next tick, and the secretary hears it is asking again.
    before = {sms.params[2] for sms in outbox(outbox_readers) if sms.template == "yure-cover_ask" and sms.params}
    member_skill_add(deployment, admin, helper["id"], "deployed-cover-diver")
    schedule_due(admin, "yure.cover_calls_advance", dt.datetime.now(ZONE))
    [again] = deployment.wait_until(lambda: _secretary_told(secretary, ASKING_AGAIN, shift_id), DEADLINE,
                                    f"the text to secretary1 that shift {shift_id} is asked for again", interval=3)
    assert again.params[0] == again.recipient
    [ask] = deployment.wait_until(lambda: [s for s in _asks_for(outbox_readers, start, before)
                                           if s.recipient == helper["name"]], 60,
                                  f"the cover ask to {helper['name']}", interval=3)
    assert ask.params[0] == helper["name"] and "/k/" in ask.params[2]
    cell = secretary.get(f"/communities/{COMMUNITY}/weeks/{monday}/").html.split(f'id="shift-{shift_id}"', 1)[1]
    assert "asking again" in cell.split('id="shift-', 1)[0]
