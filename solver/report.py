"""Solver-side evaluation of a roster: breakdown, objective and the ``unfilled`` report.

The checker (``solver.check``) recomputes all of this on its own; tests compare both.
"""

from __future__ import annotations

from collections import defaultdict

from solver.eligibility import REASONS, exclusion_reason
from solver.problem import GRID, Problem
from solver.solution import Unfilled


def breakdown(problem: Problem, pairs: list[tuple[str, str]]) -> dict[str, int]:
    staff = defaultdict(set)
    minutes = defaultdict(int)
    preference = 0
    for shift_id, member_id in pairs:
        shift = problem.shift(shift_id)
        member = problem.member(member_id)
        staff[shift_id].add(member_id)
        minutes[member_id] += shift.minutes
        preference += member.preference_cost(shift.duty, shift.weekday)
    unfilled = sum(max(0, s.min_staff - len(staff[s.id])) for s in problem.shifts)
    continuity = sum(1 for s in problem.shifts if s.visit_target is not None and staff[s.id]
                     and not staff[s.id] & problem.preferred_visitors(s))
    stability = sum(1 for p in problem.previous
                    if p.shift in problem.shift_index and p.member not in staff[p.shift])
    fairness = sum(((m.history_minutes + minutes[m.id]) // GRID) ** 2 for m in problem.members)
    return {"unfilled": unfilled, "stability": stability, "continuity": continuity,
            "preference": preference, "fairness": fairness}


def unfilled(problem: Problem, pairs: list[tuple[str, str]]) -> list[Unfilled]:
    staffed = defaultdict(int)
    for shift_id, _ in pairs:
        staffed[shift_id] += 1
    short = [s for s in problem.shifts if staffed[s.id] < s.min_staff]
    if not short:
        return []
    by_community = defaultdict(list)
    for member in problem.members:
        for community in dict.fromkeys(member.communities):
            by_community[community].append(member)
    forbidden = {(p.shift, p.member) for p in problem.forbid}
    report = []
    for shift in short:
        local = by_community.get(shift.community, [])
        counts = dict.fromkeys(REASONS, 0)
        counts["community"] = len(problem.members) - len(local)
        eligible = 0
        for member in local:
            reason = exclusion_reason(problem, shift, member, (shift.id, member.id) in forbidden)
            if reason is None:
                eligible += 1
            else:
                counts[reason] += 1
        excluded = {k: v for k, v in counts.items() if v}
        report.append(Unfilled(shift.id, shift.min_staff - staffed[shift.id], eligible, excluded))
    return report
