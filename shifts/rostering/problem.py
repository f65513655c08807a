"""The week's problem: which rows of the database a roster-problem/1 document holds (shifts, members, pins,
decisions, the published roster, shifts held elsewhere), for a community-week, a group of communities solved
together, or the slice of a week that some changes touch; and what the service needs to write a solution back.

How each row is written in the document, and the ids that map back, are in shifts.rostering.problem_docs.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from shifts.models import Assignment, Roster, Shift, ShiftExclusion
from shifts.rostering.problem_docs import (
    SPILL,
    duty_doc,
    member_docs,
    member_key,
    shift_doc,
    shift_key,
    target_docs,
)
from shifts.rostering.selectors import members_withdrawn_in_week
from shifts.weeks import week_bounds
from solver.problem import DEFAULT_WEIGHTS, Rules
from volunteers.models import Community, Member
from volunteers.selectors import members_serving

logger = logging.getLogger(__name__)

FORMAT = "roster-problem/1"


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
                            extra_member_ids=(), previous_draft_ids=(),
                            withdrawn_keep_off: bool = False) -> ProblemBundle:
    """The problem for a group of communities solved together (a connected group in a district fan-out).

    pins_status: the roster status whose pinned assignments become pins (draft for generate, published for a
    repair), or None for no pins. forbid: (shift pk, member pk) pairs that must not appear.
    previous: include the published roster so a re-solve keeps changes small. previous_draft_ids: communities whose
    draft counts as `previous` instead (a draft solved again because a fact changed keeps what it can).
    frozen_before: shifts starting before this moment are history, not planned again; their published
    assignments count against the members' limits and rest. extra_member_ids: members to include even though
    they do not serve these communities (a hand-made assignment being checked). withdrawn_keep_off: a plan is
    being made (not a rule check), so a member who said they cannot come to a shift of the week gets no shift of
    it they do not already hold (_withdrawn_forbid).
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
    if withdrawn_keep_off:
        forbid_pairs |= _withdrawn_forbid(community_ids, week_start, shift_ids, member_ids,
                                          kept={(a.shift_id, a.member_id) for a in pin_rows})
    duties = {s.duty.code: s.duty for s in shifts}
    busy = _busy_elsewhere(member_ids, community_ids, week_start)
    for _shift, member_id, start, end in frozen:
        if member_id in member_ids:
            busy.setdefault(member_id, []).append((start, end))

    document = {
        **_document_head(week_start),
        "duties": [duty_doc(d) for d in sorted(duties.values(), key=lambda d: d.code)],
        "members": member_docs(members, week_start, horizon_start, horizon_end, set(duties), busy),
        "shifts": [shift_doc(s) for s in shifts],
        "visit_targets": target_docs(shifts, member_ids),
        "pins": [{"shift": shift_key(a.shift_id), "member": member_key(a.member_id)} for a in pin_rows],
        "forbid": [{"shift": shift_key(s), "member": member_key(m)} for s, m in sorted(forbid_pairs)
                   if s in shift_ids and m in member_ids],
        "previous": _previous(community_ids, week_start, shift_ids, member_ids, set(previous_draft_ids))
        if previous else [],
        "options": {"gap": float(settings.SOLVER_GAP)},
    }
    return ProblemBundle(document=document, week_start=week_start, community_ids=community_ids,
                         shift_community={s.pk: s.community_id for s in shifts}, member_ids=member_ids,
                         frozen=[(shift_id, member_id) for shift_id, member_id, _s, _e in frozen], busy=busy)


def _withdrawn_forbid(community_ids, week_start: dt.date, shift_ids: set[int], member_ids: set[int], *,
                      kept: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs no plan may make for members who said they cannot come to a shift of this week (a withdrawal
    or absence taken off the published roster: ShiftExclusion "absent"): every shift of the week they do not
    already hold. Being given a new shift instead is confusing and unkind to someone who has just said they
    cannot come. They keep the shifts they hold on the week's published roster and any the secretary pinned
    (`kept`); only a person gives them another (a swap they take, the secretary's hand-add), and the lifting
    of the exclusion (我又能来了, the secretary putting them back) lifts this too."""
    withdrawn = members_withdrawn_in_week(week_start, member_ids)
    if not withdrawn:
        return set()
    held = set(Assignment.objects.filter(
        roster__community_id__in=community_ids, roster__week_start=week_start, roster__status=Roster.Status.PUBLISHED,
        member_id__in=withdrawn, shift_id__in=shift_ids).values_list("shift_id", "member_id"))
    return {(s, m) for s in shift_ids for m in withdrawn} - held - kept


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
        "members": member_docs(members, week_start, horizon_start, horizon_end, set(duties), busy, objective=False),
        "shifts": [shift_doc(s, target=False) for s in shifts],
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


def _busy_elsewhere(member_ids, community_ids, week_start) -> dict[int, list]:
    """Shifts members hold this week in communities outside the problem (published or draft rosters).

    Guests serve several communities; without this a neighbour's roster could book them twice.
    """
    horizon_start, horizon_end = week_bounds(week_start)
    rows = (Assignment.objects.filter(member_id__in=member_ids,
                                      roster__status__in=[Roster.Status.PUBLISHED, Roster.Status.DRAFT],
                                      shift__end__gt=horizon_start - SPILL, shift__start__lt=horizon_end + SPILL)
            .exclude(roster__community_id__in=community_ids)
            .values_list("member_id", "shift_id", "shift__start", "shift__end").distinct())
    busy: dict[int, dict] = defaultdict(dict)
    for member_id, shift_id, start, end in rows:
        busy[member_id][shift_id] = (start, end)
    return {pk: sorted(shifts.values()) for pk, shifts in busy.items()}


def _previous(community_ids, week_start, shift_ids, member_ids, draft_ids=frozenset()) -> list[dict]:
    """The roster a solve should change as little as it can: the published one, or for the communities in
    `draft_ids` their draft (the version the secretary has been reviewing)."""
    published = [pk for pk in community_ids if pk not in draft_ids]
    drafts = [pk for pk in community_ids if pk in draft_ids]
    rows = Assignment.objects.filter(
        Q(roster__community_id__in=published, roster__status=Roster.Status.PUBLISHED)
        | Q(roster__community_id__in=drafts, roster__status=Roster.Status.DRAFT),
        roster__week_start=week_start, shift_id__in=shift_ids, member_id__in=member_ids,
    ).order_by("shift_id", "member_id")
    return [{"shift": shift_key(a.shift_id), "member": member_key(a.member_id)} for a in rows]
