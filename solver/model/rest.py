"""H5: a member's shifts do not overlap and leave at least min_rest_minutes between them.

Two shifts conflict iff their intervals, each extended by the rest time at its
end, overlap.  Those extended intervals form an interval graph, so its maximal
cliques (one per shift start) give AddAtMostOne constraints that are exact and
LP-tight.
"""

from __future__ import annotations

from solver.model.context import ModelHandles


def conflicts(a, b, rest: int) -> bool:
    return a.start < b.end + rest and b.start < a.end + rest


def prune_fixed(handles: ModelHandles, pairs):
    """Drop pairs that clash with a member's fixed (out-of-scope) shifts."""
    problem = handles.problem
    if not handles.scope.fixed:
        return pairs
    kept = []
    for s, m in pairs:
        fixed = handles.fixed_shifts(m)
        rest = problem.members[m].min_rest_minutes
        if fixed and any(conflicts(problem.shifts[s], problem.shifts[f], rest) for f in fixed):
            continue
        kept.append((s, m))
    return kept


def member_cliques(problem, shift_indices, rest: int) -> list[list[int]]:
    """Maximal cliques of the rest-extended interval graph (one candidate per distinct start)."""
    ordered = sorted(shift_indices, key=lambda s: problem.shifts[s].start)
    points = sorted({problem.shifts[s].start for s in ordered})
    cliques = []
    for point in points:
        cliques.append([t for t in ordered if problem.shifts[t].start <= point
                        < problem.shifts[t].end + rest])
    maximal = []
    for i, clique in enumerate(cliques):
        # A clique is contained in a later one only if it is contained in the next one.
        if i + 1 < len(cliques) and set(clique) <= set(cliques[i + 1]):
            continue
        if len(clique) >= 2:
            maximal.append(clique)
    return maximal


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    count = 0
    for m, shift_indices in handles.by_member.items():
        if len(shift_indices) < 2:
            continue
        rest = problem.members[m].min_rest_minutes
        for clique in member_cliques(problem, shift_indices, rest):
            model.AddAtMostOne(handles.x[(s, m)] for s in clique)
            count += 1
    handles.stats["rest_cliques"] = count
