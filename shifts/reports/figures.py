"""The monthly report's figures, read from the ledger (attendance, no-show checks, the patrol log), never from
plans alone: a shift counts as served only where attendance says so. Every query is grouped by community, so one
pass answers a community's report and the district's side-by-side table alike.

Nothing here reads health, caregiving or addresses; households are counted by kind, never named.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from shifts.models import Assignment, Attendance, Duty, NoShowCheck, PatrolLogEntry, Roster, Shift
from shifts.reports.periods import Month
from shifts.rostering.readmodels.fill import fill_rate
from shifts.weeks import week_bounds
from volunteers.models import Community, Member, VisitTarget

IDLE_MONTHS = 3  # "has not taken part for three months": this month and the two before it
TREND_MONTHS = 6


@dataclass
class CommunityFigures:
    """One community's month. Minutes and counts only; names only of its own idle members."""
    community: Community
    active: int = 0
    served_member_ids: set = field(default_factory=set)
    idle: list = field(default_factory=list)  # (member id, name) of active members idle for IDLE_MONTHS months
    study_sessions: int = 0
    study_expected: int = 0
    study_present: int = 0
    service_minutes: int = 0
    places_planned: int = 0
    places_served: int = 0
    shifts_planned: int = 0
    fill: list = field(default_factory=list)  # (people wanted, people served up to each minimum) pairs
    no_shows: Counter = field(default_factory=Counter)  # outcome ("" while open) -> checks
    visited: Counter = field(default_factory=Counter)  # household kind -> households visited
    not_visited: Counter = field(default_factory=Counter)  # household kind -> active households not visited
    visits_served: int = 0
    visits_familiar: int = 0
    rounds_walked: int = 0
    notes: int = 0
    notes_handed: int = 0
    handed_by_tag: Counter = field(default_factory=Counter)

    @property
    def served_members(self) -> int:
        return len(self.served_member_ids)

    @property
    def study_rate(self) -> float | None:
        return self.study_present / self.study_expected if self.study_expected else None

    @property
    def fill_rate(self) -> float | None:
        return fill_rate(self.fill)

    @property
    def familiar_share(self) -> float | None:
        return self.visits_familiar / self.visits_served if self.visits_served else None


@dataclass
class MonthFigures:
    """The figures of a set of communities for one month: per community, and the scope's own (fairness, hours
    by duty, trends), which are not sums of the communities'."""
    month: Month
    communities: list  # CommunityFigures, by community name
    total: CommunityFigures
    hours_by_duty: list  # (duty name, minutes, served places), most first
    member_minutes: list  # minutes per member who served, most first
    trend: list  # TrendPoint, oldest first, ending with this month


@dataclass
class TrendPoint:
    month: Month
    minutes: int = 0
    members: int = 0
    study_present: int = 0
    study_expected: int = 0
    households_visited: int = 0
    rounds_walked: int = 0
    no_shows: int = 0

    @property
    def study_rate(self) -> float | None:
        return self.study_present / self.study_expected if self.study_expected else None


def _gatherings() -> list[int]:
    """Ids of the gathering duties (settings.UNROSTERED_DUTIES): filtering on the shift's own duty column spares
    a join to the duties on every row of a district's half-year."""
    return list(Duty.objects.filter(code__in=settings.UNROSTERED_DUTIES).values_list("pk", flat=True))


def _patrol() -> list[int]:
    return list(Duty.objects.filter(code=settings.PATROL_DUTY_CODE).values_list("pk", flat=True))


def _in(communities, start, end, prefix="shift__"):
    return {f"{prefix}community__in": communities, f"{prefix}start__gte": start, f"{prefix}start__lt": end}


def _service_served(ids, start, end):
    """Served attendance on duties (the gatherings are organisational life, not service)."""
    return Attendance.objects.filter(served=True, **_in(ids, start, end)).exclude(shift__duty_id__in=_gatherings())


def month_figures(*, communities: list[Community], month: Month) -> MonthFigures:
    """Every figure of the report for these communities in this month."""
    ids = [c.pk for c in communities]
    start, end = month.bounds()
    rows = {c.pk: CommunityFigures(community=c) for c in sorted(communities, key=lambda c: c.name)}
    _taking_part(rows, ids, month)
    _service(rows, ids, start, end)
    _fill(rows, ids, month)
    _care(rows, ids, start, end)
    _patrols(rows, ids, start, end)
    total = _totals(list(rows.values()))
    served = _service_served(ids, start, end)
    by_duty = [(r["shift__duty__name"], r["m"], r["n"]) for r in served.values("shift__duty__name")
               .annotate(m=Sum("served_minutes"), n=Count("pk")).order_by("-m", "shift__duty__name")]
    minutes = sorted((r["m"] for r in served.values("member_id").annotate(m=Sum("served_minutes"))), reverse=True)
    return MonthFigures(month=month, communities=list(rows.values()), total=total, hours_by_duty=by_duty,
                        member_minutes=minutes, trend=trend(communities=communities, month=month))


# --------------------------------------------------------------------------- taking part

def _active_by_community(ids) -> dict[int, int]:
    return dict(Member.objects.filter(community__in=ids, active=True).values_list("community_id")
                .annotate(n=Count("pk")))


def _taking_part(rows, ids, month: Month) -> None:
    start, end = month.bounds()
    for community_id, count in _active_by_community(ids).items():
        rows[community_id].active = count
    for community_id, member_id in (_service_served(ids, start, end).order_by()
                                    .values_list("shift__community_id", "member_id").distinct()):
        rows[community_id].served_member_ids.add(member_id)
    # Idle: no served attendance at all (duty or gathering, in any community) in the last IDLE_MONTHS months.
    idle_start, _end = month.previous(IDLE_MONTHS - 1).bounds()
    took_part = set(Attendance.objects.filter(served=True, shift__start__gte=idle_start, shift__start__lt=end)
                    .order_by().values_list("member_id", flat=True).distinct())
    for member_id, name, community_id in (Member.objects.filter(community__in=ids, active=True)
                                          .order_by("name").values_list("pk", "name", "community_id")):
        if member_id not in took_part:
            rows[community_id].idle.append((member_id, name))
    _study(rows, ids, start, end)


def _study(rows, ids, start, end) -> None:
    """Study-day attendance: members of the community present at its gatherings, out of its active members at
    each gathering (membership as it is now: the ledger keeps no history of who was a member when)."""
    active = _active_by_community(ids)
    sessions = (Shift.objects.filter(duty_id__in=_gatherings(), **_in(ids, start, end, prefix=""))
                .values_list("community_id").annotate(n=Count("pk")))
    for community_id, count in sessions:
        rows[community_id].study_sessions = count
        rows[community_id].study_expected = count * active.get(community_id, 0)
    present = (Attendance.objects.filter(served=True, shift__duty_id__in=_gatherings(), **_in(ids, start, end))
               .filter(member__community_id=F("shift__community_id"))
               .values_list("shift__community_id").annotate(n=Count("pk")))
    for community_id, count in present:
        rows[community_id].study_present = count


# --------------------------------------------------------------------------- service

def _service(rows, ids, start, end) -> None:
    served = _service_served(ids, start, end).values_list("shift__community_id").annotate(
        m=Sum("served_minutes"), n=Count("pk"))
    for community_id, minutes, count in served:
        rows[community_id].service_minutes, rows[community_id].places_served = minutes, count
    planned = (Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, **_in(ids, start, end))
               .exclude(shift__duty_id__in=_gatherings()).values_list("shift__community_id")
               .annotate(n=Count("pk")))
    for community_id, count in planned:
        rows[community_id].places_planned = count
    no_shows = (NoShowCheck.objects.filter(**_in(ids, start, end)).values_list("shift__community_id", "outcome")
                .annotate(n=Count("pk")))
    for community_id, outcome, count in no_shows:
        rows[community_id].no_shows[outcome] += count


def _fill(rows, ids, month: Month) -> None:
    """The fill rate of the shifts of published weeks, counting the people who served (not those planned):
    per community one (people wanted, people served up to each shift's minimum) pair, summed in the database."""
    start, end = month.bounds()
    published = defaultdict(set)  # week -> communities whose roster of that week is published
    for community_id, week_start in Roster.objects.filter(
            community__in=ids, status=Roster.Status.PUBLISHED,
            week_start__gte=month.first_day - dt.timedelta(days=6), week_start__lte=month.last_day
    ).values_list("community_id", "week_start"):
        published[week_start].add(community_id)
    if not published:
        return
    weeks = Q()
    for week_start, communities in published.items():  # one term a week, whatever the district's size
        week_begin, week_end = week_bounds(week_start)
        weeks |= Q(community_id__in=communities, start__gte=week_begin, start__lt=week_end)
    came = (Attendance.objects.filter(shift=OuterRef("pk"), served=True).order_by().values("shift")
            .annotate(n=Count("pk")).values("n"))
    planned = (Shift.objects.filter(weeks, **_in(ids, start, end, prefix="")).exclude(duty_id__in=_gatherings())
               .annotate(came=Coalesce(Subquery(came, output_field=IntegerField()), 0)).values("community_id")
               .annotate(shifts=Count("pk"), wanted=Sum("min_staff"), filled=Sum(Least("came", "min_staff")))
               .order_by())
    for row in planned:
        rows[row["community_id"]].shifts_planned = row["shifts"]
        rows[row["community_id"]].fill.append((row["wanted"], row["filled"]))


# --------------------------------------------------------------------------- care

def _care(rows, ids, start, end) -> None:
    visits = _service_served(ids, start, end).filter(shift__visit_target__isnull=False)
    visited = set()
    for community_id, target_id, kind in visits.order_by().values_list(
            "shift__community_id", "shift__visit_target_id", "shift__visit_target__circumstances").distinct():
        rows[community_id].visited[kind] += 1
        visited.add(target_id)
    for community_id, count in visits.values_list("shift__community_id").annotate(n=Count("pk")):
        rows[community_id].visits_served = count
    # A familiar visitor is one of the household's usual visitors (VisitTarget.preferred_visitors).
    familiar = (visits.filter(shift__visit_target__preferred_visitors=F("member_id"))
                .values_list("shift__community_id").annotate(n=Count("pk")))
    for community_id, count in familiar:
        rows[community_id].visits_familiar = count
    for target_id, community_id, kind in (VisitTarget.objects.filter(community__in=ids, active=True)
                                          .values_list("pk", "community_id", "circumstances")):
        if target_id not in visited:
            rows[community_id].not_visited[kind] += 1


# --------------------------------------------------------------------------- patrols

def _patrols(rows, ids, start, end) -> None:
    rounds = (_service_served(ids, start, end).filter(shift__duty_id__in=_patrol())
              .values_list("shift__community_id").annotate(n=Count("shift_id", distinct=True)))
    for community_id, count in rounds:
        rows[community_id].rounds_walked = count
    for community_id, tags, handed in (PatrolLogEntry.objects.filter(**_in(ids, start, end))
                                       .values_list("shift__community_id", "tags", "handed_over_at")):
        row = rows[community_id]
        row.notes += 1
        if handed is not None:
            row.notes_handed += 1
            row.handed_by_tag.update(tags or [])


# --------------------------------------------------------------------------- the scope's total

_SUMMED = ("active", "study_sessions", "study_expected", "study_present", "service_minutes", "places_planned",
           "places_served", "shifts_planned", "visits_served", "visits_familiar", "rounds_walked", "notes",
           "notes_handed")
_COUNTED = ("no_shows", "visited", "not_visited", "handed_by_tag")


def _totals(rows: list[CommunityFigures]) -> CommunityFigures:
    total = CommunityFigures(community=None)
    for row in rows:
        for name in _SUMMED:
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for name in _COUNTED:
            getattr(total, name).update(getattr(row, name))
        total.served_member_ids |= row.served_member_ids  # a member may serve two communities: counted once
        total.idle.extend(row.idle)
        total.fill.extend(row.fill)
    return total


# --------------------------------------------------------------------------- month over month

def trend(*, communities: list[Community], month: Month, months: int = TREND_MONTHS) -> list[TrendPoint]:
    """The headline figures of each of the last `months` months, a few grouped queries for all of them."""
    ids = [c.pk for c in communities]
    trail = month.trail(months)
    start, end = trail[0].bounds()[0], month.bounds()[1]
    points = {m: TrendPoint(month=m) for m in trail}
    # One pass over the half-year's served attendance: hours, members, households visited (a household is on
    # visit shifts only) and patrol rounds walked.
    served = _service_served(ids, start, end)
    for point, row in _monthly(points, served, m=Sum("served_minutes"), k=Count("member_id", distinct=True),
                               h=Count("shift__visit_target_id", distinct=True),
                               r=Count("shift_id", distinct=True, filter=Q(shift__duty_id__in=_patrol()))):
        point.minutes, point.members = row["m"], row["k"]
        point.households_visited, point.rounds_walked = row["h"], row["r"]
    for point, row in _monthly(points, NoShowCheck.objects.filter(**_in(ids, start, end)), k=Count("pk")):
        point.no_shows = row["k"]
    _study_trend(points, ids, start, end)
    return [points[m] for m in trail]


def _month_of(moment) -> Month:
    return Month.of(timezone.localtime(moment).date())


def _month_index(trail: list[Month], path: str) -> Case:
    """Which month of the trail a row's shift starts in, as plain comparisons on the indexed start column (a
    time-zone truncation per row costs seconds on SQLite for a district's half-year)."""
    return Case(*[When(**{f"{path}__lt": month.bounds()[1]}, then=Value(index)) for index, month in enumerate(trail)],
                default=Value(-1), output_field=IntegerField())


def _monthly(points, queryset, **aggregates):
    """(trend point, row) for each month of the queryset's shifts, grouped in the database."""
    trail = list(points)
    rows = (queryset.annotate(at=_month_index(trail, "shift__start")).values("at").annotate(**aggregates)
            .order_by())
    for row in rows:
        if 0 <= row["at"] < len(trail):
            yield points[trail[row["at"]]], row


def _study_trend(points, ids, start, end) -> None:
    active = _active_by_community(ids)
    sessions = (Shift.objects.filter(duty_id__in=_gatherings(), **_in(ids, start, end, prefix=""))
                .values_list("start", "community_id"))
    for session_start, community_id in sessions:
        point = points.get(_month_of(session_start))
        if point is not None:
            point.study_expected += active.get(community_id, 0)
    present = (Attendance.objects.filter(served=True, shift__duty_id__in=_gatherings(), **_in(ids, start, end))
               .filter(member__community_id=F("shift__community_id")))
    for point, row in _monthly(points, present, k=Count("pk")):
        point.study_present = row["k"]
