"""The sweep's groups one by one: what a group's column generation costs in CPU seconds (issue 29).

``python -m solver.bench groups`` builds the 9,000-member benchmark district, a roster from the greedy start
and ``--search`` seconds of local search (the sweep's prices are the tangents at its loads, as in
``district.solve_large``), and runs the column generation of the chosen groups to convergence (or
``--seconds``), printing rounds, bound and CPU seconds of each. CPU seconds, not wall time: on a shared
machine they move far less with the load (compare runs side by side all the same).
"""

from __future__ import annotations

import time

from solver.bench.generate import generate_problem
from solver.heuristic import LocalSearch
from solver.model import Scope, candidate_handles
from solver.problem import load_problem
from solver.sweep import group_bound, members_by_community, shared_prices, sweep_groups


def group_costs(*, groups: list[int], seconds: float, search: float, seed: int = 1, communities: int = 100) -> str:
    problem = load_problem(generate_problem(communities=communities, members_per_community=(80, 100), seed=seed))
    handles = candidate_handles(problem, Scope(list(range(len(problem.shifts))), list(range(len(problem.members)))))
    roster = LocalSearch(handles, 0)
    roster.construct(None)
    roster.improve(time.monotonic() + search)
    current = sorted(roster.pairs())
    members_of = members_by_community(handles)
    all_groups = sweep_groups(members_of)
    members_of_group = {g: set().union(*(members_of[c] for c in g)) for g in all_groups}
    prices = shared_prices(problem, members_of_group, handles.scope.members, roster.units)
    lines = [f"{len(all_groups)} groups; prices at a roster after {search:g} s of local search",
             "", "| group | communities | members | shifts | rounds | converged | bound | CPU (s) |",
             "|---:|---|---:|---:|---:|---|---:|---:|"]
    total = 0.0
    for index in groups:
        group = all_groups[index]
        shifts = [s for s in handles.scope.shifts if problem.shifts[s].community in group]
        members = sorted(members_of_group[group])
        in_group = set(shifts)
        started = time.process_time()
        cg, bound, _ = group_bound(problem, shifts, members, prices.for_members(members), time.monotonic() + seconds,
                                [(s, m) for s, m in current if s in in_group])
        cpu = time.process_time() - started
        total += cpu
        lines.append(f"| {index} | {' + '.join(group)} | {len(members)} | {len(shifts)} | {cg.iterations} | "
                     f"{'yes' if cg.converged else 'no'} | {bound:,.0f} | {cpu:.2f} |")
    lines.append(f"\nCPU in all: {total:.2f} s")
    return "\n".join(lines)
