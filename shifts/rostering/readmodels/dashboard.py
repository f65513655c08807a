"""The secretary's dashboard: this week and next for each community, in a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from shifts.models import Assignment, Roster, Shift, SolveRun, SwapRequest
from shifts.rostering.readmodels.fill import fill_rate
from shifts.rostering.readmodels.week_grid import SHOWN_STATUSES, choose_roster, unfilled_reasons
from shifts.weeks import week_bounds, week_start_of


@dataclass
class WeekSummary:
    week_start: dt.date
    roster: Roster | None = None
    proposal: Roster | None = None
    run: SolveRun | None = None
    places: list = field(default_factory=list)  # (min_staff, staffed) per shift of the shown roster
    short: list = field(default_factory=list)  # (shift, missing)
    reasons: list = field(default_factory=list)  # (shift, plain-language reason)

    @property
    def state(self) -> str:
        if self.run is not None:
            return "drafting"
        return self.roster.status if self.roster is not None else "none"

    @property
    def fill_rate(self) -> float | None:
        return fill_rate(self.places) if self.roster is not None else None


@dataclass
class CommunitySummary:
    community: object
    weeks: list
    pending_swaps: int = 0


def community_summaries(communities, weeks) -> list[CommunitySummary]:
    """One CommunitySummary per community, each with a WeekSummary per week in `weeks` (Mondays)."""
    ids = [c.pk for c in communities]
    rosters = defaultdict(dict)
    for roster in (Roster.objects.filter(community_id__in=ids, week_start__in=weeks, status__in=SHOWN_STATUSES)
                   .order_by("created_at")):
        rosters[(roster.community_id, roster.week_start)][roster.status] = roster
    runs = {(r.community_id, r.week_start): r for r in SolveRun.objects.filter(
        community_id__in=ids, week_start__in=weeks, status__in=[SolveRun.Status.QUEUED, SolveRun.Status.RUNNING])}
    start, _end = week_bounds(min(weeks))
    _start, end = week_bounds(max(weeks))
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
            summary.weeks.append(WeekSummary(week_start, shown.get(key), rosters[key].get(Roster.Status.PROPOSAL),
                                             runs.get(key)))
        out.append(summary)
    by_key = {(s.community.pk, w.week_start): w for s in out for w in s.weeks}
    for shift in shifts:
        week = by_key.get((shift.community_id, week_start_of(shift.start)))
        if week is None or week.roster is None:
            continue
        have = staffed.get((week.roster.pk, shift.pk), 0)
        week.places.append((shift.min_staff, have))
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
