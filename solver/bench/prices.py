"""The sweep bound at other prices (issue 29): does a subgradient step on the shared members' prices lift it?

``python -m solver.bench prices --problem P --solution S`` takes a roster (a solve's solution document, e.g. the
ones ``overview`` writes), prices the members shared between the sweep's groups at the tangents of u² at its
loads (as ``district.solve_large`` does), runs every group's column generation to convergence and sums the
district bound (``sweep.sweep_bound``); then, for each ``--thetas`` value, one step of ``sweep.price_step`` from
those prices and the bound again. ``--steps N`` takes N steps in a row with the first θ, halving it after a step
that lowered the bound. ``--warm``: each sweep's groups start from the master columns the sweep before ended
with. CPU seconds, not wall time (each line is one sweep in this process).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from solver.model import candidate_handles
from solver.problem import GRID, load_problem_file
from solver.solution import load_solution
from solver.sweep import joint_lift, members_by_community, price_step, shared_prices, sweep_bound, sweep_groups

SECONDS_EACH = 60.0   # a group's column generation converges in well under this


def price_steps(*, problem_path: Path, solution_path: Path, thetas: list[float], steps: int = 1,
                warm: bool = False) -> str:
    problem = load_problem_file(problem_path)
    solution = load_solution(json.loads(Path(solution_path).read_text(encoding="utf-8")))
    roster = sorted((problem.shift_index[s], problem.member_index[m]) for s, m in solution.assignments)
    handles = candidate_handles(problem)
    units = {m: problem.members[m].history_minutes // GRID for m in handles.scope.members}
    for s, m in roster:
        units[m] += problem.shifts[s].minutes // GRID
    members_of = members_by_community(handles)
    members_of_group = {g: set().union(*(members_of[c] for c in g)) for g in sweep_groups(members_of)}
    upper = solution.objective

    def sweep(prices, start=None):
        """The bound, the priced members' LP loads, CPU seconds, and (``warm``) the columns it ended with,
        having started from ``start``'s."""
        started, loads, columns, terms = time.process_time(), {}, dict(start or {}) if warm else None, []
        bound = sweep_bound(problem, handles, units, SECONDS_EACH, prices=prices, current=roster, loads=loads,
                            warm=columns, terms=terms)
        cpu = time.process_time() - started
        lifts = joint_lift(problem, terms, prices, math.inf)
        joint.append((bound + math.floor(sum(lifts.values())), len(lifts), time.process_time() - started - cpu))
        return bound, loads, cpu, columns

    joint = []

    tangent = shared_prices(problem, members_of_group, handles.scope.members, units)
    lower, loads, cpu, columns = sweep(tangent)
    lines = [f"{len(members_of_group)} groups, {len(tangent.price)} members priced; roster {upper:,}", "",
             "| prices | bound | against the tangents | CPU (s) | priced jointly | members lifted | CPU (s) |",
             "|---|---:|---:|---:|---:|---:|---:|",
             f"| tangents at the roster's loads | {lower:,} | | {cpu:.1f} | {_joint(joint[-1])} |"]
    if steps > 1:
        theta, prices, at, best = thetas[0], tangent, (lower, loads), lower
        for step in range(1, steps + 1):
            prices = price_step(problem, prices, at[1], upper, at[0], theta)
            bound, step_loads, cpu, columns = sweep(prices, columns)
            lines.append(f"| step {step}, θ {theta:g} | {bound:,} | {bound - lower:+,} | {cpu:.1f} | "
                         f"{_joint(joint[-1])} |")
            if bound < at[0]:
                theta /= 2
            at, best = (bound, step_loads), max(best, bound)
        return "\n".join(lines + [f"\nBest: {best:,} ({best - lower:+,})."])
    for theta in thetas:
        bound, _, cpu, _ = sweep(price_step(problem, tangent, loads, upper, lower, theta), columns)
        lines.append(f"| one step, θ {theta:g} | {bound:,} | {bound - lower:+,} | {cpu:.1f} | {_joint(joint[-1])} |")
    return "\n".join(lines)


def _joint(row) -> str:
    bound, lifted, cpu = row
    return f"{bound:,} | {lifted} | {cpu:.2f}"
