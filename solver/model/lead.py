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
        for x in others:
            # Per-member form: tighter LP than one aggregated big-M row.
            model.Add(x <= sum(holders)) if holders else model.Add(x == 0)
