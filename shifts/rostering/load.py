"""A member's load: the minutes they gave in published rosters. The optimizer's fairness history and the
fairness page read history_minutes; the member list's load column reads member_month_minutes; "this week's load",
by which 谁能接？ and the swap forms rank who could take a shift, is week_load."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from shifts.models import Assignment, Attendance, Roster
from shifts.models.shifts import wall_minutes
from volunteers.models import Community


def history_minutes(member_ids, start: dt.datetime, end: dt.datetime, community: Community | None = None
                    ) -> dict[int, int]:
    """Minutes each member gave in published rosters of shifts starting in [start, end) (of one community, or
    all when None; member_ids None: everyone): the served minutes where the shift has attendance recorded, the
    planned minutes where it has none."""
    assignments = Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, shift__start__gte=start,
                                            shift__start__lt=end)
    if member_ids is not None:
        assignments = assignments.filter(member_id__in=member_ids)
    if community is not None:
        assignments = assignments.filter(roster__community=community)
    rows = list(assignments.values_list("member_id", "shift_id", "shift__start", "shift__end").distinct())
    shift_ids = {shift_id for _m, shift_id, _s, _e in rows}
    recorded = set(Attendance.objects.filter(shift_id__in=shift_ids).values_list("shift_id", flat=True).distinct())
    served_by = dict(((a, b), m) for a, b, m in Attendance.objects.filter(shift_id__in=recorded)
                     .values_list("shift_id", "member_id", "served_minutes"))
    totals: dict[int, int] = defaultdict(int)
    for member_id, shift_id, shift_start, shift_end in rows:
        if shift_id in recorded:
            totals[member_id] += served_by.get((shift_id, member_id), 0)
        else:
            totals[member_id] += wall_minutes(shift_start, shift_end)
    return dict(totals)


def member_month_minutes(member_ids) -> dict[int, int]:
    """Published minutes per member in the current calendar month (the member list's load column)."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(today.replace(day=1), dt.time.min, tzinfo=tz)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    rows = Assignment.objects.filter(member_id__in=member_ids, roster__status=Roster.Status.PUBLISHED,
                                     shift__start__gte=first, shift__start__lt=following)
    totals: dict[int, int] = {}
    for member_id, start, end in rows.values_list("member_id", "shift__start", "shift__end"):
        totals[member_id] = totals.get(member_id, 0) + wall_minutes(start, end)
    return totals


@dataclass(frozen=True)
class WeekLoad:
    """What a member holds in one week: how many shifts, and their minutes."""

    minutes: int = 0
    shifts: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def week_load(member_ids, week_start: dt.date, *, roster: Roster | None = None) -> dict[int, WeekLoad]:
    """This week's load of each member (members holding nothing are left out): the shifts they hold in the
    week's rosters of every community, each community's week counted once, by the roster that stands for it:
    `roster` (the draft or proposal at hand) for its own community, else the community's published roster, else
    its draft (a neighbour still planning the week)."""
    rows = Assignment.objects.filter(member_id__in=member_ids, roster__week_start=week_start,
                                     roster__status__in=[Roster.Status.PUBLISHED, Roster.Status.DRAFT])
    if roster is not None:
        rows = rows.exclude(roster__community_id=roster.community_id)
    rows = list(rows.values_list("member_id", "roster__community_id", "roster__status", "shift__start",
                                 "shift__end"))
    drafted = {community for _m, community, status, _s, _e in rows if status == Roster.Status.DRAFT}
    published = set(Roster.objects.filter(community_id__in=drafted, week_start=week_start,
                                          status=Roster.Status.PUBLISHED).values_list("community_id", flat=True))
    held = [(m, start, end) for m, community, status, start, end in rows
            if status == Roster.Status.PUBLISHED or community not in published]
    if roster is not None:
        held += list(roster.assignments.filter(member_id__in=member_ids)
                     .values_list("member_id", "shift__start", "shift__end"))
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for member_id, start, end in held:
        totals[member_id][0] += wall_minutes(start, end)
        totals[member_id][1] += 1
    return {pk: WeekLoad(minutes, count) for pk, (minutes, count) in totals.items()}
