"""A member's load: the minutes they gave in published rosters. The optimizer's fairness history and the
fairness page read history_minutes; the member list's load column reads member_month_minutes."""

import datetime as dt
from collections import defaultdict

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
