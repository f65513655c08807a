"""H3 (eligibility) and H9 (pins, forbids): the first filter on which pairs get a variable."""

from __future__ import annotations

from collections import defaultdict

from solver.eligibility import personal_reason
from solver.model.context import ModelHandles


def members_by_community(handles: ModelHandles) -> dict[str, list[int]]:
    problem = handles.problem
    index = defaultdict(list)
    for m in handles.scope.members:
        for community in dict.fromkeys(problem.members[m].communities):
            index[community].append(m)
    return index


def pinned_pairs(handles: ModelHandles) -> set[tuple[int, int]]:
    problem = handles.problem
    shifts, members = set(handles.scope.shifts), set(handles.scope.members)
    pairs = {(problem.shift_index[p.shift], problem.member_index[p.member]) for p in problem.pins}
    return {(s, m) for s, m in pairs if s in shifts and m in members}


def candidate_pairs(handles: ModelHandles) -> list[tuple[int, int]]:
    """Unpinned pairs that pass H3 and are not forbidden (H4 is applied next)."""
    problem = handles.problem
    excluded = handles.pinned | {(problem.shift_index[p.shift], problem.member_index[p.member])
                                 for p in problem.forbid}
    # H3 depends on a shift only through its duty, night flag and start date.
    groups = defaultdict(list)
    for s in handles.scope.shifts:
        shift = problem.shifts[s]
        groups[shift.community, shift.duty, shift.night, shift.start_date].append(s)
    community_members = members_by_community(handles)
    pairs = []
    for (community, _, _, _), shift_indices in groups.items():
        first = problem.shifts[shift_indices[0]]
        for m in community_members.get(community, ()):
            if personal_reason(problem, first, problem.members[m]) is None:
                pairs.extend((s, m) for s in shift_indices)
    if excluded:
        pairs = [pair for pair in pairs if pair not in excluded]
    return pairs


def add_pins(model, handles: ModelHandles, *, as_assumptions: bool = False) -> None:
    """H9: pinned pairs are fixed to 1; forbidden pairs never get a variable.

    With ``as_assumptions`` the pins become solver assumptions, so an
    infeasible model reports which pins it could not honour together.
    """
    literals = [handles.x[pair] for pair in sorted(handles.pinned)]
    if as_assumptions:
        model.AddAssumptions(literals)
        return
    for literal in literals:
        model.Add(literal == 1)
