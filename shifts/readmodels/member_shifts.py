"""A member's own next weeks: published assignments with teammates and any absence, and the shifts given up."""

import datetime as dt

from django.utils import timezone

from shifts.models import Assignment, ShiftExclusion
from shifts.selectors import published_assignments
from shifts.services.weeks import week_start_of

WEEKS_AHEAD = 4


def upcoming_assignments(member, now: dt.datetime | None = None) -> tuple[list, list]:
    """(assignments, absences): the member's published assignments from `now` for four weeks, each with
    `teammates`, `reported_absent` and `week_start`; and the member's periods away that overlap them."""
    now = now or timezone.now()
    until = now + dt.timedelta(weeks=WEEKS_AHEAD)
    mine = list(published_assignments(member, now, until))
    team = {}
    for other in (Assignment.objects.filter(roster_id__in={a.roster_id for a in mine},
                                            shift_id__in={a.shift_id for a in mine})
                  .exclude(member=member).select_related("member").order_by("member__name")):
        team.setdefault((other.roster_id, other.shift_id), []).append(other.member)
    absences = list(member.unavailability.filter(end__gt=now, start__lt=until))
    for assignment in mine:
        shift = assignment.shift
        assignment.teammates = team.get((assignment.roster_id, shift.pk), [])
        assignment.reported_absent = any(a.start < shift.end and shift.start < a.end for a in absences)
        assignment.week_start = week_start_of(shift.start)
    return mine, absences


def shifts_given_up(member, now: dt.datetime | None = None) -> list:
    """Shifts ahead that the member said they cannot come to, taken off the published roster at once."""
    now = now or timezone.now()
    return list(ShiftExclusion.objects.filter(member=member, cause=ShiftExclusion.Cause.ABSENT, shift__start__gt=now,
                                              shift__start__lt=now + dt.timedelta(weeks=WEEKS_AHEAD))
                .select_related("shift__duty").order_by("shift__start"))
