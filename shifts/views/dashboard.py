"""The secretary's dashboard: this week and next for each community, in a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.shortcuts import render

from shifts.models import Assignment, Roster, Shift, SolveRun, SwapRequest
from volunteers.calendars import years_estimated
from volunteers.selectors import communities_for, is_district_admin

from .common import redact_roster_reasons, staff_required, this_monday, week_bounds
from .grid import choose_roster, unfilled_reasons
from .reach import reach_context


@dataclass
class WeekSummary:
    week_start: dt.date
    roster: Roster | None = None
    proposal: Roster | None = None
    run: SolveRun | None = None
    wanted: int = 0
    filled: int = 0
    short: list = field(default_factory=list)  # (shift, missing)
    reasons: list = field(default_factory=list)  # (shift, plain-language reason)

    @property
    def state(self) -> str:
        if self.run is not None:
            return "drafting"
        return self.roster.status if self.roster is not None else "none"

    @property
    def fill_rate(self) -> float | None:
        return self.filled / self.wanted if self.wanted else None


@dataclass
class CommunitySummary:
    community: object
    weeks: list
    pending_swaps: int = 0


@staff_required
def dashboard(request):
    communities = list(communities_for(request.user).order_by("name"))
    weeks = [this_monday(), this_monday() + dt.timedelta(days=7)]
    summaries = _summaries(communities, weeks)
    redact_roster_reasons(request.user, [week.proposal for summary in summaries for week in summary.weeks])
    # A planning week in a year whose State Council dates are not entered is planned on the package's estimate.
    estimated = years_estimated(weeks[0], weeks[-1] + dt.timedelta(days=7))
    return render(request, "shifts/dashboard.html", {"summaries": summaries, "weeks": weeks,
                                                     "estimated_years": estimated,
                                                     "calendar_editor": is_district_admin(request.user),
                                                     **reach_context(communities)})


def _summaries(communities, weeks) -> list[CommunitySummary]:
    ids = [c.pk for c in communities]
    rosters = defaultdict(dict)
    for roster in (Roster.objects.filter(community_id__in=ids, week_start__in=weeks,
                                         status__in=["draft", "proposal", "published"]).order_by("created_at")):
        rosters[(roster.community_id, roster.week_start)][roster.status] = roster
    runs = {(r.community_id, r.week_start): r for r in SolveRun.objects.filter(
        community_id__in=ids, week_start__in=weeks, status__in=["queued", "running"])}
    start, _end = week_bounds(weeks[0])
    _start, end = week_bounds(weeks[-1])
    shifts = list(Shift.objects.filter(community_id__in=ids, start__gte=start, start__lt=end)
                  .select_related("duty").order_by("start"))
    shown = {key: choose_roster(by_status, None) for key, by_status in rosters.items()}
    staffed = _staffed([r.pk for r in shown.values() if r is not None])
    swaps = dict(SwapRequest.objects.filter(state=SwapRequest.State.ACCEPTED, requester__community_id__in=ids)
                 .values_list("requester__community_id").annotate(n=Count("pk")))
    out = []
    for community in communities:
        summary = CommunitySummary(community, [], swaps.get(community.pk, 0))
        for week_start in weeks:
            key = (community.pk, week_start)
            week = WeekSummary(week_start, shown.get(key), rosters[key].get("proposal"), runs.get(key))
            summary.weeks.append(week)
        out.append(summary)
    by_key = {(s.community.pk, w.week_start): w for s in out for w in s.weeks}
    for shift in shifts:
        week = by_key.get((shift.community_id, _monday(shift.start)))
        if week is None or week.roster is None:
            continue
        have = staffed.get((week.roster.pk, shift.pk), 0)
        week.wanted += shift.min_staff
        week.filled += min(have, shift.min_staff)
        if have < shift.min_staff:
            week.short.append((shift, shift.min_staff - have))
    by_pk = {shift.pk: shift for shift in shifts}
    for week in by_key.values():
        week.reasons = unfilled_reasons(week.roster, by_pk)
    return out


def _staffed(roster_ids) -> dict:
    rows = (Assignment.objects.filter(roster_id__in=roster_ids).values("roster_id", "shift_id")
            .annotate(n=Count("pk")))
    return {(r["roster_id"], r["shift_id"]): r["n"] for r in rows}


def _monday(moment) -> dt.date:
    from django.utils import timezone
    day = timezone.localtime(moment).date()
    return day - dt.timedelta(days=day.weekday())
