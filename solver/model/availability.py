"""H4 (availability): drop pairs that meet a caregiving window or an unavailable period."""

from __future__ import annotations

from solver.eligibility import availability_reason
from solver.model.context import ModelHandles


def available_pairs(handles: ModelHandles, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    problem = handles.problem
    members = problem.members
    return [(s, m) for s, m in pairs
            if not (members[m].caregiving or members[m].unavailable)
            or availability_reason(problem, problem.shifts[s], members[m]) is None]
