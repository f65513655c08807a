"""Reads for rosters, runs and assignments. Callers scope communities and members through volunteers.selectors."""

import datetime as dt

from django.db.models import QuerySet

from shifts.models import Assignment, Roster, Shift, ShiftExclusion, SolveRun
from shifts.rostering.readmodels.fill import fill_rate
from shifts.weeks import week_bounds
from volunteers.models import Community, Member


def roster_for_week(community: Community, week_start: dt.date, status: str = Roster.Status.PUBLISHED
                    ) -> Roster | None:
    """The community's roster of that status for the week (the newest one for proposal/discarded/superseded)."""
    return (Roster.objects.filter(community=community, week_start=week_start, status=status)
            .order_by("-created_at", "-pk").first())


def members_withdrawn_in_week(week_start: dt.date, member_ids=None) -> set[int]:
    """Members who said they cannot come to a shift of the week and were taken off it (ShiftExclusion "absent"),
    among `member_ids` when given. No plan gives them a new shift of that week, and no call-down asks them to
    take one: they told us they cannot come. Putting them back by hand (or 我又能来了) lifts the exclusion."""
    start, end = week_bounds(week_start)
    rows = ShiftExclusion.objects.filter(cause=ShiftExclusion.Cause.ABSENT, shift__start__gte=start,
                                         shift__start__lt=end)
    if member_ids is not None:
        rows = rows.filter(member_id__in=member_ids)
    return set(rows.values_list("member_id", flat=True))


def roster_current(community: Community, week_start: dt.date) -> Roster | None:
    """The draft if there is one, else the published roster: what a secretary is working on."""
    return (roster_for_week(community, week_start, Roster.Status.DRAFT)
            or roster_for_week(community, week_start, Roster.Status.PUBLISHED))


def roster_assignments(roster: Roster) -> QuerySet[Assignment]:
    return roster.assignments.select_related("shift__duty", "member").order_by("shift__start", "shift_id",
                                                                                "member__name")


def published_assignments(member: Member, start: dt.datetime, end: dt.datetime) -> QuerySet[Assignment]:
    """The member's assignments in published rosters on shifts overlapping [start, end)."""
    return (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                      shift__start__lt=end, shift__end__gt=start)
            .select_related("shift__duty", "shift__community", "roster").order_by("shift__start"))


def shifts_for_week(community: Community, week_start: dt.date) -> QuerySet[Shift]:
    start, end = week_bounds(week_start)
    return (Shift.objects.filter(community=community, start__gte=start, start__lt=end)
            .select_related("duty").order_by("start", "pk"))


def solve_run_active(community: Community, week_start: dt.date) -> SolveRun | None:
    return SolveRun.objects.filter(community=community, week_start=week_start,
                                   status__in=[SolveRun.Status.QUEUED, SolveRun.Status.RUNNING]).first()


def solve_run_latest(community: Community, week_start: dt.date) -> SolveRun | None:
    return SolveRun.objects.filter(community=community, week_start=week_start).order_by("-requested_at",
                                                                                         "-pk").first()


def proposals_open(community: Community) -> QuerySet[Roster]:
    """Re-plan proposals waiting for the secretary, urgent first."""
    return Roster.objects.filter(community=community, status=Roster.Status.PROPOSAL).order_by("-urgent",
                                                                                           "week_start")


def roster_fill_rate(roster: Roster) -> float | None:
    """Share of wanted places that are filled (1.0 when nothing is wanted): the one rule in readmodels.fill."""
    counts: dict[int, int] = {}
    for shift_id in roster.assignments.values_list("shift_id", flat=True):
        counts[shift_id] = counts.get(shift_id, 0) + 1
    return fill_rate((s.min_staff, counts.get(s.pk, 0)) for s in shifts_for_week(roster.community, roster.week_start))
