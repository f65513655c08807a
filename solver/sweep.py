"""The district's community sweep: a Dantzig-Wolfe bound per community, summed, and RINS from it.

The district's Lagrangian bound (``bounds.py``) prices each member's shifts fractionally and
stalled at gap* 7.9 % of the non-constant objective; the column generation of a community week
(``colgen.py``) is nearly tight but covers one community. The district splits into communities
except for the members who can serve two (821 of 8,873 on the benchmark district). For such a
*shared* member m with history b, any price ν gives, for every load y = Σ_c y_c,

    W·(b + y)² ≥ ν·y + K_m(ν),        K_m(ν) = min over whole y ≥ 0 of W·(b + y)² − ν·y,

so the district objective is at least Σ_c DW_c + Σ_m K_m, where DW_c is the column-generation
bound of community c with each shared member's u² replaced by ν per 15-minute unit (their rules
inside c still hold: a subset of a valid week is valid). ν is the tangent of u² at the member's
load in the roster the sweep starts from, 2·W·(b + ȳ), where the inequality is tight; moving ν
towards the LP's loads was measured to lower the sum (28,367,515 → 28,338,739).

The same master LP guides a RINS sub-solve (``rins.py``) of the community's *true* problem (the
shared members' shifts elsewhere fixed, ``Scope.fixed``): on the benchmark district it found
93 % of what a 3 s CP-SAT move found, in a third of the time, and each sub-solve ends within
60 units of the conditional optimum that a 30 s CP-SAT run proves.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from solver.colgen import GRID, ColumnGeneration
from solver.model import Scope, build_model, candidate_handles
from solver.problem import Problem

CG_SHARE = 0.8          # of a community's seconds, for its column generation; RINS gets the rest
RINS_MIN_SECONDS = 0.2


@dataclass(frozen=True)
class SharedPrices:
    """Linear prices of the members who can serve more than one community."""
    price: dict[int, int]         # member index -> ν per 15-minute unit
    constant: int                 # Σ K_m(ν) + W·b² of members with no candidate shift at all

    def for_members(self, members) -> dict[int, int]:
        return {m: self.price[m] for m in members if m in self.price}


def shared_prices(problem: Problem, members_of: dict[str, set[int]], scope_members,
                  units: dict[int, int]) -> SharedPrices:
    """Prices at the tangent of u² at each shared member's load ``units`` (history included)."""
    w = problem.weights.fairness
    communities = {}
    for members in members_of.values():
        for m in members:
            communities[m] = communities.get(m, 0) + 1
    price, constant = {}, 0
    for m in scope_members:
        base = problem.members[m].history_minutes // GRID
        count = communities.get(m, 0)
        if count == 0:
            constant += w * base * base
        elif count > 1:
            nu = 2 * w * units[m]
            price[m] = nu
            constant += _min_linearised(w, base, nu)
    return SharedPrices(price, constant)


def _min_linearised(w: int, base: int, nu: int) -> int:
    """min over whole y ≥ 0 of w·(base + y)² − nu·y (a convex parabola: its vertex's neighbours)."""
    if w == 0:
        if nu > 0:
            raise ValueError("a positive price with no fairness weight has no minimum")
        return 0                  # shared_prices sets nu = 2·w·units, which is 0 too
    vertex = nu / (2 * w) - base
    candidates = {0, max(0, math.floor(vertex)), max(0, math.ceil(vertex))}
    return min(w * (base + y) ** 2 - nu * y for y in candidates)


@dataclass
class CommunityOutcome:
    bound: float | None           # DW_c, or None if not one round of the column generation finished
    status: str
    objective: int | None
    pairs: list[tuple[int, int]]
    rounds: int
    seconds: float


def members_by_community(handles) -> dict[str, set[int]]:
    """Community -> the members with a candidate or pinned pair on its shifts."""
    members_of = defaultdict(set)
    for s, members in handles.by_shift.items():
        members_of[handles.problem.shifts[s].community].update(members)
    for s, m in handles.pinned:
        members_of[handles.problem.shifts[s].community].add(m)
    return members_of


def community_bound(problem: Problem, shifts: list[int], members: list[int], prices: dict[int, int],
                    deadline: float, start_pairs=None) -> tuple[ColumnGeneration, float | None]:
    """The column generation of one community with ``prices`` for its shared members, and its
    bound DW_c (None if not one round finished by ``deadline``)."""
    cg = ColumnGeneration(problem, candidate_handles(problem, Scope(shifts, members)), linear=prices)
    value = cg.run(deadline, start_pairs)
    return cg, (value if math.isfinite(value) else None)


def sweep_bound(problem: Problem, handles, units: dict[int, int], seconds_each: float) -> int | None:
    """The district bound of one sweep without rosters: every community of ``handles``' scope in turn,
    prices at the loads ``units`` (history included). None if a community finished no round."""
    members_of = members_by_community(handles)
    prices = shared_prices(problem, members_of, handles.scope.members, units)
    shifts_of = defaultdict(list)
    for s in handles.scope.shifts:
        shifts_of[problem.shifts[s].community].append(s)
    total = SweepBound(shifts_of, prices)
    for community, shifts in shifts_of.items():
        members = sorted(members_of[community])
        _, bound = community_bound(problem, shifts, members, prices.for_members(members),
                                   time.monotonic() + seconds_each)
        total.add(community, bound)
    return total.value()


def improve_community(problem: Problem, shifts: list[int], members: list[int], fixed: dict[int, list[int]],
                      current: list[tuple[int, int]], prices: dict[int, int], seconds: float,
                      seed: int = 0) -> CommunityOutcome:
    """One community's share of the district bound, and a RINS roster of its true problem."""
    from solver import rins

    started = time.monotonic()
    cg, bound = community_bound(problem, shifts, members, prices, started + CG_SHARE * seconds, current)
    status, objective, pairs = "UNKNOWN", None, []
    left = seconds - (time.monotonic() - started)
    if cg.iterations and left > 0:
        cg.lp.Solve()    # the last round's columns joined after its solve: x̄ over all of them
        model, true_handles = build_model(problem, Scope(shifts, members, fixed))
        found = rins.improve(model, true_handles, rins.lp_pair_values(cg), set(current),
                             time_limit=max(RINS_MIN_SECONDS, left), seed=seed)
        if found is not None:
            status, objective, pairs = "FEASIBLE", found.objective, sorted(found.pairs)
    return CommunityOutcome(bound, status, objective, pairs, cg.iterations, time.monotonic() - started)


class SweepBound:
    """Σ_c DW_c + Σ_m K_m once every community has reported; until then None."""

    def __init__(self, communities, prices: SharedPrices):
        self.missing = set(communities)
        self.parts: dict[str, float] = {}
        self.prices = prices

    def add(self, community: str, bound: float | None) -> None:
        if bound is not None and community in self.missing:
            self.missing.discard(community)
            self.parts[community] = bound

    def value(self) -> int | None:
        if self.missing:
            return None
        total = self.prices.constant + math.fsum(self.parts.values())
        return math.ceil(total - 1e-6 * max(1.0, abs(total)))
