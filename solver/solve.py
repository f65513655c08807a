"""``solve()``: pin checks, decomposition into independent components, CP-SAT, reporting."""

from __future__ import annotations

import logging
import time

from solver import report
from solver.decompose import community_scope, components, member_reach
from solver.model import Scope
from solver.pins import pin_conflicts
from solver.problem import Problem
from solver.scoped import ScopeResult, pin_core, solve_scope
from solver.solution import Solution
from solver.stopping import DEFAULT_GAP, resolve_gap

log = logging.getLogger(__name__)

# The objective terms no roster can change (history-only fairness), under the name
# scripts/bench_district_queue.py imports; the one definition is Problem.fairness_constant.

# Components larger than this many shifts go to the large-neighbourhood search.
LARGE_COMPONENT_SHIFTS = 400


def solve(problem: Problem, *, time_limit: float = 10.0, workers: int = 2, seed: int = 0,
          on_progress=None, log: bool = False, gap: float | None = None, processes: int = 1,
          executor=None) -> Solution:
    """Solve ``problem`` within ``time_limit`` seconds on ``workers`` threads.

    The solve stops as soon as its roster is proven within ``gap`` (a fraction: 0.001 is
    0.1%) of the non-constant objective; ``None`` takes the document's ``options.gap``, else
    0.1%.  ``time_limit`` stays the ceiling.  ``processes`` > 1 lets a district's community
    improvement run in that many worker processes; ``executor`` (``solver/executor.py``), if given,
    runs a district's pieces of work instead (the caller closes it).
    ``on_progress(objective, bound, elapsed)`` is called on each improving solution.
    """
    started = time.monotonic()
    target = resolve_gap(problem, gap)
    conflicts = pin_conflicts(problem)
    if conflicts:
        return _infeasible(problem, conflicts, started)
    run = _Run(problem, started, time_limit, workers, seed, on_progress, log, gap=target, processes=processes,
               executor=executor)
    return run.execute()


class _Run:
    def __init__(self, problem, started, time_limit, workers, seed, on_progress, log_search, *,
                 gap: float = DEFAULT_GAP, processes: int = 1, executor=None):
        self.problem = problem
        self.started = started
        self.gap = gap
        self.processes = max(1, int(processes))
        self.executor = executor
        self.deadline = started + max(0.05, float(time_limit))
        self.workers = workers
        self.seed = seed
        self.on_progress = on_progress
        self.log_search = log_search
        self.reach = member_reach(problem)
        self.hint = _previous_pairs(problem)

    def remaining(self) -> float:
        return max(0.01, self.deadline - time.monotonic())

    def execute(self) -> Solution:
        groups = components(self.problem)
        scopes = [community_scope(self.problem, g, self.reach) for g in groups]
        weights = [max(1, len(sc.shifts)) for sc in scopes]
        results: list[ScopeResult] = []
        for i, scope in enumerate(scopes):
            share = self.remaining() * weights[i] / sum(weights[i:])
            result = self._solve_component(scope, share, results, scopes[i + 1:])
            if result.status == "INFEASIBLE":
                return self._explain_infeasible(scope)
            if result.status == "UNKNOWN":
                return self._unknown(scope)
            results.append(result)
        return self._assemble(scopes, results)

    def _solve_component(self, scope, share, done, pending) -> ScopeResult:
        if len(scope.shifts) > LARGE_COMPONENT_SHIFTS:
            from solver.district import solve_large
            return solve_large(self.problem, scope, deadline=time.monotonic() + share,
                               workers=self.workers, seed=self.seed, hint=self.hint,
                               on_solution=self._reporter(done, pending), log_search=self.log_search,
                               gap=self.gap, clock=self.started, processes=self.processes,
                               executor=self.executor)
        return solve_scope(self.problem, scope, time_limit=share, workers=self.workers,
                           seed=self.seed, hint=self.hint, on_solution=self._reporter(done, pending),
                           log_search=self.log_search, gap=self.gap, clock=self.started)

    def _reporter(self, done, pending):
        if self.on_progress is None:
            return None
        done_objective = sum(r.objective for r in done)
        done_bound = sum(r.bound for r in done)
        pending_empty = sum(self.problem.weights.unfilled * self.problem.shifts[s].min_staff
                            for sc in pending for s in sc.shifts)

        best = [None]

        def report_progress(objective, bound, _elapsed):
            total = done_objective + objective + pending_empty
            if best[0] is not None and total >= best[0]:
                return  # only improving solutions move the progress bar
            best[0] = total
            self.on_progress(total, min(total, done_bound + bound), time.monotonic() - self.started)
        return report_progress

    def _assemble(self, scopes, results) -> Solution:
        problem = self.problem
        covered = {m for sc in scopes for m in sc.members}
        outside = problem.fairness_constant(m for m in range(len(problem.members)) if m not in covered)
        model_objective = sum(r.objective for r in results) + outside
        bound = sum(r.bound for r in results) + outside
        pairs = sorted({p for r in results for p in r.pairs})
        assignments = [(problem.shifts[s].id, problem.members[m].id) for s, m in pairs]
        terms = report.breakdown(problem, assignments)
        objective = problem.weights.objective(terms)
        if objective > model_objective:
            log.error("model objective %s differs from evaluated %s", model_objective, objective)
        optimal = all(r.status == "OPTIMAL" for r in results)
        stats = {"wall_seconds": round(time.monotonic() - self.started, 3),
                 "components": len(scopes), "model_objective": model_objective,
                 "pairs": sum(r.model_stats.get("pairs", 0) for r in results)}
        proved_by = sorted({r.model_stats["bound_from"] for r in results if "bound_from" in r.model_stats})
        if proved_by:
            stats["bound_from"] = proved_by
        if any(r.model_stats.get("roster_from") == "rins" for r in results):
            stats["roster_from"] = ["rins"]
        stats.update(_gaps(problem, objective, bound))
        stats.update(_timeline(results, stats["wall_seconds"], self.gap, stats["gap_nonconstant"]))
        for key in ("lns_moves", "lns_tasks", "lns_stale", "lns_processes", "rins_tries", "rins_improved",
                    "sweep_communities", "sweep_groups", "sweep_converged", "sweep_joined", "sweep_shared_members",
                    "sweep_lifted", "sweep_seconds"):
            values = [r.model_stats[key] for r in results if r.model_stats.get(key) is not None]
            if values:
                stats[key] = max(values) if key in ("lns_processes", "sweep_seconds") else sum(values)
            elif key == "sweep_seconds" and "sweep_communities" in stats:
                stats[key] = None      # the sweep did not reach every community: its bound was not used
        return Solution("OPTIMAL" if optimal else "FEASIBLE", objective, min(bound, objective),
                        assignments, report.unfilled(problem, assignments), terms, stats)

    def _explain_infeasible(self, scope: Scope) -> Solution:
        core = pin_core(self.problem, scope, time_limit=max(1.0, self.remaining()), seed=self.seed)
        problem = self.problem
        pins = [{"shift": problem.shifts[s].id, "member": problem.members[m].id}
                for s, m in sorted(core or [])]
        message = ("these pins cannot all hold together (e.g. no lead-skill holder is free)"
                   if pins else "the pins cannot all hold together")
        return _infeasible(problem, [{"rule": "pins", "message": message, "pins": pins}], self.started)

    def _unknown(self, scope: Scope) -> Solution:
        problem = self.problem
        pins = [{"shift": p.shift, "member": p.member} for p in problem.pins
                if problem.shift_index[p.shift] in set(scope.shifts)]
        conflict = {"rule": "unknown", "message": "no valid roster found within the time limit "
                    "and infeasibility was not proved", "pins": pins}
        solution = _infeasible(problem, [conflict], self.started)
        solution.stats["proved"] = False
        return solution


def _previous_pairs(problem: Problem) -> set[tuple[int, int]]:
    return {(problem.shift_index[p.shift], problem.member_index[p.member])
            for p in problem.previous if p.shift in problem.shift_index}


def _gaps(problem: Problem, objective: int, bound: int) -> dict:
    gap = objective - min(bound, objective)
    variable = objective - problem.fairness_constant()
    return {"gap": round(gap / max(1, abs(objective)), 6),
            "gap_nonconstant": round(gap / variable, 6) if variable > 0 else 0.0}


def _timeline(results, wall: float, gap: float, final_gap: float) -> dict:
    """When the whole roster first existed, first was within 1%, and the solve stopped.

    Components are solved one after another, so the whole roster exists once the last one has
    its first roster, and the whole is within a gap once every component is (each gap is a
    share of its own non-constant part, so the sum is within the same share of the total).
    """
    def latest(key):
        values = [r.model_stats.get(key) for r in results]
        return None if not values or any(v is None for v in values) else max(values)

    stats = {"gap_target": gap, "time_first_roster": latest("time_first_roster"),
             "time_gap_1pct": latest("time_gap_1pct"), "time_gap_target": latest("time_gap_target"),
             "time_stop": wall}
    curves = [r.model_stats.get("time_to_gap") for r in results]
    if curves and all(curves):
        stats["time_to_gap"] = {level: None if any(c.get(level) is None for c in curves)
                                else max(c[level] for c in curves) for level in curves[0]}
    if stats["time_gap_1pct"] is None and final_gap <= 0.01:
        stats["time_gap_1pct"] = wall
    stats["stopped_by"] = "gap" if final_gap <= gap else "time_limit"
    return stats


def _infeasible(problem: Problem, conflicts: list[dict], started: float) -> Solution:
    stats = {"wall_seconds": round(time.monotonic() - started, 3), "conflicts": conflicts,
             "message": "; ".join(c["message"] for c in conflicts)}
    return Solution("INFEASIBLE", None, None, [], [], {}, stats)
