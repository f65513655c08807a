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
from solver.stopping import DEFAULT_GAP, GapWatch

log = logging.getLogger(__name__)

HEURISTIC_SHARE = 0.3
HEURISTIC_MAX_SECONDS = 1.0   # 2.0 measured slower to the gap at load 6 (c1, c3, c4); 0.5 left c2, c5 worse rosters


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
    """Forwards each CP-SAT roster to the progress report and the gap watch; stops at the gap."""

    def __init__(self, report, started: float, watch: GapWatch, tracker=None, handles=None):
        super().__init__()
        self._report = report
        self._started = started
        self._watch = watch
        self._tracker = tracker
        self._handles = handles

    def on_solution_callback(self) -> None:
        objective = int(round(self.ObjectiveValue()))
        bound = _integer_bound(self.BestObjectiveBound(), objective)
        if self._tracker is not None:
            if self._tracker.best is None or objective < self._tracker.best:
                self._tracker.best = objective
                if self._handles is not None:
                    # The column generation takes this roster's per-member patterns as columns.
                    self._tracker.pairs = [pair for pair, var in self._handles.x.items() if self.BooleanValue(var)]
        self._watch.roster(objective)
        self._watch.proved(bound)
        if self._report is not None:
            self._report(objective, max(bound, min(objective, self._watch.bound or bound)),
                         time.monotonic() - self._started)
        if self._watch.met:
            self.StopSearch()


def _integer_bound(value: float, objective: int | None) -> int:
    """The objective is integral, so a fractional bound may be rounded up (within float noise)."""
    nearest = round(value)
    bound = int(nearest) if abs(value - nearest) < 1e-6 * max(1.0, abs(value)) else math.ceil(value)
    return min(bound, objective) if objective is not None else bound


def configure(solver: cp_model.CpSolver, time_limit: float, workers: int, seed: int, log_search: bool,
              presolve: bool = True):
    params = solver.parameters
    params.cp_model_presolve = bool(presolve)
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
                log_search: bool = False, gap: float = DEFAULT_GAP, clock: float | None = None,
                presolve: bool = True, heuristic_seconds: float | None = None) -> ScopeResult:
    """Solve one scope: a greedy + local-search roster, then CP-SAT hinted with it.

    CP-SAT stops as soon as its roster is proven within ``gap`` of the scope's non-constant
    objective (by its own bound or the column-generation bound), else at ``time_limit``.
    ``presolve=False`` suits short re-solves from a complete hint (district moves: at load 8 the
    presolve of a 90-member community took 2.6 s, the first roster without it came at 0.1 s).
    """
    started = time.monotonic()
    watch = GapWatch(gap=gap, constant=problem.fairness_constant(scope.members), clock=clock or started)
    model, handles = build_model(problem, scope)
    if heuristic_seconds is None:
        heuristic_seconds = min(HEURISTIC_SHARE * time_limit, HEURISTIC_MAX_SECONDS)
    heuristic_deadline = started + heuristic_seconds
    start = heuristic_roster(handles, deadline=heuristic_deadline, seed=seed, start_pairs=hint)
    handles.complete_hint(model, start)
    handles.stats["heuristic_seconds"] = round(time.monotonic() - started, 3)
    values = handles.values_for(start)
    terms = {name: term.value(lambda v: values[v.Index()]) for name, term in handles.terms.items()}
    objective = problem.weights.objective(terms)
    cheap = min(objective, simple_bound(problem, handles))
    valid_start = roster_is_valid(handles, start)
    if valid_start:  # an invalid start is only a hint: it must not count as the roster a gap is measured from
        watch.roster(objective)
    watch.proved(cheap)
    if on_solution is not None and valid_start:
        # The progress bar moves as soon as the heuristic roster exists.
        on_solution(objective, cheap, time.monotonic() - started)
    if watch.met and valid_start:
        # Proven good enough already (e.g. every shift filled by liked, unloaded members).
        result = ScopeResult("FEASIBLE", model_stats=dict(handles.stats, stopped_after="heuristic"))
        _keep_heuristic(result, handles, start, watch.bound)
        result.seconds = time.monotonic() - started
        result.model_stats.update(watch.stats(), constant=watch.constant)
        return result
    solver = cp_model.CpSolver()
    configure(solver, time_limit - (time.monotonic() - started), workers, seed, log_search, presolve)
    solver.best_bound_callback = lambda value: watch.proved(_integer_bound(value, None))
    rins = None
    if _use_column_generation(scope, handles, time_limit):
        status, cg_bound, rins = _solve_with_column_generation(problem, handles, model, solver, start,
                                                                on_solution, started, watch, seed)
    else:
        status, cg_bound = solver.Solve(model, _Progress(on_solution, started, watch)), None
    result = ScopeResult(solver.StatusName(status), model_stats=dict(handles.stats))
    result.seconds = time.monotonic() - started
    cp_found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if rins is not None and (not cp_found or rins.objective < round(solver.ObjectiveValue())):
        # The LP-guided sub-solve (solver/rins.py) found the better roster; CP-SAT's bound still holds.
        result.status = "FEASIBLE"
        result.model_stats["roster_from"] = "rins"
        values, result.objective = rins.solution, rins.objective
    elif cp_found:
        values, result.objective = solver.ResponseProto().solution, int(round(solver.ObjectiveValue()))
    else:
        values = None
    if values is not None:
        proved = solver.BestObjectiveBound() if cp_found else -math.inf
        result.bound = (_integer_bound(proved, result.objective) if math.isfinite(proved)
                        else min(result.objective, simple_bound(problem, handles)))
        if cg_bound is not None and cg_bound > result.bound:
            result.bound = min(cg_bound, result.objective)
            result.model_stats["bound_from"] = "column_generation"
        if watch.bound is not None and watch.bound > result.bound:
            result.bound = min(watch.bound, result.objective)
        if result.bound >= result.objective:
            result.status = "OPTIMAL"
        result.pairs = [pair for pair, var in handles.x.items() if values[var.Index()]]
        result.terms = {name: term.value(lambda v: values[v.Index()])
                        for name, term in handles.terms.items()}
    elif status == cp_model.UNKNOWN and start is not None and roster_is_valid(handles, start):
        _fall_back_to_heuristic(result, handles, start, solver)
        if watch.bound is not None and watch.bound > result.bound:
            result.bound = min(watch.bound, result.objective)
        if result.bound >= result.objective:
            result.status = "OPTIMAL"
    result.model_stats.update(watch.stats())
    result.model_stats["constant"] = watch.constant
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
    """The incumbent objective while CP-SAT runs (read by the column-generation thread)."""

    def __init__(self):
        self.best = None
        self.pairs = None        # the incumbent's pairs, replaced (never mutated) on each better roster


def _solve_with_column_generation(problem, handles, model, solver, start, on_solution, started, watch, seed=0):
    """CP-SAT in this thread for the roster; the column-generation bound, then RINS, in a second thread.

    Both report into ``watch``; CP-SAT is stopped as soon as the gap is met, and the second
    thread stops when CP-SAT is done.  Once the column generation has converged its LP
    guides RINS sub-solves (``solver/rins.py``) from the best roster so far, each with one
    CP-SAT worker. Returns (CP-SAT status, column-generation bound or None, the best RINS
    roster or None).
    """
    from solver.colgen import ColumnGeneration, integer_bound

    tracker = _Tracker()
    tracker.best = watch.objective
    tracker.pairs = set(start) if watch.objective is not None else None
    deadline = time.monotonic() + solver.parameters.max_time_in_seconds - 0.1
    found = {}
    watch.on_stop(solver.StopSearch)

    def on_bound(value):
        bound = integer_bound(value)
        if bound is not None:
            found["bound"] = max(bound, found.get("bound", bound))
            watch.proved(bound)

    def stopped():
        return "cp_done" in found or watch.met

    def bound_thread():
        if COLGEN_NICE:
            try:  # Linux: per-thread niceness, so CP-SAT's roster search keeps the CPU first
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), COLGEN_NICE)
            except (AttributeError, OSError):
                pass
        try:
            cg = ColumnGeneration(problem, handles)
            driver = _Rins(model, handles, tracker, watch, deadline, stopped, found, seed,
                           report=_rins_report(on_solution, watch, tracker, started))
            cg.run(deadline, start, upper=lambda: tracker.best, stop=stopped, on_bound=on_bound,
                   incumbent=lambda: tracker.pairs, on_round=driver.on_round)
            found["stats"] = {"colgen_iterations": cg.iterations,
                              "colgen_seconds": round(time.monotonic() - cg.started, 2)}
            if cg.converged:
                driver.until_done(cg)
        except Exception:  # the bound and RINS are extras; never let them sink the roster
            log.exception("column generation failed")
        found["done"] = True

    thread = threading.Thread(target=bound_thread, daemon=True)
    thread.start()
    status = solver.Solve(model, _Progress(on_solution, started, watch, tracker, handles))
    found["cp_done"] = True
    for stop in found.get("sub_stops", ()):
        stop()                    # a RINS sub-solve still running ends now
    # The second thread notices ``cp_done`` within one LP solve; do not wait much longer than
    # that (a late result is not used; the thread then ends by itself).
    thread.join(JOIN_SECONDS)
    handles.stats.update(found.get("stats", {}))
    if "rins_tries" in found:
        handles.stats.update(rins_tries=found["rins_tries"], rins_improved=found.get("rins_improved", 0))
    return status, found.get("bound"), found.get("rins")


def _rins_report(on_solution, watch: GapWatch, tracker, started: float):
    """The progress report for RINS's rosters: each one better than every roster reported so far
    (CP-SAT's included) goes to ``on_solution`` with the best bound proven, as CP-SAT's do."""
    if on_solution is None:
        return None

    def report(objective: int) -> None:
        if tracker.best is not None and objective >= tracker.best:
            return
        bound = watch.bound if watch.bound is not None else objective
        on_solution(objective, min(objective, bound), time.monotonic() - started)
    return report


RINS_FROM_GAP = 0.02   # RINS joins the column generation's rounds once the roster is proven within 2%


class _Rins:
    """RINS sub-solves (``solver/rins.py``) from the best roster so far, guided by the master LP."""

    def __init__(self, model, handles, tracker, watch, deadline, stopped, found, seed, report=None):
        self.model, self.handles, self.tracker, self.watch = model, handles, tracker, watch
        self.deadline, self.stopped, self.found, self.seed = deadline, stopped, found, seed
        self.report = report
        self.tried = set()

    def on_round(self, cg) -> None:
        """During the column generation: one sub-solve per round once the gap is small."""
        gap = self.watch.current_gap()
        if gap is not None and gap <= RINS_FROM_GAP and self.tracker.pairs is not None:
            self._attempt(cg, ("round", cg.iterations))

    def until_done(self, cg) -> None:
        """After convergence: a sub-solve from each new best roster until the stop."""
        while not self.stopped() and time.monotonic() < self.deadline - 0.05:
            if self.tracker.pairs is None or not self._attempt(cg, "converged"):
                time.sleep(0.02)          # wait for CP-SAT's next roster

    def _attempt(self, cg, when) -> bool:
        from solver import rins

        incumbent = self.tracker.pairs
        key = (frozenset(incumbent), when)
        if key in self.tried:
            return False
        self.tried.add(key)
        found = self.found
        found["rins_tries"] = found.get("rins_tries", 0) + 1
        better = rins.improve(self.model, self.handles, rins.lp_pair_values(cg), set(incumbent),
                              time_limit=self.deadline - time.monotonic(), seed=self.seed + len(self.tried),
                              stop_when=self.watch, on_start=found.setdefault("sub_stops", []).append,
                              on_roster=self.report)
        if better is not None and (self.tracker.best is None or better.objective < self.tracker.best):
            found["rins"] = better
            found["rins_improved"] = found.get("rins_improved", 0) + 1
            self.tracker.best, self.tracker.pairs = better.objective, better.pairs
        return True


def _fall_back_to_heuristic(result: ScopeResult, handles, start, solver) -> None:
    """CP-SAT found nothing in time (e.g. a very short limit): keep the heuristic roster.

    The heuristic respects every hard rule over the model's pairs, so its roster
    is valid; the bound is CP-SAT's if it proved one, else a cheap valid one.
    """
    values = handles.values_for(start)
    result.status = "FEASIBLE"
    result.pairs = sorted(start)
    result.terms = {name: term.value(lambda v: values[v.Index()]) for name, term in handles.terms.items()}
    result.objective = handles.problem.weights.objective(result.terms)
    cheap = simple_bound(handles.problem, handles)
    proved = solver.BestObjectiveBound()
    result.bound = min(result.objective, max(cheap, _integer_bound(proved, None))
                       if math.isfinite(proved) else cheap)
    result.model_stats["fallback"] = "heuristic"


def _keep_heuristic(result: ScopeResult, handles, start, bound) -> None:
    values = handles.values_for(start)
    result.pairs = sorted(start)
    result.terms = {name: term.value(lambda v: values[v.Index()]) for name, term in handles.terms.items()}
    result.objective = handles.problem.weights.objective(result.terms)
    result.bound = min(result.objective, bound)
    if result.bound >= result.objective:
        result.status = "OPTIMAL"


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
