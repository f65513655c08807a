"""Solving one scope of the problem with CP-SAT and reading the result back."""

from __future__ import annotations

import logging
import math
import os
import threading
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
    if _use_column_generation(scope, handles, time_limit):
        status, cg_bound = _solve_with_column_generation(problem, handles, model, solver, start,
                                                          on_solution, started)
    else:
        callback = _Progress(on_solution, started) if on_solution else None
        status, cg_bound = solver.Solve(model, callback), None
    result = ScopeResult(solver.StatusName(status), model_stats=dict(handles.stats))
    result.seconds = time.monotonic() - started
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.objective = int(round(solver.ObjectiveValue()))
        result.bound = _integer_bound(solver.BestObjectiveBound(), result.objective)
        if cg_bound is not None and cg_bound > result.bound:
            result.bound = min(cg_bound, result.objective)
            result.model_stats["bound_from"] = "column_generation"
        if result.bound >= result.objective:
            result.status = "OPTIMAL"
        values = solver.ResponseProto().solution
        result.pairs = [pair for pair, var in handles.x.items() if values[var.Index()]]
        result.terms = {name: term.value(lambda v: values[v.Index()])
                        for name, term in handles.terms.items()}
    elif status == cp_model.UNKNOWN and start is not None and roster_is_valid(handles, start):
        _fall_back_to_heuristic(result, handles, start, solver)
    return result


# Column generation runs beside CP-SAT (which releases the GIL) on scopes without
# fixed outside shifts, when there is time for it.
COLGEN_MIN_SECONDS = 1.0
COLGEN_MAX_PAIRS = 20_000
JOIN_SECONDS = 0.2
COLGEN_NICE = 0   # 10 measured worse: under load the bound thread starved (no colgen bound on any seed)


def _use_column_generation(scope, handles, time_limit) -> bool:
    return (not scope.fixed and time_limit >= COLGEN_MIN_SECONDS
            and 0 < len(handles.x) <= COLGEN_MAX_PAIRS)


class _Tracker:
    """Records the incumbent objective (and forwards progress) while CP-SAT runs in a thread."""

    def __init__(self, report, started: float):
        self._report = report
        self._started = started
        self.best = None

    def on_solution_callback_from(self, callback) -> None:
        objective = int(round(callback.ObjectiveValue()))
        self.best = objective if self.best is None else min(self.best, objective)
        if self._report is not None:
            bound = _integer_bound(callback.BestObjectiveBound(), objective)
            self._report(objective, bound, time.monotonic() - self._started)


def _solve_with_column_generation(problem, handles, model, solver, start, on_solution, started):
    """CP-SAT in this thread for the roster, the column-generation bound in a (niced) thread.

    CP-SAT is stopped early when the column-generation bound meets its incumbent, and the
    bound's thread stops when CP-SAT is done.
    Returns (CP-SAT status, column-generation bound or None).
    """
    from solver.colgen import ColumnGeneration, integer_bound

    tracker = _Tracker(on_solution, started)
    deadline = time.monotonic() + solver.parameters.max_time_in_seconds - 0.1
    found = {}

    def bound_thread():
        if COLGEN_NICE:
            try:  # Linux: per-thread niceness, so CP-SAT's roster search keeps the CPU first
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), COLGEN_NICE)
            except (AttributeError, OSError):
                pass
        try:
            cg = ColumnGeneration(problem, handles)
            value = cg.run(deadline, start, upper=lambda: tracker.best, stop=lambda: "cp_done" in found)
            found["stats"] = {"colgen_iterations": cg.iterations,
                              "colgen_seconds": round(time.monotonic() - cg.started, 2)}
            found["bound"] = integer_bound(value)
        except Exception:  # the bound is an extra; never let it sink the roster
            log.exception("column generation failed")
        bound = found.get("bound")
        if bound is not None and tracker.best is not None and tracker.best <= bound:
            solver.StopSearch()
        found["done"] = True

    thread = threading.Thread(target=bound_thread, daemon=True)
    thread.start()
    status = solver.Solve(model, _StopAtBound(tracker, found, solver))
    found["cp_done"] = True
    # The bound's thread notices ``cp_done`` within one LP solve; do not wait much longer
    # than that (a late bound is simply not used; the thread then ends by itself).
    thread.join(JOIN_SECONDS)
    handles.stats.update(found.get("stats", {}))
    return status, found.get("bound")


class _StopAtBound(cp_model.CpSolverSolutionCallback):
    """Forwards to the tracker; stops CP-SAT once a roster meets the column-generation bound."""

    def __init__(self, tracker, found, solver):
        super().__init__()
        self._tracker = tracker
        self._found = found

    def on_solution_callback(self) -> None:
        self._tracker.on_solution_callback_from(self)
        bound = self._found.get("bound")
        if bound is not None and self._tracker.best is not None and self._tracker.best <= bound:
            self.StopSearch()


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
