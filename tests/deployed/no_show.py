"""Arranging a no-show: a shift of this week moved to start in a moment, and the no-show check scheduled after it.

Shifts start on a 15-minute grid and a shift can only be moved while it is still to come, so the earliest start
is the next quarter hour at least a minute away. The conftest arranges it as soon as the deployment answers, so
the wait runs while the other tests do.
"""

import dataclasses
import datetime as dt
import re
import zoneinfo

from .harness import Browser, member_ids

COMMUNITY = 1
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")  # the service's TIME_ZONE (its default; the harness does not set it)
AFTER = dt.timedelta(minutes=1)  # the deployment's NO_SHOW_AFTER_MINUTES


@dataclasses.dataclass
class Arranged:
    start: dt.datetime | None  # None: nothing could be moved (the reason says why)
    people: set[str]
    reason: str = ""


def this_monday(now: dt.datetime) -> dt.date:
    return now.date() - dt.timedelta(days=now.weekday())


def next_quarter(now: dt.datetime) -> dt.datetime:
    moment = (now + dt.timedelta(seconds=60)).replace(second=0, microsecond=0)
    return moment + dt.timedelta(minutes=-moment.minute % 15)


def movable_shift(secretary: Browser, monday: dt.date):
    """A shift of the week with members on it that has not begun: its change form and who is on it."""
    names = set(member_ids(secretary, COMMUNITY))
    week = secretary.get(f"/communities/{COMMUNITY}/weeks/{monday.isoformat()}/")
    for pk, cell in re.findall(r'id="shift-(\d+)">(.*?)(?=id="shift-|\Z)', week.html, flags=re.S):
        people = {name for name in names if name in cell}
        if not people:
            continue
        form = secretary.get(f"/communities/{COMMUNITY}/setup/shifts/{pk}/", expect=(200, 404))
        if form.status == 200:
            return form, people
    return None, set()


def schedule_at(admin: Browser, name: str, moment: dt.datetime) -> None:
    """The operator sets a schedule's next run on the admin's schedule page."""
    listing = admin.get("/admin/django_q/schedule/", q=name)
    change = re.search(r'href="(/admin/django_q/schedule/\d+/change/)', listing.html).group(1)
    local = moment.astimezone(ZONE)
    saved = admin.submit(admin.get(change), "", has="next_run_0", next_run_0=local.strftime("%Y-%m-%d"),
                         next_run_1=local.strftime("%H:%M:%S"), _save="Save")
    assert saved.path == "/admin/django_q/schedule/", saved.text[:800]


def no_show_arrange(secretary: Browser, admin: Browser) -> Arranged:
    now = dt.datetime.now(ZONE)
    start = next_quarter(now)
    if this_monday(start) != this_monday(now):
        return Arranged(None, set(), "the week ends before the next quarter hour: no shift of it can move there")
    form, people = movable_shift(secretary, this_monday(now))
    if form is None:
        return Arranged(None, set(), "every shift of this week with people on it has begun (late on Sunday)")
    moved = secretary.submit(form, "/setup/shifts/", has="start", start=start.strftime("%Y-%m-%dT%H:%M"),
                             end=(start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    assert "/weeks/" in moved.path, moved.text[:800]
    schedule_at(admin, "yure.no_show_checks", start + AFTER + dt.timedelta(seconds=5))
    return Arranged(start, people)
