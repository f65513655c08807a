"""Solving one scope of the problem with CP-SAT and reading the result back."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.bounds import simple_bound
from solver.heuristic import heuristic_roster, roster_is_valid
from solver.model import Scope, build_model
from solver.problem import Problem

log = logging.getLogger(__name__)

HEURISTIC_SHARE = 0.3
HEURISTIC_MAX_SECONDS = 2.0


@dataclass
class ScopeResult:
    status: str                      # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    objective: int | None = None
    bound: int | None = None
    pairs: list[tuple[int, int]] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    model_stats: dict = field(default_factory=dict)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report, started: float):
        super().__init__()
        self._report = report
        self._started = started

    def on_solution_callback(self) -> None:
        objective = int(round(self.ObjectiveValue()))
        bound = _integer_bound(self.BestObjectiveBound(), objective)
        self._report(objective, bound, time.monotonic() - self._started)


def _integer_bound(value: float, objective: int | None) -> int:
    """The objective is integral, so a fractional bound may be rounded up (within float noise)."""
    nearest = round(value)
    bound = int(nearest) if abs(value - nearest) < 1e-6 * max(1.0, abs(value)) else math.ceil(value)
    return min(bound, objective) if objective is not None else bound


def configure(solver: cp_model.CpSolver, time_limit: float, workers: int, seed: int, log_search: bool):
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, float(time_limit))
    params.num_workers = max(1, int(workers))
    params.random_seed = int(seed)
    params.log_search_progress = bool(log_search)
    if params.num_workers >= 2:
        # The level-2 LP with symmetry proves far better bounds on the fairness
        # term than the default LP worker (measured: 302.4k vs 295.3k after 2 s).
        params.subsolvers.append("max_lp_sym")
    if log_search:
        solver.log_callback = lambda line: log.info("%s", line)


def solve_scope(problem: Problem, scope: Scope, *, time_limit: float, workers: int, seed: int,
                hint: set[tuple[int, int]] | None = None, on_solution=None,
                log_search: bool = False) -> ScopeResult:
    """Solve one scope: a greedy + local-search roster, then CP-SAT hinted with it."""
    started = time.monotonic()
    model, handles = build_model(problem, scope)
    heuristic_deadline = started + min(HEURISTIC_SHARE * time_limit, HEURISTIC_MAX_SECONDS)
    start = heuristic_roster(handles, deadline=heuristic_deadline, seed=seed, start_pairs=hint)
    handles.complete_hint(model, start)
    handles.stats["heuristic_seconds"] = round(time.monotonic() - started, 3)
    if on_solution is not None:
        # The progress bar moves as soon as the heuristic roster exists.
        values = handles.values_for(start)
        terms = {name: term.value(lambda v: values[v.Index()]) for name, term in handles.terms.items()}
        objective = _weighted_terms(problem, terms)
        on_solution(objective, min(objective, simple_bound(problem, handles)), time.monotonic() - started)
    solver = cp_model.CpSolver()
    configure(solver, time_limit - (time.monotonic() - started), workers, seed, log_search)
    callback = _Progress(on_solution, started) if on_solution else None
    status = solver.Solve(model, callback)
    result = ScopeResult(solver.StatusName(status), model_stats=dict(handles.stats))
    result.seconds = time.monotonic() - started
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.objective = int(round(solver.ObjectiveValue()))
        result.bound = _integer_bound(solver.BestObjectiveBound(), result.objective)
        values = solver.ResponseProto().solution
        result.pairs = [pair for pair, var in handles.x.items() if values[var.Index()]]
        result.terms = {name: term.value(lambda v: values[v.Index()])
                        for name, term in handles.terms.items()}
    elif status == cp_model.UNKNOWN and start is not None and roster_is_valid(handles, start):
        _fall_back_to_heuristic(result, handles, start, solver)
    return result


def _fall_back_to_heuristic(result: ScopeResult, handles, start, solver) -> None:
    """CP-SAT found nothing in time (e.g. a very short limit): keep the heuristic roster.

    The heuristic respects every hard rule over the model's pairs, so its roster
    is valid; the bound is CP-SAT's if it proved one, else a cheap valid one.
    """
    values = handles.values_for(start)
    result.status = "FEASIBLE"
    result.pairs = sorted(start)
    result.terms = {name: term.value(lambda v: values[v.Index()]) for name, term in handles.terms.items()}
    result.objective = _weighted_terms(handles.problem, result.terms)
    cheap = simple_bound(handles.problem, handles)
    proved = solver.BestObjectiveBound()
    result.bound = min(result.objective, max(cheap, _integer_bound(proved, None))
                       if math.isfinite(proved) else cheap)
    result.model_stats["fallback"] = "heuristic"


def _weighted_terms(problem, terms) -> int:
    w = problem.weights
    return (w.unfilled * terms["unfilled"] + w.stability * terms["stability"]
            + w.continuity * terms["continuity"] + w.preference * terms["preference"]
            + w.fairness * terms["fairness"])


def _hint(model, handles, pairs) -> None:
    model.ClearHints()
    for pair, var in handles.x.items():
        model.AddHint(var, 1 if pair in pairs else 0)


def _coverage_phase(model, handles, started, time_limit, workers, seed, log_search):
    """Minimise the unfilled count alone; hint its roster and keep its proven bound."""
    unfilled = handles.terms["unfilled"].expression()
    model.Minimize(unfilled)
    solver = cp_model.CpSolver()
    configure(solver, max(0.05, 0.25 * time_limit - (time.monotonic() - started)), workers, seed,
              log_search)
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    lowest = _integer_bound(solver.BestObjectiveBound(), None)
    if lowest > handles.terms["unfilled"].constant:
        model.Add(unfilled >= lowest)
    values = list(solver.ResponseProto().solution)
    pairs = {pair for pair, var in handles.x.items() if values[var.Index()]}
    # A complete hint (every variable) lets CP-SAT start from it directly.
    model.ClearHints()
    hint_proto = model.Proto().solution_hint
    hint_proto.vars.extend(range(len(values)))
    hint_proto.values.extend(values)
    handles.stats["coverage_bound"] = lowest
    return pairs


def pin_core(problem: Problem, scope: Scope, *, time_limit: float, seed: int) -> list[tuple[int, int]] | None:
    """Pins that together make the scope infeasible (an unsat core over pin literals)."""
    model, handles = build_model(problem, scope, pins_as_assumptions=True)
    model.ClearObjective()
    solver = cp_model.CpSolver()
    # Cores over assumptions come from the single-threaded search.
    configure(solver, time_limit, 1, seed, False)
    status = solver.Solve(model)
    if status != cp_model.INFEASIBLE:
        return None
    by_index = {handles.x[pair].Index(): pair for pair in handles.pinned}
    return sorted(by_index[i] for i in solver.SufficientAssumptionsForInfeasibility() if i in by_index)
