"""The district's community sweep: a Dantzig-Wolfe bound per group of communities, summed, and RINS from it.

The district's Lagrangian bound (``bounds.py``) prices each member's shifts fractionally and
stalled at gap* 7.9 % of the non-constant objective; the column generation of a community week
(``colgen.py``) is nearly tight but covers one community. The district splits into communities
except for the members who can serve two (821 of 8,873 on the benchmark district). The sweep
pairs communities along the sharing graph (``sweep_groups``) and treats each pair, or a
community left alone, as one *group*. For a member m shared between groups, with history b,
any price ν gives, for every load y = Σ_g y_g,

    W·(b + y)² ≥ ν·y + K_m(ν),        K_m(ν) = min over whole y ≥ 0 of W·(b + y)² − ν·y,

so the district objective is at least Σ_g DW_g + Σ_m K_m, where DW_g is the column-generation
bound of group g with each such member's u² replaced by ν per 15-minute unit (their rules
inside g still hold: a subset of a valid week is valid). ν is the tangent of u² at the member's
load in the roster the sweep starts from, 2·W·(b + ȳ), where the inequality is tight; moving ν
towards the LP's loads was measured to lower the sum (28,367,515 → 28,338,739). Once every group has
reported, each shared member is priced once more over all its groups together at the groups' duals, with its
exact u² (``joint_lift``): a Lagrangian term of the whole district that is never below its linearised ones
(+15.7 k on the benchmark district in 0.3 s).

The same master LP guides a RINS sub-solve (``rins.py``) of the group's *true* problem (its
members' shifts elsewhere fixed, ``Scope.fixed``): on the benchmark district, community by
community, it found 93 % of what a 3 s CP-SAT move found, in a third of the time, and each
sub-solve ended within 60 units of the conditional optimum that a 30 s CP-SAT run proves.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

from solver.colgen import ColumnGeneration
from solver.model import Scope, build_model, candidate_handles
from solver.problem import GRID, Problem

CG_SHARE = 1.4          # of a group's seconds, for its column generation (RINS gets what is left, at least
                        # RINS_MIN_SECONDS): beside two busy processes a column generation cut at 0.8 of its share
                        # (~0.4 CPU s) rarely converged, and the repriced Lagrangian then cost ~0.2 s more; at 1.4 the
                        # district at 60 s went 4.02-4.42 % -> 3.01-3.07 % (52-53 of 55 groups converged); at 2.0
                        # the roster lost what RINS no longer found (3.54 %). Later shares shrink by the overrun.
RINS_MIN_SECONDS = 0.2
LAGRANGIAN_STEPS = 200  # a group's Lagrangian bound takes all its steps whatever the group's share (measured on six
                        # groups: 0.25-0.5 s at load 6, 0.1-0.35 % below the converged column generation; cut to a
                        # tenth of a 0.8 s share at load 6-12 it stayed ~5 % below, and the district at 31-69 %)


STEP_UNITS = 4          # the most a price step moves a member's price, in units of load of its tangent (2·W each)


@dataclass(frozen=True)
class SharedPrices:
    """Linear prices of the members who can serve more than one group."""
    price: dict[int, int]         # member index -> ν per 15-minute unit
    constant: int                 # Σ K_m(ν) + W·b² of members with no candidate shift at all
    linearised: dict[int, int]    # member index -> K_m(ν)

    def for_members(self, members) -> dict[int, int]:
        return {m: self.price[m] for m in members if m in self.price}


def shared_prices(problem: Problem, members_of: dict, scope_members, units: dict[int, int]) -> SharedPrices:
    """Prices at the tangent of u² at the load ``units`` (history included) of each member found in
    more than one group of ``members_of`` (group -> members)."""
    w = problem.weights.fairness
    communities = {}
    for members in members_of.values():
        for m in members:
            communities[m] = communities.get(m, 0) + 1
    price, constant, linearised = {}, 0, {}
    for m in scope_members:
        base = problem.members[m].history_minutes // GRID
        count = communities.get(m, 0)
        if count == 0:
            constant += w * base * base
        elif count > 1:
            nu = 2 * w * units[m]
            price[m] = nu
            linearised[m] = _min_linearised(w, base, nu)
            constant += linearised[m]
    return SharedPrices(price, constant, linearised)


def _min_linearised(w: int, base: int, nu: int) -> int:
    """min over whole y ≥ 0 of w·(base + y)² − nu·y (a convex parabola: its vertex's neighbours)."""
    return _linearised_minimum(w, base, nu)[0]


def _linearised_minimum(w: int, base: int, nu: int) -> tuple[int, int]:
    """(min over whole y ≥ 0 of w·(base + y)² − nu·y, the smallest y where it is reached)."""
    if w == 0:
        if nu > 0:
            raise ValueError("a positive price with no fairness weight has no minimum")
        return 0, 0               # shared_prices sets nu = 2·w·units, which is 0 too
    vertex = nu / (2 * w) - base
    candidates = sorted({0, max(0, math.floor(vertex)), max(0, math.ceil(vertex))})
    return min((w * (base + y) ** 2 - nu * y, y) for y in candidates)


def lp_loads(cg: ColumnGeneration, members) -> dict[int, float]:
    """Each of ``members``' load (15-minute units) in the master LP's last solution: x̄ summed over its shifts."""
    loads = dict.fromkeys(members, 0.0)
    for (m, pattern), var in cg.colvars.items():
        if m in loads and (weight := var.solution_value()) > 1e-9:
            loads[m] += weight * sum(cg.p.shifts[s].minutes // GRID for s in pattern)
    return loads


def price_step(problem: Problem, prices: SharedPrices, loads: dict[int, float], upper: float, lower: float,
               theta: float) -> SharedPrices:
    """One subgradient step on the shared members' prices (issue 29).

    The sweep bound L(ν) = Σ_g DW_g(ν) + Σ_m K_m(ν) is concave in ν, and g_m = Σ_g ȳ_m^g − y*_m(ν) is a
    subgradient, where ȳ_m^g is m's load in group g's master LP (``lp_loads``, summed over the groups into
    ``loads``) and y*_m the load at which K_m(ν) is reached. The step is Polyak's, θ·(upper − lower)/‖g‖², with
    ``upper`` a roster's objective and ``lower`` L(ν), each price moving at most what the tangent moves over
    ``STEP_UNITS`` units of load (Polyak's step is as large as the roster is poor: on a small district with four
    members priced and a roster 8 % above the bound it sent the bound from 1.47 M to −0.22 M). Any ν ≥ 0 gives a
    valid bound; whether it is larger is what the next sweep measures (``python -m solver.bench prices``: one
    capped step of θ = 1 lifted the benchmark district's by 10.6 k, three the whole district's by 12.6 k)."""
    w = problem.weights.fairness
    if w == 0:
        return prices             # no u² to linearise: every price is 0
    gradient = {}
    for m, nu in prices.price.items():
        base = problem.members[m].history_minutes // GRID
        gradient[m] = loads.get(m, 0.0) - _linearised_minimum(w, base, nu)[1]
    norm = sum(g * g for g in gradient.values())
    if norm <= 1e-9 or upper <= lower:
        return prices
    step = theta * (upper - lower) / norm
    cap = 2 * w * STEP_UNITS
    price, linearised = {}, {}
    for m, nu in prices.price.items():
        price[m] = max(0, round(nu + max(-cap, min(cap, step * gradient[m]))))
        linearised[m] = _min_linearised(w, problem.members[m].history_minutes // GRID, price[m])
    constant = prices.constant - sum(prices.linearised.values()) + sum(linearised.values())
    return SharedPrices(price, constant, linearised)


@dataclass(frozen=True)
class SharedTerms:
    """What one group's share holds of each member it prices, at the duals of its best column-generation
    round (``shared_terms``): enough to price that member again over all its groups at once (``joint_lift``)."""
    value: float                               # the group's Lagrangian value at those duals: its share
    minimum: dict[int, float]                  # priced member -> its pricing minimum there (ν per unit inside)
    reduced: dict[int, dict[int, float]]       # priced member -> shift -> cost − duals, ν left out
    pins: dict[int, tuple[int, ...]]           # priced member -> its pinned shifts in the group


def shared_terms(cg: ColumnGeneration, prices: dict[int, int]) -> SharedTerms | None:
    """The terms of ``cg``'s best round for the members ``prices`` prices (None before a round)."""
    if cg.best_round is None or not prices:
        return None
    pi, minima = cg.best_round
    duals = cg._pair_duals(pi)
    minimum, reduced, pins = {}, {}, {}
    for m, nu in prices.items():
        info = cg._info.get(m)
        if info is None:
            continue
        minimum[m] = minima[m]
        reduced[m] = {s: cg.cost[(s, m)] - nu * (cg.p.shifts[s].minutes // GRID) - duals.get((s, m), 0.0)
                      for s in info.pins + info.cands}
        pins[m] = tuple(info.pins)
    value = cg.lagrangian(pi, [minima[info.m] for info in cg.members])
    return SharedTerms(value, minimum, reduced, pins)


def joint_lift(problem: Problem, terms: list[SharedTerms], prices: SharedPrices, deadline: float) -> dict[int, float]:
    """Member -> how much pricing it over all its groups at once, with its exact u², adds to the sweep bound.

    Each group's share is a Lagrangian value at its master's duals π_g: Σ_rows π·rhs + … + Σ_m min_m,g, where a
    priced member's min_m,g holds ν per unit of its load in g, and the sweep adds K_m(ν). Every π_g together are
    multipliers of the whole district's relaxation, in which member m's term is its minimum over whole-week
    patterns (every group's shifts, all its rules, exact u²) of Σ (cost − duals) + W·(b + load)². That term is at
    least Σ_g min_m,g + K_m(ν) (weak duality: for any week, W·(b + y)² ≥ ν·y + K_m(ν)), so swapping one for the
    other keeps the bound valid and never lowers it. Only members found in every group that shares them
    (``terms``: one per group whose share is that group's value, with m priced) are lifted; the search is exact,
    or a valid lower bound once ``deadline`` cuts it short (the lift is then ≥ 0 or left out)."""
    from solver.colgen import _Member

    w = problem.weights.fairness
    pricer = ColumnGeneration.pricer(problem)
    by_member = defaultdict(list)
    for part in terms:
        for m in part.minimum:
            by_member[m].append(part)
    lifts = {}
    for m in prices.price:
        parts = by_member.get(m, [])
        if len(parts) < 2 or time.monotonic() > deadline:
            continue
        member = problem.members[m]
        info = _Member()
        info.m, info.base, info.wf = m, member.history_minutes // GRID, w
        info.pins = sorted({s for part in parts for s in part.pins[m]})
        reduced = {s: r for part in parts for s, r in part.reduced[m].items()}
        info.cands = sorted(set(reduced) - set(info.pins))
        info.max_shifts, info.max_minutes = member.max_shifts, member.max_minutes
        info.rest, info.consecutive = member.min_rest_minutes, member.max_consecutive_days
        value, _, _ = pricer.price(info, None, deadline, reduced=reduced)
        joint = value + w * info.base * info.base
        lift = joint - (sum(part.minimum[m] for part in parts) + prices.linearised[m])
        if lift > 1e-6:           # not the 1e-9 a threshold pricing leaves (``ColumnGeneration.price``'s below)
            lifts[m] = lift
    return lifts


@dataclass
class GroupOutcome:
    bound: float | None           # DW_g, or None if the master LP failed
    status: str
    objective: int | None
    pairs: list[tuple[int, int]]
    rounds: int
    converged: bool               # no column priced out: DW_g is the group's full Dantzig-Wolfe bound
    seconds: float
    columns: tuple = ()           # not converged: the master's columns in use, (member, shifts), for a second run
    terms: SharedTerms | None = None   # its priced members' terms when ``bound`` is its best round's (joint_lift)


def sweep_groups(members_of: dict[str, set[int]]) -> list[tuple[str, ...]]:
    """Communities paired along the sharing graph (greedy maximum-weight matching, weight = members
    the two share), the rest alone. Inside a pair its shared members keep their exact u²: on the
    benchmark district 44 pairs hold 277 of the 821 shared members, and the sum rose by 7 k
    (28,367,515 → 28,374,473) for a third more column-generation time."""
    communities_of = defaultdict(list)
    for c in sorted(members_of):
        for m in members_of[c]:
            communities_of[m].append(c)
    weight = defaultdict(int)
    for communities in communities_of.values():
        for i, a in enumerate(communities):
            for b in communities[i + 1:]:
                weight[(a, b)] += 1
    matched, groups = set(), []
    for (a, b), _ in sorted(weight.items(), key=lambda item: (-item[1], item[0])):
        if a not in matched and b not in matched:
            matched.update((a, b))
            groups.append((a, b))
    groups.extend((c,) for c in sorted(members_of) if c not in matched)
    return groups


def members_by_community(handles) -> dict[str, set[int]]:
    """Community -> the members with a candidate or pinned pair on its shifts."""
    members_of = defaultdict(set)
    for s, members in handles.by_shift.items():
        members_of[handles.problem.shifts[s].community].update(members)
    for s, m in handles.pinned:
        members_of[handles.problem.shifts[s].community].add(m)
    return members_of


def group_bound(problem: Problem, shifts: list[int], members: list[int], prices: dict[int, int],
                deadline: float, start_pairs=None, *, lagrangian: bool = False, cheap: bool = True,
                columns=(),) -> tuple[ColumnGeneration, float | None, SharedTerms | None]:
    """The column generation of one group with ``prices`` for the members it shares with other
    groups, and the group's bound: the best of its completed rounds (DW_g once it converges).

    With ``lagrangian``, the column generation may stop between rounds, and if it has not
    converged by ``deadline`` the group's Lagrangian bound, repriced exactly (``group_lagrangian``,
    0.3-0.5 s), counts if larger (unless not ``cheap``: a second run of a group that has it);
    without it, the first round is finished whatever ``deadline``. Cut short, that round's pricing
    falls back to a weak bound (on the benchmark district: 206 k against a converged 722 k), where
    the Lagrangian is within 0.35 % and the repriced one within ~0.15 %. (The Lagrangian first,
    before the column generation, left the column generation no time at load 4: gap* 9.2 % at
    60 s; and with the repricing, 16 of 55 groups' pieces done by the deadline at load 8.)
    None only if both fail. ``columns`` (a first run's, ``GroupOutcome.columns``) start the master. Also the
    priced members' ``SharedTerms`` of whichever bound counts (None if it holds none)."""
    handles = candidate_handles(problem, Scope(shifts, members))
    cg = ColumnGeneration(problem, handles, linear=prices)
    cg.add_patterns(columns)
    value = cg.run(deadline, start_pairs, first_round=not lagrangian)
    lower, held = None, []
    if lagrangian and cheap and not cg.converged:
        lower = group_lagrangian(problem, handles, prices, math.inf, cg, terms=held)
    found = [v for v in (value, lower) if v is not None and math.isfinite(v)]
    bound = max(found) if found else None
    if lower is not None and bound == lower and (not math.isfinite(value) or lower > value):
        return cg, bound, (held[0] if held else None)
    return cg, bound, _terms_of_share(cg, prices, bound)


def group_lagrangian(problem: Problem, handles, prices: dict[int, int], deadline: float,
                     cg: ColumnGeneration | None = None, *, exact: bool = True,
                     terms: list | None = None) -> float | None:
    """A cheap valid bound of one group with the sweep's ``prices`` (``bounds.lagrangian``:
    coverage and the lead and continuity rows priced, each member's shifts then chosen fractionally
    with u² exact, or ν per unit for a shared member); its first value whatever ``deadline``.

    Then each member's fractional minimum at the best multipliers is replaced by its exact one over
    whole patterns that keep its rules (``cg.exact_minima``, one pricing pass, ~0.1 s a pair of
    communities; ``cg`` is made here if not given): on six benchmark groups this closed 43-59 % of
    the Lagrangian's gap to the converged column generation (+274 to +1,541 a group). Without
    ``exact`` (a fallback racing the deadline, ``district.finish_sweep``) the fractional value alone;
    the repricing stops at ``deadline`` too (a member cut short keeps a valid lower bound). ``terms``, if
    given, receives the value's ``SharedTerms`` (repriced only) for ``joint_lift``."""
    from solver.bounds import lagrangian

    def reprice(pair_prices):
        nonlocal cg
        if cg is None:
            cg = ColumnGeneration(problem, handles, linear=prices, master=False)
        return cg.exact_minima(pair_prices, min(deadline, time.monotonic() + _PRICING_CAP))

    held = {} if terms is not None and exact and prices else None
    value = lagrangian(problem, handles, prices, deadline=deadline, max_iterations=LAGRANGIAN_STEPS,
                       reprice=reprice if exact else None, terms=held)
    if not math.isfinite(value):
        return None
    if held and cg is not None:
        minimum, reduced = {}, {}
        for m, nu in prices.items():
            info = cg._info.get(m)
            if info is None or m not in held["minimum"]:
                continue
            minimum[m] = held["minimum"][m]
            reduced[m] = {s: cg.cost[(s, m)] - nu * (problem.shifts[s].minutes // GRID)
                          - held["prices"].get((s, m), 0.0) for s in info.cands}
        terms.append(SharedTerms(value, minimum, reduced, dict.fromkeys(minimum, ())))
    return value


_PRICING_CAP = 2.0   # seconds for the exact repricing at most; cut short, a member's term is a lower bound


def sweep_bound(problem: Problem, handles, units: dict[int, int], seconds_each: float,
                groups: list[tuple[str, ...]] | None = None, *, prices: SharedPrices | None = None,
                current=(), loads: dict[int, float] | None = None, warm: dict | None = None,
                terms: list | None = None) -> int | None:
    """The district bound of one sweep without rosters: every group (default: ``sweep_groups``) of
    ``handles``' scope in turn, prices at the loads ``units`` (history included) unless ``prices`` are given
    (for the same groups). ``current``: a roster whose pairs start each group's master. ``loads``, if given,
    receives each priced member's load summed over the groups' master LPs (``lp_loads``, for ``price_step``).
    ``warm`` (group -> columns), if given, starts each group's master from its columns too and receives the
    columns in use at the end (a sweep at other prices starts where this one ended). ``terms``, if given,
    receives each group's ``SharedTerms`` (for ``joint_lift``). None if a group's master LP failed."""
    members_of = members_by_community(handles)
    groups = sweep_groups(members_of) if groups is None else groups
    members_of_group = {g: set().union(*(members_of[c] for c in g)) for g in groups}
    if prices is None:
        prices = shared_prices(problem, members_of_group, handles.scope.members, units)
    total = SweepBound(groups, prices, members_of_group)
    for group in groups:
        shifts = [s for s in handles.scope.shifts if problem.shifts[s].community in group]
        members = sorted(members_of_group[group])
        in_group = set(shifts)
        cg, bound, part = group_bound(problem, shifts, members, prices.for_members(members),
                                      time.monotonic() + seconds_each, [(s, m) for s, m in current if s in in_group],
                                      columns=(warm or {}).get(group, ()))
        total.add(group, bound, part)
        if terms is not None and part is not None:
            terms.append(part)
        if (loads is not None or warm is not None) and cg.solve():    # x̄ over every column, the last round's too
            if loads is not None:
                for m, load in lp_loads(cg, prices.for_members(members)).items():
                    loads[m] = loads.get(m, 0.0) + load
            if warm is not None:
                warm[group] = cg.columns_in_use()
    return total.value()


def _terms_of_share(cg: ColumnGeneration, prices: dict[int, int], bound: float | None) -> SharedTerms | None:
    """``shared_terms`` if the group's share ``bound`` is its best round's value (not its Lagrangian's)."""
    part = shared_terms(cg, prices) if bound is not None else None
    return part if part is not None and part.value >= bound else None


def improve_group(problem: Problem, shifts: list[int], members: list[int], fixed: dict[int, list[int]],
                  current: list[tuple[int, int]], prices: dict[int, int], seconds: float,
                  seed: int = 0, bound_only: bool = False, second: bool = False, columns=()) -> GroupOutcome:
    """One group's share of the district bound, and a RINS roster of its true problem
    (``bound_only``: its Lagrangian bound alone, for a sweep that is behind; see ``district``;
    ``second``: a second run of a group that already has its repriced Lagrangian share: the column
    generation only; ``columns``: a first run's master columns in use, its warm start)."""
    from solver import rins

    started = time.monotonic()
    if bound_only:
        # Behind: the Lagrangian alone (~0.25 s), repriced (~0.1 s more) so that its terms give the joint lift;
        # the column generation comes with its second run.
        handles = candidate_handles(problem, Scope(shifts, members))
        held = []
        bound = group_lagrangian(problem, handles, prices, math.inf, terms=held)
        return GroupOutcome(bound, "UNKNOWN", None, [], 0, False, time.monotonic() - started,
                            terms=held[0] if held else None)
    cg, bound, terms = group_bound(problem, shifts, members, prices, started + CG_SHARE * seconds, current,
                            lagrangian=True, cheap=not second, columns=columns)
    status, objective, pairs = "UNKNOWN", None, []
    left = seconds - (time.monotonic() - started)
    # The last round's columns joined after its solve: solve again for x̄ over all of them.
    solved = bool(cg.iterations and left > 0 and cg.solve())
    if solved:
        model, true_handles = build_model(problem, Scope(shifts, members, fixed))
        found = rins.improve(model, true_handles, rins.lp_pair_values(cg), set(current),
                             time_limit=max(RINS_MIN_SECONDS, left), seed=seed)
        if found is not None:
            status, objective, pairs = "FEASIBLE", found.objective, sorted(found.pairs)
    # Cut short: the columns in use at the master's last solve go back with the outcome, so that a second
    # run starts where this one stopped instead of from the roster and one-shift patterns again.
    if not cg.converged and not solved:
        solved = cg.solve()      # values are read only from a solve of the current master
    kept = cg.columns_in_use() if solved and not cg.converged else ()
    return GroupOutcome(bound, status, objective, pairs, cg.iterations, cg.converged, time.monotonic() - started,
                        kept, terms)


class SweepBound:
    """Σ_g DW_g + Σ_m K_m once every group has reported, plus each shared member's ``joint_lift``; until then
    None."""

    LIFT_SECONDS = 2.0       # at most, for one ``lift`` (~0.3 s for the 538 shared members of the benchmark district)

    def __init__(self, groups, prices: SharedPrices, members_of: dict | None = None):
        """``members_of`` (group -> members): without it, no member is lifted."""
        self.missing = set(groups)
        self.parts: dict[tuple[str, ...], float] = {}
        self.terms: dict[tuple[str, ...], SharedTerms | None] = {}
        self.members = dict(members_of or {})
        self.prices = prices
        self.lifts: dict[int, tuple[tuple, float]] = {}   # member -> (the terms it was lifted from, its lift)

    def add(self, group: tuple[str, ...], bound: float | None, terms: SharedTerms | None = None) -> None:
        """Group ``group``'s DW_g (with the same prices); a second value keeps the larger, and a
        value for a group joined into a larger one meanwhile is dropped. ``terms``: its priced members' terms
        at the duals that gave ``bound`` (``shared_terms``), or None."""
        if bound is None:
            return
        if group in self.missing:
            self.missing.discard(group)
        elif group not in self.parts or bound <= self.parts[group]:
            return        # joined into a larger group since (``join``), whose bound counts it; or no better
        elif (terms is None or terms.value < bound) and bound <= self.parts[group] + self._lift_of(group):
            return        # without terms its members' lifts would go, and they are worth more
        self.parts[group] = bound
        self.terms[group] = terms if terms is not None and terms.value >= bound else None

    def join(self, first, second, bound: float | None, inside, terms: SharedTerms | None = None) -> bool:
        """Groups ``first`` and ``second`` bounded as one (``bound``), with the members ``inside``
        (shared only between the two) at their exact u² instead of ν. It replaces both shares and
        those members' K_m if it is larger (it is once its column generation converges: the two
        groups with ν for the members inside are a relaxation of it). True if taken."""
        if bound is None or first not in self.parts or second not in self.parts:
            return False
        saved = sum(self.prices.linearised[m] for m in inside)
        if bound - saved <= self.parts[first] + self.parts[second] + self._lift_of(first, second):
            return False      # the two shares and the lifts of their members (dropped with them) are more
        del self.parts[first], self.parts[second]
        self.terms.pop(first), self.terms.pop(second)
        group = first + second
        self.parts[group] = bound - saved     # the constant still counts every K_m
        self.terms[group] = terms if terms is not None and terms.value >= bound else None
        self.members[group] = self.members.pop(first, set()) | self.members.pop(second, set())
        return True

    def _lift_of(self, *groups) -> float:
        """What the current lifts of members in ``groups`` add (a join must beat them too)."""
        inside = set().union(*(self.members.get(g, set()) for g in groups))
        current = self._current()
        return math.fsum(lift for m, lift in current.items() if m in inside)

    def lift(self, problem: Problem, deadline: float | None = None) -> int:
        """Prices each shared member whose every group has its terms over all of them at once (``joint_lift``),
        unless it was lifted from the same terms already; by ``deadline`` (default ``LIFT_SECONDS`` from now).
        The total lift now counted."""
        if self.missing:
            return 0
        deadline = time.monotonic() + self.LIFT_SECONDS if deadline is None else deadline
        parts_of = defaultdict(list)
        for group, members in self.members.items():
            if group in self.parts:
                for m in members:
                    if m in self.prices.price:
                        parts_of[m].append(group)
        todo = {}
        for m, groups in parts_of.items():
            terms = tuple(self.terms.get(g) for g in groups)
            if len(groups) < 2 or any(t is None or m not in t.minimum for t in terms):
                self.lifts.pop(m, None)
            elif m not in self.lifts or not _same(self.lifts[m][0], terms):
                self.lifts.pop(m, None)
                todo[m] = terms
        if todo:
            prices = SharedPrices({m: self.prices.price[m] for m in todo}, 0,
                                  {m: self.prices.linearised[m] for m in todo})
            found = joint_lift(problem, [t for t in self.terms.values() if t is not None], prices, deadline)
            for m, terms in todo.items():
                if m in found or time.monotonic() <= deadline:      # not reached by the deadline: try again later
                    self.lifts[m] = (terms, found.get(m, 0.0))
        return math.floor(math.fsum(self._current().values()))

    def _current(self) -> dict[int, float]:
        """Member -> its lift, for the lifts whose terms are all still the counted ones (the key holds the terms
        themselves, so their ids stay theirs)."""
        counted = {id(t) for t in self.terms.values() if t is not None}
        return {m: lift for m, (key, lift) in self.lifts.items() if lift > 0 and all(id(t) in counted for t in key)}

    def lifted(self) -> int:
        """Members whose lift counts now."""
        return len(self._current())

    def value(self) -> int | None:
        if self.missing:
            return None
        total = self.prices.constant + math.fsum(self.parts.values()) + math.fsum(self._current().values())
        return math.ceil(total - 1e-6 * max(1.0, abs(total)))


def _same(first: tuple, second: tuple) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))
