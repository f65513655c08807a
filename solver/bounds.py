"""Cheap valid lower bounds used when no CP-SAT bound is available."""

from __future__ import annotations

from solver.problem import Problem


def simple_bound(problem: Problem, handles) -> int:
    """A valid lower bound: history-only fairness, shortfalls no candidate can cover,
    previous pairs that are no longer possible, and every liked assignment taken."""
    w = problem.weights
    bound = w.fairness * sum((problem.members[m].history_minutes // 15) ** 2 for m in handles.scope.members)
    for s in handles.scope.shifts:
        bound += w.unfilled * max(0, problem.shifts[s].min_staff - len(handles.by_shift.get(s, ())))
    in_scope = set(handles.scope.shifts)
    for pair in problem.previous:
        s = problem.shift_index.get(pair.shift)
        if s in in_scope and (s, problem.member_index[pair.member]) not in handles.x:
            bound += w.stability
    for (s, m) in handles.x:
        shift = problem.shifts[s]
        bound += w.preference * min(0, problem.members[m].preference_cost(shift.duty, shift.weekday))
    return bound
