"""Greedy baseline: most-constrained shift first, least-loaded eligible member.

This is the roster a careful secretary would write by hand, and the floor any
optimizer must beat. It respects every hard rule (H1-H9): pins are placed
first, then (when re-planning) every previous pair that is still allowed, then
each shift in order of fewest eligible members is filled up to ``min_staff``
with the least-loaded member who can still take it (load = history plus
assigned minutes). A shift whose duty needs a lead skill gets a skill holder
first, or stays empty. Visits try the household's preferred visitors first.
"""

from __future__ import annotations

import logging

from solver.bench.facts import Facts, Member, Shift

logger = logging.getLogger(__name__)


class _Roster:
    """Assignments so far, with the per-member running totals the rules need."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.staff: list[set[int]] = [set() for _ in facts.shifts]
        self.taken: list[list[Shift]] = [[] for _ in facts.members]
        self.minutes = [m.history_minutes for m in facts.members]
        self.per_duty: list[dict[str, int]] = [{} for _ in facts.members]

    def pairs(self) -> set[tuple[int, int]]:
        return {(s, m) for s, staff in enumerate(self.staff) for m in staff}

    def add(self, shift: Shift, member: Member) -> None:
        self.staff[shift.index].add(member.index)
        self.taken[member.index].append(shift)
        self.minutes[member.index] += shift.minutes
        duties = self.per_duty[member.index]
        duties[shift.duty] = duties.get(shift.duty, 0) + 1

    def remove(self, shift: Shift, member: Member) -> None:
        self.staff[shift.index].discard(member.index)
        self.taken[member.index].remove(shift)
        self.minutes[member.index] -= shift.minutes
        self.per_duty[member.index][shift.duty] -= 1

    def can_take(self, shift: Shift, member: Member) -> bool:
        """H1, H2, H5, H6, H7 for adding the pair (H3/H4/H9 via eligibility)."""
        if member.index in self.staff[shift.index] or len(self.staff[shift.index]) >= shift.max_staff:
            return False
        taken = self.taken[member.index]
        if member.max_shifts is not None and len(taken) + 1 > member.max_shifts:
            return False
        assigned = self.minutes[member.index] - member.history_minutes
        if member.max_minutes is not None and assigned + shift.minutes > member.max_minutes:
            return False
        duty_limit = self.facts.duties[shift.duty].get("max_per_member")
        if duty_limit is not None and self.per_duty[member.index].get(shift.duty, 0) + 1 > duty_limit:
            return False
        if any(self.facts.clash(shift, other, member.min_rest) for other in taken):
            return False
        return self._consecutive_ok(member, {other.day for other in taken}, shift.day)

    @staticmethod
    def _consecutive_ok(member: Member, days: set[int], day: int) -> bool:
        if day in days:
            return True
        before = 0
        while day - before - 1 in days:
            before += 1
        after = 0
        while day + after + 1 in days:
            after += 1
        return before + 1 + after <= member.max_consecutive


def greedy_roster(problem: dict) -> list[dict]:
    """Return the greedy baseline's assignments as ``[{"shift", "member"}]``."""
    facts = Facts(problem)
    roster = _Roster(facts)
    for s, m in sorted(facts.pins):
        roster.add(facts.shifts[s], facts.members[m])
    order = sorted(facts.shifts, key=lambda s: (len(facts.eligible[s.index]), s.start, s.id))
    rank = {shift.index: position for position, shift in enumerate(order)}
    eligible_pairs = {(s, m) for s, members in enumerate(facts.eligible) for m in members}
    for s, m in sorted(facts.previous - facts.pins, key=lambda pair: (rank[pair[0]], pair[1])):
        shift, member = facts.shifts[s], facts.members[m]
        if (s, m) in eligible_pairs and (s, m) not in facts.forbidden and roster.can_take(shift, member):
            roster.add(shift, member)
    for shift in order:
        _fill(facts, roster, shift)
    pairs = roster.pairs()
    logger.debug("greedy: %d assignments, objective %s", len(pairs), facts.evaluate(pairs)["objective"])
    return [{"shift": facts.shifts[s].id, "member": facts.members[m].id} for s, m in sorted(pairs)]


def _fill(facts: Facts, roster: _Roster, shift: Shift) -> None:
    candidates = [facts.members[m] for m in facts.eligible[shift.index]]
    lead = facts.lead_skill(shift)
    staff = roster.staff[shift.index]
    if lead and (staff or shift.min_staff > 0) and not any(lead in facts.members[m].skills for m in staff):
        holders = [m for m in candidates if lead in m.skills and roster.can_take(shift, m)]
        if not holders:
            _drop_unpinned(facts, roster, shift)  # H8: without a holder the shift stays empty
            return
        roster.add(shift, _least_loaded(facts, roster, shift, holders))
    preferred = facts.preferred.get(shift.visit_target, set()) if shift.visit_target else set()
    while len(roster.staff[shift.index]) < shift.min_staff:
        able = [m for m in candidates if roster.can_take(shift, m)]
        if not able:
            break
        favourites = [m for m in able if m.index in preferred]
        roster.add(shift, _least_loaded(facts, roster, shift, favourites or able))
        preferred = set()  # one known face per visit is enough


def _least_loaded(facts: Facts, roster: _Roster, shift: Shift, members: list[Member]) -> Member:
    return min(members, key=lambda m: (roster.minutes[m.index], facts.preference_cost(shift, m), m.index))


def _drop_unpinned(facts: Facts, roster: _Roster, shift: Shift) -> None:
    for m in sorted(roster.staff[shift.index]):
        if (shift.index, m) not in facts.pins:
            roster.remove(shift, facts.members[m])
