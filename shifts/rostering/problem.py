"""Turn database rows into a roster-problem/1 document (see shared/spec/roster-problem.md) and map ids back.

Ids in the document are strings that carry the primary key: shifts "s<pk>", members "m<pk>", communities
"c<pk>", visit households "v<pk>". Times are local wall-clock times in settings.TIME_ZONE.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from shifts.models import Assignment, Roster, Shift, ShiftExclusion
from shifts.models.shifts import wall_minutes
from shifts.rostering.load import history_minutes
from shifts.weeks import local_zone, week_bounds
from solver.problem import DEFAULT_WEIGHTS, GRID, Rules  # GRID: the one 15-minute grid
from volunteers.calendars import school_run_weekdays
from volunteers.models import CaregivingWindow, Community, Member, Unavailability
from volunteers.selectors import members_serving
from volunteers.validators import WEEKDAY_CODES

logger = logging.getLogger(__name__)

FORMAT = "roster-problem/1"
HISTORY_WEEKS = 4
# A shift lasts at most 24 hours (Shift.clean), so anything that may touch a shift of the week ends by then.
_SPILL = dt.timedelta(days=1)


def shift_key(pk: int) -> str:
    return f"s{pk}"


def member_key(pk: int) -> str:
    return f"m{pk}"


def community_key(pk: int) -> str:
    return f"c{pk}"


def target_key(pk: int) -> str:
    return f"v{pk}"


def pk_of(key: str) -> int:
    """'s12' -> 12; raises ValueError naming the id when it is not one of ours."""
    try:
        return int(key[1:])
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"id {key!r} is not a Yure id like s12 or m7")


@dataclass
class ProblemBundle:
    """The document plus what the service needs to write a solution back."""

    document: dict
    week_start: dt.date
    community_ids: list[int]
    shift_community: dict[int, int] = field(default_factory=dict)  # shift pk -> community pk
    member_ids: set[int] = field(default_factory=set)
    # Published (shift pk, member pk) pairs on shifts that already began: left out of the problem, kept as is.
    frozen: list[tuple[int, int]] = field(default_factory=list)
    # member pk -> [(start, end)] of shifts they hold this week in communities outside the problem
    busy: dict[int, list] = field(default_factory=dict)

    @property
    def shift_ids(self) -> set[int]:
        return set(self.shift_community)


def local_text(moment: dt.datetime) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def _floor_grid(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(local_zone()).replace(second=0, microsecond=0)
    return moment - dt.timedelta(minutes=moment.minute % GRID)


def _ceil_grid(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(local_zone())
    floored = _floor_grid(local)
    return floored if floored == local else floored + dt.timedelta(minutes=GRID)


def unrostered_duty_codes() -> tuple[str, ...]:
    """Duties that are gatherings for everyone (the monthly study session), not places the optimizer fills."""
    return tuple(settings.UNROSTERED_DUTIES)


def _solver_default_rules() -> dict:
    """The optimizer's default rules (solver.problem.Rules), written out so the problem says what it is solved
    under; ROSTER_RULES replaces them."""
    rules = Rules()
    return {"night": {"start": _clock_text(rules.night_start), "end": _clock_text(rules.night_end)},
            "min_rest_minutes": rules.min_rest_minutes, "max_consecutive_days": rules.max_consecutive_days}


def _document_head(week_start: dt.date) -> dict:
    """The fields every problem of the week starts with: its horizon and the rules it is solved under."""
    return {
        "format": FORMAT,
        "timezone": settings.TIME_ZONE,
        "horizon": {"start": week_start.isoformat(), "end": (week_start + dt.timedelta(days=7)).isoformat()},
        "rules": dict(settings.ROSTER_RULES) or _solver_default_rules(),
        "weights": dict(settings.ROSTER_WEIGHTS) or dict(DEFAULT_WEIGHTS),
    }


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def problem_for_week(*, community: Community, week_start: dt.date, **options) -> ProblemBundle:
    """The problem for one community-week, with guests from neighbouring communities."""
    return problem_for_communities(communities=[community], week_start=week_start, **options)


def problem_for_communities(*, communities, week_start: dt.date, pins_status: str | None = Roster.Status.DRAFT,
                            forbid=(), previous: bool = True, frozen_before: dt.datetime | None = None,
                            extra_member_ids=()) -> ProblemBundle:
    """The problem for a group of communities solved together (a connected group in a district fan-out).

    pins_status: the roster status whose pinned assignments become pins (draft for generate, published for a
    repair), or None for no pins. forbid: (shift pk, member pk) pairs that must not appear.
    previous: include the published roster so a re-solve keeps changes small.
    frozen_before: shifts starting before this moment are history, not planned again; their published
    assignments count against the members' limits and rest. extra_member_ids: members to include even though
    they do not serve these communities (a hand-made assignment being checked).
    """
    communities = list(communities)
    community_ids = [c.pk for c in communities]
    horizon_start, horizon_end = week_bounds(week_start)
    in_week = _rostered_shifts(community_ids, horizon_start, horizon_end)
    frozen = []
    if frozen_before is not None:
        frozen = list(Assignment.objects.filter(
            roster__community_id__in=community_ids, roster__week_start=week_start,
            roster__status=Roster.Status.PUBLISHED, shift__in=in_week.filter(start__lt=frozen_before))
            .values_list("shift_id", "member_id", "shift__start", "shift__end"))
        in_week = in_week.filter(start__gte=frozen_before)
    shifts = list(in_week
                  .select_related("duty__lead_skill", "visit_target")
                  .prefetch_related("duty__required_skills").order_by("start", "pk"))
    shift_ids = {s.pk for s in shifts}
    # What people decided binds every plan: members who gave a shift away or were taken off it with a reason.
    forbid_pairs = {(int(s), int(m)) for s, m in forbid} | set(
        ShiftExclusion.objects.filter(shift_id__in=shift_ids).values_list("shift_id", "member_id"))

    pin_rows = []
    if pins_status:
        pin_rows = [a for a in Assignment.objects.filter(
            roster__community_id__in=community_ids, roster__week_start=week_start, roster__status=pins_status,
            pinned=True, shift_id__in=shift_ids).select_related("member")
            if (a.shift_id, a.member_id) not in forbid_pairs and a.member.active]

    members = _members(communities, {a.member_id for a in pin_rows} | set(extra_member_ids))
    member_ids = {m.pk for m in members}
    duties = {s.duty.code: s.duty for s in shifts}
    busy = _busy_elsewhere(member_ids, community_ids, week_start)
    for _shift, member_id, start, end in frozen:
        if member_id in member_ids:
            busy.setdefault(member_id, []).append((start, end))

    document = {
        **_document_head(week_start),
        "duties": [duty_doc(d) for d in sorted(duties.values(), key=lambda d: d.code)],
        "members": _member_docs(members, week_start, horizon_start, horizon_end, set(duties), busy),
        "shifts": [_shift_doc(s) for s in shifts],
        "visit_targets": _target_docs(shifts, member_ids),
        "pins": [{"shift": shift_key(a.shift_id), "member": member_key(a.member_id)} for a in pin_rows],
        "forbid": [{"shift": shift_key(s), "member": member_key(m)} for s, m in sorted(forbid_pairs)
                   if s in shift_ids and m in member_ids],
        "previous": _previous(community_ids, week_start, shift_ids, member_ids) if previous else [],
        "options": {"gap": float(settings.SOLVER_GAP)},
    }
    return ProblemBundle(document=document, week_start=week_start, community_ids=community_ids,
                         shift_community={s.pk: s.community_id for s in shifts}, member_ids=member_ids,
                         frozen=[(shift_id, member_id) for shift_id, member_id, _s, _e in frozen], busy=busy)


def _rostered_shifts(community_ids, horizon_start: dt.datetime, horizon_end: dt.datetime):
    """The shifts of these communities that start in the week and that the optimizer fills."""
    return (Shift.objects.filter(community_id__in=community_ids, start__gte=horizon_start, start__lt=horizon_end)
            .exclude(duty__code__in=unrostered_duty_codes()))


@dataclass
class ProblemSlice:
    """The part of a week's problem that the hard rules read for some members and shifts (see problem_slice)."""

    bundle: ProblemBundle
    pairs: list[tuple[int, int]]  # (shift pk, member pk) of the given assignments on the slice's shifts
    member_ids: set[int]  # the members it was cut for
    shift_ids: set[int]  # the shifts it was cut for


def problem_slice(*, communities, week_start: dt.date, assignments, member_ids, shift_ids,
                  extra_member_ids=()) -> ProblemSlice:
    """What the hard rules need to judge changes that touch only `member_ids` and `shift_ids`, read with a few
    targeted queries instead of the whole week: those members' shifts in `assignments` (a roster's rows, or the
    published rosters') and the shifts themselves, everyone else on those shifts (for the team size and its
    lead), and the members' limits, absences, caregiving and shifts elsewhere. Each piece is written by the same
    code as problem_for_communities(pins_status=None, previous=False), so the checker gives the same verdicts for
    these members as on the whole week; what only the objective reads (past hours, preferences, households) is
    left out."""
    communities = list(communities)
    community_ids = [c.pk for c in communities]
    member_ids, shift_ids = set(member_ids), set(shift_ids)
    horizon_start, horizon_end = week_bounds(week_start)
    in_week = _rostered_shifts(community_ids, horizon_start, horizon_end)
    held = assignments.filter(member_id__in=member_ids).values("shift_id")
    shifts = list(in_week.filter(Q(pk__in=shift_ids) | Q(pk__in=held))
                  .select_related("duty__lead_skill").prefetch_related("duty__required_skills").order_by("start", "pk"))
    touched = {s.pk for s in shifts}
    pairs = list(assignments.filter(shift_id__in=touched).order_by("pk").values_list("shift_id", "member_id"))
    members = _members(communities, set(extra_member_ids), among=member_ids | {m for _s, m in pairs})
    known = {m.pk for m in members}
    duties = {s.duty.code: s.duty for s in shifts}
    busy = _busy_elsewhere(known, community_ids, week_start)
    forbid = ShiftExclusion.objects.filter(shift_id__in=touched, member_id__in=known).order_by("shift_id", "member_id")
    document = {
        **_document_head(week_start),
        "duties": [duty_doc(d) for d in sorted(duties.values(), key=lambda d: d.code)],
        "members": _member_docs(members, week_start, horizon_start, horizon_end, set(duties), busy, objective=False),
        "shifts": [_shift_doc(s, target=False) for s in shifts],
        "forbid": [{"shift": shift_key(s), "member": member_key(m)}
                   for s, m in forbid.values_list("shift_id", "member_id")],
    }
    bundle = ProblemBundle(document=document, week_start=week_start, community_ids=community_ids,
                           shift_community={s.pk: s.community_id for s in shifts}, member_ids=known, busy=busy)
    return ProblemSlice(bundle, pairs, member_ids, shift_ids)


def _members(communities, pinned_member_ids: set[int], *, among=None) -> list[Member]:
    """The members a problem of these communities holds: the pinned or extra ones and everyone serving them
    (members_serving: active, their own and guests); only those in `among` when it is given."""
    query = Q(pk__in=pinned_member_ids)
    for community in communities:
        query |= Q(pk__in=members_serving(community).values("pk"))
    rows = Member.objects.filter(query, active=True)
    if among is not None:
        rows = rows.filter(pk__in=among)
    return list(rows.select_related("community").prefetch_related("skills", "caregiving", "extra_communities")
                .order_by("pk"))


def duty_doc(duty) -> dict:
    doc = {"id": duty.code, "name": duty.name, "min_health": duty.min_health,
           "required_skills": sorted(s.code for s in duty.required_skills.all())}
    for name in ("min_age", "max_age", "night_max_age", "max_per_member"):
        value = getattr(duty, name)
        if value is not None:
            doc[name] = value
    if duty.lead_skill_id:
        doc["lead_skill"] = duty.lead_skill.code
    return doc


def _shift_doc(shift: Shift, *, target: bool = True) -> dict:
    doc = {"id": shift_key(shift.pk), "community": community_key(shift.community_id), "duty": shift.duty.code,
           "start": local_text(shift.start), "end": local_text(shift.end),
           "min_staff": shift.min_staff, "max_staff": shift.max_staff}
    if target and shift.visit_target_id:
        doc["visit_target"] = target_key(shift.visit_target_id)
    if shift.location:
        doc["location"] = shift.location
    if shift.name:
        doc["name"] = shift.name
    return doc


def _target_docs(shifts, member_ids: set[int]) -> list[dict]:
    targets = {s.visit_target_id: s.visit_target for s in shifts if s.visit_target_id}
    docs = []
    for pk, target in sorted(targets.items()):
        visitors = sorted(v for v in target.preferred_visitors.values_list("pk", flat=True) if v in member_ids)
        docs.append({"id": target_key(pk), "preferred_visitors": [member_key(v) for v in visitors]})
    return docs


def _member_docs(members, week_start, horizon_start, horizon_end, duty_codes, busy, *,
                 objective: bool = True) -> list[dict]:
    """objective=False leaves out what only the objective reads (preferences, past hours): a slice for the rules."""
    member_ids = [m.pk for m in members]
    absences = defaultdict(list)
    for row in Unavailability.objects.filter(member_id__in=member_ids, end__gt=horizon_start,
                                             start__lt=horizon_end + _SPILL):
        absences[row.member_id].append((row.start, row.end))
    history = _history_minutes(member_ids, week_start) if objective else {}
    # the school calendar is read only for members with a school run (four queries a single check need not make)
    school_runs = _school_runs_by_community([m for m in members if any(
        w.applies == CaregivingWindow.Applies.SCHOOL_DAYS for w in m.caregiving.all())], week_start)
    docs = []
    for member in members:
        elsewhere = busy.get(member.pk, [])
        doc = {
            "id": member_key(member.pk), "name": member.name,
            "communities": [community_key(member.community_id)]
            + [community_key(c.pk) for c in member.extra_communities.all() if c.pk != member.community_id],
            "birth_date": member.birth_date.isoformat(), "health": member.health,
            "skills": sorted(s.code for s in member.skills.all()),
        }
        _limits(doc, member, elsewhere, horizon_start, horizon_end)
        caregiving = _caregiving_docs(member, school_runs.get(member.community_id, {}))
        if caregiving:
            doc["caregiving"] = caregiving
        periods = _periods(absences.get(member.pk, []) + [(s, e) for s, e in elsewhere],
                           horizon_start, horizon_end + _SPILL)
        if periods:
            doc["unavailable"] = periods
        preferences = _preferences(member, duty_codes) if objective else {}
        if preferences:
            doc["preferences"] = preferences
        if history.get(member.pk):
            doc["history_minutes"] = history[member.pk]
        docs.append(doc)
    return docs


def _school_runs_by_community(members, week_start) -> dict[int, dict[str, str]]:
    """Per home community: this week's school days of its district, {date's weekday: timetable weekday}."""
    if not members:
        return {}
    districts = {m.community_id: m.community.district for m in members}
    by_district = school_run_weekdays(set(districts.values()), week_start)
    return {pk: by_district[district] for pk, district in districts.items()}


def _caregiving_docs(member, school_days: dict[str, str]) -> list[dict]:
    """Weekly windows by weekday (roster-problem/1). A school-days-only window lists only this week's school days:
    none in the school holidays, not a public holiday, and a make-up Saturday when it follows a listed weekday."""
    docs = []
    for window in member.caregiving.all():
        days = window.weekday_list
        if window.applies == CaregivingWindow.Applies.SCHOOL_DAYS:
            days = [day for day, timetable in school_days.items() if timetable in days]
        if days:
            docs.append({"days": sorted(days, key=WEEKDAY_CODES.index), "start": window.start.strftime("%H:%M"),
                         "end": window.end.strftime("%H:%M")})
    return docs


def _limits(doc, member, elsewhere, horizon_start, horizon_end) -> None:
    """Weekly limits, less what the member already serves this week in communities outside the problem."""
    in_week = [(s, e) for s, e in elsewhere if horizon_start <= s < horizon_end]
    if member.max_shifts_per_week is not None:
        doc["max_shifts"] = max(member.max_shifts_per_week - len(in_week), 0)
    if member.max_minutes_per_week is not None:
        used = sum(wall_minutes(s, e) for s, e in in_week)
        doc["max_minutes"] = max(member.max_minutes_per_week - used, 0)
    if member.min_rest_minutes is not None:
        doc["min_rest_minutes"] = member.min_rest_minutes
    if member.max_consecutive_days is not None:
        doc["max_consecutive_days"] = member.max_consecutive_days


def _periods(intervals, lower: dt.datetime, upper: dt.datetime) -> list[dict]:
    """Clip to the horizon (plus a day for overnight shifts), round outward to the 15-minute grid, merge."""
    clipped = []
    for start, end in intervals:
        start, end = max(start, lower), min(end, upper)
        if end > start:
            clipped.append((_floor_grid(start), _ceil_grid(end)))
    clipped.sort()
    merged: list[list[dt.datetime]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [{"start": local_text(s), "end": local_text(e)} for s, e in merged]


def _preferences(member: Member, duty_codes: set[str]) -> dict:
    def clean(mapping, allowed):
        out = {}
        for key, value in (mapping or {}).items():
            if key in allowed and isinstance(value, int) and not isinstance(value, bool) and -10 <= value <= 10:
                out[key] = value
        return out

    preferences = {}
    duties = clean(member.duty_preferences, duty_codes)
    weekdays = clean(member.weekday_preferences, set(WEEKDAY_CODES))
    if duties:
        preferences["duties"] = duties
    if weekdays:
        preferences["weekdays"] = weekdays
    return preferences


def _history_minutes(member_ids, week_start: dt.date) -> dict[int, int]:
    """Minutes given in the published rosters of the previous four weeks: served minutes where attendance
    was recorded for the shift, planned minutes where it was not (shifts.rostering.load.history_minutes)."""
    start, _end = week_bounds(week_start - dt.timedelta(weeks=HISTORY_WEEKS))
    end, _next = week_bounds(week_start)
    totals = history_minutes(member_ids, start, end)
    return {pk: minutes - minutes % GRID for pk, minutes in totals.items() if minutes}


def _busy_elsewhere(member_ids, community_ids, week_start) -> dict[int, list]:
    """Shifts members hold this week in communities outside the problem (published or draft rosters).

    Guests serve several communities; without this a neighbour's roster could book them twice.
    """
    horizon_start, horizon_end = week_bounds(week_start)
    rows = (Assignment.objects.filter(member_id__in=member_ids,
                                      roster__status__in=[Roster.Status.PUBLISHED, Roster.Status.DRAFT],
                                      shift__end__gt=horizon_start - _SPILL, shift__start__lt=horizon_end + _SPILL)
            .exclude(roster__community_id__in=community_ids)
            .values_list("member_id", "shift_id", "shift__start", "shift__end").distinct())
    busy: dict[int, dict] = defaultdict(dict)
    for member_id, shift_id, start, end in rows:
        busy[member_id][shift_id] = (start, end)
    return {pk: sorted(shifts.values()) for pk, shifts in busy.items()}


def _previous(community_ids, week_start, shift_ids, member_ids) -> list[dict]:
    rows = Assignment.objects.filter(roster__community_id__in=community_ids, roster__week_start=week_start,
                                     roster__status=Roster.Status.PUBLISHED, shift_id__in=shift_ids,
                                     member_id__in=member_ids).order_by("shift_id", "member_id")
    return [{"shift": shift_key(a.shift_id), "member": member_key(a.member_id)} for a in rows]
