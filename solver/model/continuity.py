"""Continuity term: a staffed visit shift with none of the household's preferred visitors."""

from __future__ import annotations

from solver.model.context import ModelHandles


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    term = handles.terms["continuity"]
    for s in handles.scope.shifts:
        shift = problem.shifts[s]
        if shift.visit_target is None:
            continue
        preferred_ids = problem.preferred_visitors(shift)
        members = handles.by_shift.get(s, ())
        preferred = [handles.x[(s, m)] for m in members if problem.members[m].id in preferred_ids]
        strangers = [handles.x[(s, m)] for m in members if problem.members[m].id not in preferred_ids]
        if not strangers:
            continue
        miss = model.NewBoolVar(f"no_known_visitor_{shift.id}")
        for x in strangers:
            # A stranger assigned without any preferred visitor forces the penalty.
            model.Add(miss >= x - sum(preferred))
        short = handles.shortfall.get(s)
        if short is not None:
            # Redundant, LP-strengthening: staffed at all (short < min_staff) without a
            # preferred visitor is a miss: min_staff * (miss + preferred) + short >= min_staff.
            need = shift.min_staff
            model.Add(need * (miss + sum(preferred)) + short >= need)
        term.add(1, miss)
        handles.derived.append((miss, lambda val, p=preferred, n=strangers:
                                int(any(val(x) for x in n) and not any(val(x) for x in p))))
