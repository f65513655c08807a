"""Who served how much: hours per member over the last weeks of published rosters, to spot who carries too much.

Served minutes where attendance was taken, planned minutes otherwise: the same history the optimizer's fairness
rule reads (shifts.rostering.load.history_minutes). The page shows hours only."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from shifts.rostering.load import history_minutes
from shifts.weeks import week_bounds
from volunteers.models import Member
from volunteers.selectors import members_serving

WEEKS = 8


def hours_of(minutes: int) -> float:
    return round(minutes / 60, 1)


@dataclass
class MemberLoad:
    member: Member
    by_week: list = field(default_factory=list)  # minutes per week, oldest first
    weeks: list = field(default_factory=list)

    @property
    def columns(self) -> list:
        """(week start, hours) per week, oldest first."""
        return [(week, hours_of(minutes)) for week, minutes in zip(self.weeks, self.by_week, strict=True)]

    @property
    def total(self) -> int:
        return sum(self.by_week)

    @property
    def hours(self) -> float:
        return hours_of(self.total)


@dataclass
class FairnessTable:
    weeks: list  # Mondays, oldest first
    loads: list  # MemberLoad, most hours first

    @property
    def most(self) -> int:
        """The largest total in minutes (at least 1: the bar's maximum)."""
        return max((load.total for load in self.loads), default=0) or 1

    @property
    def average_hours(self) -> float:
        served = [load.total for load in self.loads if load.total]
        return hours_of(sum(served) / len(served)) if served else 0

    @property
    def idle(self) -> int:
        return sum(1 for load in self.loads if not load.total)


def fairness_table(community, last_week: dt.date, weeks: int = WEEKS) -> FairnessTable:
    """Everyone serving `community` now, and anyone who served it in the `weeks` weeks ending with `last_week`."""
    starts = [last_week - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    minutes = defaultdict(lambda: [0] * weeks)
    for index, week_start in enumerate(starts):
        start, end = week_bounds(week_start)
        for member_id, total in history_minutes(None, start, end, community=community).items():
            minutes[member_id][index] += total
    members = list(members_serving(community).order_by("name"))
    extra = set(minutes) - {m.pk for m in members}
    if extra:  # people who served here earlier but no longer do still count
        members += list(Member.objects.filter(pk__in=extra).order_by("name"))
    loads = sorted((MemberLoad(m, minutes[m.pk], starts) for m in members),
                   key=lambda load: (-load.total, load.member.name))
    return FairnessTable(weeks=starts, loads=loads)
