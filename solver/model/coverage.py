"""H2 (max_staff) and the unfilled term: max(0, min_staff - staffed) per shift."""

from __future__ import annotations

from solver.model.context import ModelHandles


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    term = handles.terms["unfilled"]
    handles.shortfall = {}
    for s in handles.scope.shifts:
        shift = problem.shifts[s]
        xs = [handles.x[(s, m)] for m in handles.by_shift.get(s, ())]
        if len(xs) > shift.max_staff:
            model.Add(sum(xs) <= shift.max_staff)
        if shift.min_staff == 0:
            continue
        if not xs:
            term.constant += shift.min_staff
            continue
        lowest = max(0, shift.min_staff - len(xs))
        short = model.NewIntVar(lowest, shift.min_staff, f"short_{shift.id}")
        model.Add(short + sum(xs) >= shift.min_staff)
        handles.shortfall[s] = short
        handles.derived.append((short, lambda val, xs=xs, need=shift.min_staff, lo=lowest:
                                max(lo, need - sum(val(x) for x in xs))))
        term.add(1, short)
