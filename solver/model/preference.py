"""Preference term: each assignment costs the member's duty and weekday preferences."""

from __future__ import annotations

from solver.model.context import ModelHandles


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    term = handles.terms["preference"]
    for (s, m), x in handles.x.items():
        shift = problem.shifts[s]
        term.add(problem.members[m].preference_cost(shift.duty, shift.weekday), x)
