"""The cover call-down on the deployed service: a published shift within 48 hours becomes short, the real
qcluster's periodic job (yure.cover_calls_advance) starts a call-down and texts the first wave through the outbox
provider, a member answers 我来接班 on the answer page of the real web server (no login: the signed link from the
text), and the shift is filled on the published roster without the secretary doing anything more."""

import datetime as dt
import re

import pytest

from .harness import outbox
from .no_show import ZONE, schedule_due, this_monday

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

COMMUNITY = 1
DEADLINE = 180  # the scheduler looks every 30 s; the job runs every 2 minutes (made due at once below)


def _shifts_soon(secretary, now: dt.datetime):
    """(shift id, start, edit page, people on it) of shifts with people on them starting 3–46 hours from now,
    this week and next (their change page answers only while they have not begun)."""
    found = []
    for monday in (this_monday(now), this_monday(now) + dt.timedelta(days=7)):
        week = secretary.get(f"/communities/{COMMUNITY}/weeks/{monday.isoformat()}/")
        for short, pk, cell in re.findall(r'<div class="slot( is-short)?" id="shift-(\d+)">(.*?)(?=id="shift-|\Z)',
                                          week.html, flags=re.S):
            have = re.search(r"(\d+) (?:person|people) \(", cell)
            if short or "cover-badge" in cell or not have or not int(have.group(1)):
                continue  # the demo's own call-down, a shift short already, or nobody on it: not this test's
            page = secretary.get(f"/communities/{COMMUNITY}/setup/shifts/{pk}/", expect=(200, 404))
            if page.status != 200:
                continue
            form = page.form(has="min_staff")
            start = dt.datetime.fromisoformat(form.fields["start"]).replace(tzinfo=ZONE)
            if now + dt.timedelta(hours=3) < start < now + dt.timedelta(hours=46):
                found.append((int(pk), start, page, int(have.group(1))))
    return found


def _ask_links(outbox_readers) -> list[str]:
    return [link for sms in outbox(outbox_readers) if sms.template == "yure-cover_ask"
            for link in re.findall(r"https?://[^\s]+/k/[^\s/]+/", sms.text)]


def test_a_short_shift_within_48_hours_is_filled_by_a_call_down(deployment, secretary, outbox_readers, admin):
    now = dt.datetime.now(ZONE)
    soon = _shifts_soon(secretary, now)
    if not soon:
        pytest.skip("no published shift with people starts 3–46 hours from now (this week and next)")
    shift_id, start, page, have = soon[0]
    form = page.form(has="min_staff")
    wanted = have + 1
    # The shift now needs one more person than it has (the published roster filled it to its old minimum).
    changed = secretary.submit(page, has="min_staff", min_staff=str(wanted),
                               max_staff=str(max(wanted, int(form.fields["max_staff"]))))
    assert "/setup/shifts/" not in changed.path, changed.text[:800]
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
