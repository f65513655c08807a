"""Arranging a no-show: a shift of this week, with members on it and nobody checked in, that began minutes ago.

The secretary's page moves only shifts still to come, so the operator moves the shift's start into the past on
the admin's shift page (a shift must start on the 15-minute grid: the latest quarter hour at least a minute ago,
which NO_SHOW_AFTER_MINUTES=1 has passed). Then the operator makes yure.welfare_ladder due on the admin's
schedule page, and the cluster's scheduler runs it.
"""

import datetime as dt
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


def _admin_save(admin: Browser, change: str, field: str, **values) -> None:
    """Save the admin's change form (the one with `field`; the header's logout is a form too)."""
    saved = admin.submit(admin.get(change), "", has=field, _save="Save", **values)
    assert "/change/" not in saved.path, f"the admin did not save {change}: {saved.text[:800]}"


def shift_start_move(admin: Browser, shift_id: int, start: dt.datetime, end: dt.datetime) -> None:
    local_start, local_end = start.astimezone(ZONE), end.astimezone(ZONE)
    _admin_save(admin, f"/admin/shifts/shift/{shift_id}/change/", "start_0",
                start_0=local_start.strftime("%Y-%m-%d"), start_1=local_start.strftime("%H:%M:%S"),
                end_0=local_end.strftime("%Y-%m-%d"), end_1=local_end.strftime("%H:%M:%S"))


def schedule_due(admin: Browser, name: str, moment: dt.datetime) -> None:
    """The operator sets a schedule's next run on the admin's schedule page."""
    listing = admin.get("/admin/django_q/schedule/", q=name)
    change = re.search(r'href="(/admin/django_q/schedule/\d+/change/)', listing.html).group(1)
    local = moment.astimezone(ZONE)
    _admin_save(admin, change, "next_run_0", next_run_0=local.strftime("%Y-%m-%d"),
                next_run_1=local.strftime("%H:%M:%S"))
