"""H8: every staffed shift of a duty with a lead_skill includes a holder of that skill."""

from __future__ import annotations

from solver.model.context import ModelHandles


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    for s, members in handles.by_shift.items():
        skill = problem.duty_by_id[problem.shifts[s].duty].lead_skill
        if not skill:
            continue
        holders = [handles.x[(s, m)] for m in members if skill in problem.members[m].skills]
        others = [handles.x[(s, m)] for m in members if skill not in problem.members[m].skills]
        short = handles.shortfall.get(s)
        if holders and others and short is not None:
            # Redundant but LP-strengthening: a shift staffed at all (short < min_staff)
            # includes a holder, so min_staff * holders + short >= min_staff.  The
            # per-member rows alone let the LP spread half a holder over a shift.
            need = problem.shifts[s].min_staff
            model.Add(need * sum(holders) + short >= need)
        for x in others:
            # Per-member form: tighter LP than one aggregated big-M row.
            model.Add(x <= sum(holders)) if holders else model.Add(x == 0)
