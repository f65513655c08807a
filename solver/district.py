"""Large components (a district): local search for a full roster, then CP-SAT LNS by community.

One CP-SAT model over ~9,000 members does not fit the time budget, so the
district is handled as: greedy + local search over all candidate pairs, then
repeatedly re-solve one community exactly with CP-SAT while the outside
shifts of its cross-community members stay fixed (a large-neighbourhood move
that can only improve the roster).  The bound is a cheap valid lower bound.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict

from solver.bounds import lagrangian_bound, simple_bound
from solver.heuristic import LocalSearch, roster_is_valid
from solver.model import Scope, candidate_handles
from solver.problem import Problem
from solver.scoped import ScopeResult, solve_scope
from solver.stopping import DEFAULT_GAP, GapWatch, scope_constant

log = logging.getLogger(__name__)

# Seconds kept back for reporting after the local search; CP-SAT community moves
# only run if the local search converges early.
RESERVE_SECONDS = 2.0
BOUND_SHARE = 0.35
BOUND_MAX_SECONDS = 20.0
MIN_LNS_SECONDS = 3.0


def solve_large(problem: Problem, scope: Scope, *, deadline: float, workers: int, seed: int,
                hint=None, on_solution=None, log_search: bool = False, gap: float = DEFAULT_GAP,
                clock: float | None = None, processes: int = 1) -> ScopeResult:
    started = time.monotonic()
    watch = GapWatch(gap=gap, constant=scope_constant(problem, scope.members), clock=clock or started)
    handles = candidate_handles(problem, scope)
    log.info("district: %d candidate pairs after %.1fs", len(handles.x), time.monotonic() - started)
    search = LocalSearch(handles, seed)
    search.construct(hint)
    log.info("district: greedy roster after %.1fs", time.monotonic() - started)
    _report(search, on_solution, started)
    watch.roster(scope_objective(search))
    watch.proved(simple_bound(problem, handles))
    # Local search first, so the bound's subgradient steps aim at the improved roster's
    # objective (a closer Polyak target converges faster).
    bound_seconds = min(BOUND_MAX_SECONDS, BOUND_SHARE * (deadline - time.monotonic()))
    search.improve(deadline - RESERVE_SECONDS - bound_seconds)
    log.info("district: local search done after %.1fs", time.monotonic() - started)
    _report(search, on_solution, started)
    watch.roster(scope_objective(search))
    bound = lagrangian_bound(problem, handles, upper=scope_objective(search),
                             deadline=time.monotonic() + bound_seconds)
    log.info("district: lagrangian bound %d after %.1fs", bound, time.monotonic() - started)
    watch.proved(bound)
    moves = _community_lns(problem, scope, search, deadline, workers, seed, on_solution, started)
    log.info("district: %d LNS moves, done after %.1fs", moves, time.monotonic() - started)
    if not roster_is_valid(handles, search.pairs()):
        return ScopeResult("UNKNOWN", seconds=time.monotonic() - started)
    objective = scope_objective(search)
    bound = min(objective, bound)
    watch.roster(objective)
    stats = dict(handles.stats, pairs=len(handles.x), lns_moves=moves, **watch.stats())
    return ScopeResult("FEASIBLE", objective, bound, sorted(search.pairs()), {},
                       time.monotonic() - started, stats)


def scope_objective(search: LocalSearch) -> int:
    scope = search.h.scope
    in_scope = set(scope.shifts)
    previous = sum(1 for s, _ in search.previous if s in in_scope)
    return search.objective_part(scope.shifts, scope.members) + search.w.stability * previous


def _report(search, on_solution, started):
    if on_solution is not None:
        on_solution(scope_objective(search), simple_bound(search.p, search.h), time.monotonic() - started)


def _community_lns(problem, scope, search, deadline, workers, seed, on_solution, started) -> int:
    by_community = defaultdict(list)
    for s in scope.shifts:
        by_community[problem.shifts[s].community].append(s)
    order = sorted(by_community)
    random.Random(seed).shuffle(order)
    members_of = _members_by_community(search)
    moves = 0
    for community in order:
        if deadline - time.monotonic() < MIN_LNS_SECONDS + RESERVE_SECONDS:
            break
        if _improve_community(problem, search, by_community[community], members_of[community],
                              deadline, workers, seed):
            moves += 1
            _report(search, on_solution, started)
    return moves


def _members_by_community(search):
    members_of = defaultdict(set)
    for s, members in search.h.by_shift.items():
        members_of[search.p.shifts[s].community].update(members)
    for s, m in search.h.pinned:
        members_of[search.p.shifts[s].community].add(m)
    return members_of


def _improve_community(problem, search, shifts, members, deadline, workers, seed) -> bool:
    in_scope = set(shifts)
    fixed = {m: [s for s in search.shifts_of[m] if s not in in_scope] for m in members}
    sub = Scope(sorted(shifts), sorted(members), {m: f for m, f in fixed.items() if f})
    current = {(s, m) for s in shifts for m in search.staff[s]}
    before = _sub_objective(search, sub)
    budget = min(deadline - RESERVE_SECONDS - time.monotonic(), MIN_LNS_SECONDS)
    result = solve_scope(problem, sub, time_limit=budget, workers=workers, seed=seed, hint=current)
    if result.objective is None or result.objective >= before:
        return False
    for s, m in current:
        search._apply(s, m, -1)
    for s, m in result.pairs:
        search._apply(s, m, +1)
    return True


def _sub_objective(search, sub: Scope) -> int:
    in_scope = set(sub.shifts)
    previous = sum(1 for s, _ in search.previous if s in in_scope)
    cost = sum(search._shift_terms(s, search.staff[s]) for s in sub.shifts)
    cost += search.w.stability * previous
    for m in sub.members:
        cost += search.w.fairness * search.units[m] ** 2
        for s in search.shifts_of[m]:
            if s in in_scope:
                shift = search.p.shifts[s]
                cost += search.w.preference * search.p.members[m].preference_cost(shift.duty, shift.weekday)
                if (s, m) in search.previous:
                    cost -= search.w.stability
    return cost
