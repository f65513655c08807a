"""Arranging a no-show: a shift of this week, with members on it and nobody checked in, that began minutes ago.

The secretary's page moves only shifts still to come, so the operator moves the shift's start into the past on
the admin's shift page (a shift must start on the 15-minute grid: the latest quarter hour at least a minute ago,
which NO_SHOW_AFTER_MINUTES=1 has passed). Then the operator makes yure.welfare_ladder due on the admin's
schedule page, and the cluster's scheduler runs it.
"""

import datetime as dt
import json
import re
import zoneinfo

from .harness import TIME_ZONE, Browser, member_ids

COMMUNITY = 1
ZONE = zoneinfo.ZoneInfo(TIME_ZONE)


def this_monday(now: dt.datetime) -> dt.date:
    return now.date() - dt.timedelta(days=now.weekday())


def last_quarter(now: dt.datetime) -> dt.datetime:
    """The latest quarter hour at least a minute before `now`."""
    moment = (now - dt.timedelta(seconds=60)).replace(second=0, microsecond=0)
    return moment - dt.timedelta(minutes=moment.minute % 15)


def unstarted_shift(secretary: Browser, monday: dt.date) -> tuple[int | None, set[str]]:
    """A shift of the week with members on it that has not begun (its change page answers): id and people."""
    names = set(member_ids(secretary, COMMUNITY))
    week = secretary.get(f"/communities/{COMMUNITY}/weeks/{monday.isoformat()}/")
    for pk, cell in re.findall(r'id="shift-(\d+)">(.*?)(?=id="shift-|\Z)', week.html, flags=re.S):
        people = {name for name in names if name in cell}
        if people and secretary.get(f"/communities/{COMMUNITY}/setup/shifts/{pk}/", expect=(200, 404)).status == 200:
            return int(pk), people
    return None, set()


def admin_save(admin: Browser, change: str, field: str, **values) -> None:
    """Save the admin's change (or add) form (the one with `field`; the header's logout is a form too)."""
    saved = admin.submit(admin.get(change), "", has=field, _save="Save", **values)
    assert "/change/" not in saved.path and "/add/" not in saved.path, \
        f"the admin did not save {change}: {saved.text[:800]}"


def shift_start_move(admin: Browser, shift_id: int, start: dt.datetime, end: dt.datetime) -> None:
    local_start, local_end = start.astimezone(ZONE), end.astimezone(ZONE)
    admin_save(admin, f"/admin/shifts/shift/{shift_id}/change/", "start_0",
                start_0=local_start.strftime("%Y-%m-%d"), start_1=local_start.strftime("%H:%M:%S"),
                end_0=local_end.strftime("%Y-%m-%d"), end_1=local_end.strftime("%H:%M:%S"))


def schedule_due(admin: Browser, name: str, moment: dt.datetime) -> None:
    """The operator sets a schedule's next run on the admin's schedule page."""
    listing = admin.get("/admin/django_q/schedule/", q=name)
    change = re.search(r'href="(/admin/django_q/schedule/\d+/change/)', listing.html).group(1)
    local = moment.astimezone(ZONE)
    admin_save(admin, change, "next_run_0", next_run_0=local.strftime("%Y-%m-%d"),
                next_run_1=local.strftime("%H:%M:%S"))


def led_shift(deployment, monday: dt.date, avoid: set[str] = frozenset()) -> dict | None:
    """A shift of the week, not begun, whose duty has a lead skill (patrols: first aid), with two or more members
    on the published roster and one of them of COMMUNITY holding it, none of them named in ``avoid``: {"shift",
    "leader", "leader_name", "assignment" (the leader's), "others" (the other members' names)}, or None."""
    code = f"""
import datetime as dt, json
from django.utils import timezone
from shifts.models import Assignment
start = dt.datetime.combine(dt.date.fromisoformat('{monday.isoformat()}'), dt.time(), timezone.get_current_timezone())
teams = {{}}
for a in (Assignment.objects.filter(roster__status='published', shift__community_id={COMMUNITY},
          shift__start__gt=timezone.now(), shift__start__lt=start + dt.timedelta(days=7),
          shift__duty__lead_skill__isnull=False).select_related('shift__duty', 'member').order_by('shift__start')):
    teams.setdefault(a.shift_id, []).append(a)
avoid = set(json.loads({json.dumps(json.dumps(sorted(avoid)))}))
found = None
for shift_id, team in teams.items():
    if any(a.member.name in avoid for a in team):
        continue
    lead = team[0].shift.duty.lead_skill_id
    leaders = [a for a in team if a.member.community_id == {COMMUNITY} and a.member.skills.filter(pk=lead).exists()]
    if len(team) >= 2 and leaders:
        found = {{"shift": shift_id, "leader": leaders[0].member_id, "leader_name": leaders[0].member.name,
                 "assignment": leaders[0].pk, "others": [a.member.name for a in team if a is not leaders[0]]}}
        break
print(json.dumps(found))
"""
    return deployment.shell_json(code)
