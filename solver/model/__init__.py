"""The CP-SAT model of roster-problem/1, one builder module per constraint family.

Hard rules: eligibility (H3, H9), availability (H4), coverage (H2), rest (H5),
load (H6), consecutive (H7), lead (H8).  Soft terms: coverage (unfilled),
stability, continuity, preference, fairness.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model import (
    availability,
    consecutive,
    continuity,
    coverage,
    eligibility,
    fairness,
    lead,
    load,
    preference,
    rest,
    stability,
)
from solver.model.context import ModelHandles, Scope, Term
from solver.problem import Problem

__all__ = ["build_model", "candidate_handles", "ModelHandles", "Scope", "Term"]


def _create_variables(model, handles: ModelHandles) -> None:
    handles.pinned = eligibility.pinned_pairs(handles)
    pairs = eligibility.candidate_pairs(handles)
    pairs = availability.available_pairs(handles, pairs)
    pairs = load.prune(handles, pairs)
    pairs = rest.prune_fixed(handles, pairs)
    problem = handles.problem
    for s, m in dict.fromkeys(pairs + sorted(handles.pinned)):
        handles.x[(s, m)] = (model.NewBoolVar(f"x_{problem.shifts[s].id}_{problem.members[m].id}")
                             if model is not None else None)
        handles.by_shift[s].append(m)
        handles.by_member[m].append(s)


def candidate_handles(problem: Problem, scope: Scope | None = None) -> ModelHandles:
    """The model's candidate pairs without building CP-SAT variables (for heuristics)."""
    handles = ModelHandles(problem, scope or Scope.whole(problem))
    _create_variables(None, handles)
    return handles


def build_model(problem: Problem, scope: Scope | None = None, *,
                pins_as_assumptions: bool = False) -> tuple[cp_model.CpModel, ModelHandles]:
    """Build the CP-SAT model for ``scope`` (default: the whole problem).

    The model's objective equals the spec objective restricted to the scope
    (shifts in scope, members in scope with their fixed outside shifts).
    """
    model = cp_model.CpModel()
    handles = ModelHandles(problem, scope or Scope.whole(problem))
    _create_variables(model, handles)
    eligibility.add_pins(model, handles, as_assumptions=pins_as_assumptions)
    # Hard rules.
    coverage.add(model, handles)
    rest.add(model, handles)
    load.add(model, handles)
    consecutive.add(model, handles)
    lead.add(model, handles)
    # Soft terms.
    stability.add(model, handles)
    continuity.add(model, handles)
    preference.add(model, handles)
    fairness.add(model, handles)
    model.Minimize(handles.weighted_objective())
    handles.stats["pairs"] = len(handles.x)
    return model, handles
