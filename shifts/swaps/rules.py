"""Swap vocabulary and rule checks shared by swap requests, their application and the swap pages.

States, the two errors a swap can raise, and RuleChecker: every rule check goes through the optimizer's own
checker (shifts.rostering.rules) on the proposed published roster, so the swap form and the optimizer can never
disagree about a rule. A swap's changes are that module's one Move, built here from the Shift and Member objects.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shifts.messaging.labels import shift_label
from shifts.models import Shift, SwapRequest
from shifts.rostering.reasons import reason_sentence
from shifts.rostering.rules import Move, WeekRules
from shifts.weeks import week_start_of
from volunteers.models import Community, Member

State = SwapRequest.State
Kind = SwapRequest.Kind
PENDING = (State.OPEN, State.ACCEPTED, State.APPROVED)
CLOSED = (State.APPLIED, State.DECLINED, State.WITHDRAWN, State.EXPIRED)


class SwapError(Exception):
    """A request that cannot go ahead; `message` is plain language for the person who asked, `field` names
    the form field at fault when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class SwapRefused(SwapError):
    """The swap would break a roster rule; `reasons` lists each broken rule in plain language."""

    def __init__(self, reasons: list[str]):
        super().__init__(_("This swap would break the roster rules: %(reasons)s") % {"reasons": "; ".join(reasons)})
        self.reasons = reasons


# --------------------------------------------------------------------------------------------- rule checks

@dataclass(frozen=True)
class Break:
    """One rule a proposed change would break, in plain language, with the reason code behind it."""

    code: str
    member_id: int | None
    shift_id: int | None
    text: str


class RuleChecker:
    """Checks proposed moves against the published rosters of their weeks through shifts.rostering.rules, on a
    slice of each week (WeekRules.around_published) holding only the members and shifts the moves touch. A
    batch of proposals (breaks_many) shares one slice per week and set of communities. One instance serves one
    request."""

    def __init__(self):
        self._weeks: dict[tuple, WeekRules] = {}
        self._communities: dict[int, frozenset] = {}

    def _week(self, key: tuple, member_ids: set, shift_ids: set) -> WeekRules:
        """The cached slice for (communities, week), cut anew for these members and shifts when it lacks them."""
        rules = self._weeks.get(key)
        if rules is None or not rules.covers(member_ids=member_ids, shift_ids=shift_ids):
            community_ids, week_start = key
            communities = Community.objects.filter(pk__in=community_ids).order_by("pk")
            rules = WeekRules.around_published(communities, week_start, member_ids=member_ids, shift_ids=shift_ids)
            self._weeks[key] = rules
        return rules

    def communities_of(self, members, shifts) -> frozenset:
        """The shifts' communities and every community the members serve, so their other shifts count."""
        members = list(members)
        unread = [m.pk for m in members if m.pk not in self._communities]
        if unread:
            extra = defaultdict(set)
            for member_id, community_id in Member.extra_communities.through.objects.filter(
                    member_id__in=unread).values_list("member_id", "community_id"):
                extra[member_id].add(community_id)
            for member in members:
                self._communities.setdefault(member.pk, frozenset({member.community_id} | extra[member.pk]))
        ids = {s.community_id for s in shifts}
        for member in members:
            ids |= self._communities[member.pk]
        return frozenset(ids)

    def _plan(self, moves: list[Move], community_ids: frozenset | None) -> list[tuple]:
        """The moves by week: (cache key, the week's moves, the members they involve)."""
        by_week: dict[dt.date, list[Move]] = defaultdict(list)
        for move in moves:
            by_week[week_start_of(move.shift.start)].append(move)
        plan = []
        for week_start, week_moves in sorted(by_week.items()):
            people = {m.pk: m for move in week_moves for m in (move.remove, move.add) if m is not None}
            ids = community_ids or self.communities_of(people.values(), [m.shift for m in week_moves])
            plan.append(((ids, week_start), week_moves, people))
        return plan

    def breaks(self, moves: list[Move], *, community_ids: frozenset | None = None) -> list[Break]:
        """Every rule the moves would newly break (a rule already broken before the moves is not counted,
        unless the moves make it worse)."""
        return self.breaks_many([moves], community_ids=community_ids)[0]

    def breaks_many(self, proposals: list[list[Move]], *,
                    community_ids: frozenset | None = None) -> list[list[Break]]:
        """breaks() for each of several alternative proposals, each judged on its own against the published
        rosters, reading each week once for all of them."""
        plans = [self._plan(moves, community_ids) for moves in proposals]
        wanted: dict[tuple, tuple[set, set]] = defaultdict(lambda: (set(), set()))
        for plan in plans:
            for key, week_moves, people in plan:
                wanted[key][0].update(people)
                wanted[key][1].update(move.shift.pk for move in week_moves)
        for key, (member_ids, shift_ids) in wanted.items():
            self._week(key, member_ids, shift_ids)
        return [self._judge(plan) for plan in plans]

    def _judge(self, plan) -> list[Break]:
        found: list[Break] = []
        for key, week_moves, people in plan:
            rules = self._weeks[key]
            shifts = {move.shift.pk: move.shift for move in week_moves}
            reasons = rules.breaks(week_moves)
            for reason in reasons:
                shift = shifts.get(reason.shift_id) or _shift_or_none(reason.shift_id)
                found.append(Break(reason.code, reason.member_id, reason.shift_id,
                                   _break_text(reason.code, people[reason.member_id], shift)))
        return found


def _shift_or_none(pk):
    return Shift.objects.select_related("duty__lead_skill").filter(pk=pk).first() if pk else None


def _break_text(code: str, member: Member, shift: Shift | None) -> str:
    """One broken rule, said plainly. Sensitive reasons (health, family care, absence) stay generic."""
    skill = shift.duty.lead_skill.name if shift is not None and shift.duty.lead_skill_id else ""
    return reason_sentence(code, name=member.name, shift=shift_label(shift) if shift is not None else "", skill=skill)


def swap_moves(swap: SwapRequest, taker: Member) -> list[Move]:
    moves = [Move(swap.assignment.shift, swap.requester, taker)]
    if swap.kind == Kind.DIRECT and swap.counterpart_assignment is not None:
        moves.append(Move(swap.counterpart_assignment.shift, taker, swap.requester))
    return moves
