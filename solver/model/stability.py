"""Stability term: previous pairs (whose shift is in the problem) missing from the roster."""

from __future__ import annotations

from solver.model.context import ModelHandles


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    term = handles.terms["stability"]
    in_scope = set(handles.scope.shifts)
    for pair in problem.previous:
        s = problem.shift_index.get(pair.shift)
        if s is None or s not in in_scope:
            continue
        term.constant += 1
        x = handles.x.get((s, problem.member_index[pair.member]))
        if x is not None:
            term.add(-1, x)
