"""Rosters from the column generation's LP: relaxation-induced neighbourhood search (RINS).

On community weeks the Dantzig-Wolfe bound converges within a few seconds and is nearly
tight; what keeps a solve from stopping is CP-SAT's *roster* (measured on seeds 2, 5, 6:
the bound sat within 16–32 units of its final value after 2 s while CP-SAT needed 4–30 s to
find a roster that close). RINS uses the master LP's solution to find that roster:

- every pair on which the LP (x̄ = the summed weight of the member's patterns holding the
  shift) and the incumbent roster agree is fixed to that value;
- CP-SAT, with one worker and presolve (which drops the fixed variables), solves what is
  left from the incumbent as a complete hint.

The neighbourhood is small (the LP is integral for most members), so the sub-solve usually
ends OPTIMAL in a fraction of a second. Each sub-solve's roster satisfies every rule of the
full model (only variable domains change), so it is a valid roster of the scope.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

SUB_SECONDS = 1.5     # the most one sub-solve may take
TOLERANCE = 1e-6


def lp_pair_values(cg) -> dict[tuple[int, int], float]:
    """x̄ of the master LP's last solve: (shift, member) -> summed weight of patterns holding it."""
    values: dict[tuple[int, int], float] = {}
    for (m, pattern), var in cg.colvars.items():
        weight = var.solution_value()
        if weight <= TOLERANCE:
            continue
        for s in pattern:
            values[(s, m)] = values.get((s, m), 0.0) + weight
    return values


def neighbourhood(handles, lp_values, incumbent: set) -> dict:
    """Variable index -> fixed value, for the pairs where the LP and the incumbent agree."""
    fixed = {}
    for pair, var in handles.x.items():
        lp = lp_values.get(pair, 0.0)
        if pair in incumbent:
            if lp >= 1 - TOLERANCE:
                fixed[var.Index()] = 1
        elif lp <= TOLERANCE:
            fixed[var.Index()] = 0
    return fixed


class RinsResult:
    __slots__ = ("objective", "solution", "pairs", "free", "status", "seconds")


class _Rosters(cp_model.CpSolverSolutionCallback):
    """Keeps the sub-solve's best roster and tells the gap watch at once (which may stop it)."""

    def __init__(self, watch, on_roster=None):
        super().__init__()
        self.watch = watch
        self.on_roster = on_roster
        self.objective = None
        self.solution = None

    def on_solution_callback(self) -> None:
        objective = int(round(self.ObjectiveValue()))
        if self.objective is None or objective < self.objective:
            self.objective, self.solution = objective, list(self.response_proto.solution)
            if self.watch is not None:
                self.watch.roster(objective)
            if self.on_roster is not None:
                self.on_roster(objective)


def improve(model, handles, lp_values, incumbent: set, *, time_limit: float, seed: int = 0,
            stop_when=None, on_start=None, on_roster=None) -> RinsResult | None:
    """One RINS sub-solve from ``incumbent``; the result (or None if it found no roster).

    ``stop_when`` is a ``GapWatch``: it hears each roster the sub-solve finds, and the sub-solve
    stops as soon as the watch is met. ``on_start(stop)`` receives the sub-solve's stop function
    before it starts (the caller stops it when the main search ends). ``on_roster(objective)``
    hears each better roster the sub-solve finds (the progress report), as it is found.
    """
    fixed = neighbourhood(handles, lp_values, incumbent)
    sub = model.clone()
    proto = sub.Proto()
    for index, value in fixed.items():
        domain = proto.variables[index].domain
        domain.clear()
        domain.extend([value, value])
    handles.complete_hint(sub, incumbent)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.01, min(SUB_SECONDS, time_limit))
    params.num_workers = 1
    params.random_seed = seed
    params.linearization_level = 2   # measured: finds the sub-optimum in 0.1-0.2 s where level 1 took 1.5 s
    if stop_when is not None:
        stop_when.on_stop(solver.StopSearch)
    if on_start is not None:
        on_start(solver.StopSearch)
    rosters = _Rosters(stop_when, on_roster)
    status = solver.Solve(sub, rosters)
    if rosters.solution is None:
        return None
    result = RinsResult()
    result.objective, result.solution = rosters.objective, rosters.solution
    result.pairs = {pair for pair, var in handles.x.items() if result.solution[var.Index()]}
    result.free = len(handles.x) - len(fixed)
    result.status = solver.StatusName(status)
    result.seconds = solver.WallTime()
    return result
