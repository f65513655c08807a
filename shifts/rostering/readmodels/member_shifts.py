"""A member's own next weeks: published assignments with teammates and any absence, and the shifts given up."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shifts.models import Assignment, ShiftExclusion
from shifts.rostering.selectors import published_assignments
from shifts.weeks import week_start_of

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


def next_assignment(member, now: dt.datetime | None = None):
    """The member's next published shift they have not said they cannot come to, or None."""
    assignments, _absences = upcoming_assignments(member, now)
    return next((a for a in assignments if not a.reported_absent), None)


def shift_in_words(shift, *, today: dt.date) -> str:
    """One sentence for 长辈模式 and reading aloud: "明天，12月8日，星期二，上午9:00到11:00：巡逻。在东门集合。"."""
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    day = _("%(date)s, %(weekday)s") % {"date": date_format(start, "MONTH_DAY_FORMAT"),
                                        "weekday": date_format(start, "l")}
    relative = {0: _("Today"), 1: _("Tomorrow"), 2: _("The day after tomorrow")}.get((start.date() - today).days)
    if relative:
        day = _("%(relative)s, %(day)s") % {"relative": relative, "day": day}
    part = _("in the morning") if start.hour < 12 else _("in the afternoon") if start.hour < 18 else _("in the evening")
    words = _("%(day)s, %(part)s from %(start)s to %(end)s: %(duty)s.") % {
        "day": day, "part": part, "start": date_format(start, "G:i"), "end": date_format(end, "G:i"),
        "duty": shift.name or shift.duty.display_name}
    if shift.location:
        words = _("%(words)s Meet at %(place)s.") % {"words": words, "place": shift.location}
    return words
