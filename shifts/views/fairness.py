"""Minutes served per member over the last eight published weeks, to spot who carries too much."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.shortcuts import render

from shifts.services.hours import history_minutes
from shifts.services.weeks import week_bounds
from volunteers.selectors import community_for, members_serving

from .common import staff_required, this_monday

WEEKS = 8


@dataclass
class MemberLoad:
    member: object
    by_week: list = field(default_factory=list)  # minutes per week, oldest first
    weeks: list = field(default_factory=list)

    @property
    def columns(self) -> list:
        return list(zip(self.weeks, self.by_week, strict=True))

    @property
    def total(self) -> int:
        return sum(self.by_week)

    @property
    def hours(self) -> float:
        return round(self.total / 60, 1)


@staff_required
def fairness(request, community_id):
    community = community_for(request.user, community_id)
    last = this_monday()
    weeks = [last - dt.timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    minutes = defaultdict(lambda: [0] * WEEKS)
    # Served minutes where attendance was taken, planned minutes otherwise (the optimizer's fairness history).
    for index, week_start in enumerate(weeks):
        start, end = week_bounds(week_start)
        for member_id, total in history_minutes(None, start, end, community=community).items():
            minutes[member_id][index] += total
    members = list(members_serving(community).order_by("name"))
    extra = set(minutes) - {m.pk for m in members}
    if extra:  # people who served here earlier but no longer do still count
        from volunteers.models import Member
        members += list(Member.objects.filter(pk__in=extra).order_by("name"))
    loads = sorted((MemberLoad(m, minutes[m.pk], weeks) for m in members),
                   key=lambda load: (-load.total, load.member.name))
    most = max((load.total for load in loads), default=0)
    served = [load.total for load in loads if load.total]
    average = sum(served) / len(served) if served else 0
    return render(request, "shifts/fairness.html", {
        "community": community, "weeks": weeks, "loads": loads, "most": most or 1,
        "average_hours": round(average / 60, 1), "idle": sum(1 for load in loads if not load.total),
    })
