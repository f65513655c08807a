"""A column-generation (Dantzig-Wolfe) lower bound for one scope.

CP-SAT's LP describes each member's rules (rest, limits, consecutive days) and
the convex u^2 term row by row; its relaxation lets a member take fractions of
shifts and so level everyone's load perfectly.  Here each member instead picks
a convex combination of whole *patterns* (sets of shifts that satisfy all of
that member's rules), priced exactly with u^2 included.  Only the rules that
link members stay in the master LP: coverage (with shortfall), max_staff, the
lead skill and continuity.  Each member's own lead and continuity rows (a
non-holder only beside a holder, a stranger only beside a preferred visitor or
as a miss: ~5,000 of a district group's ~6,000 rows) join the master only once
its solution violates them (``separate``); on a week without a previous roster
almost none ever does, and a round's LP solve went from ~45 ms to a few.

The reported bound is the Lagrangian value for the master's duals,

    L(pi) = sum_rows pi_r b_r + sum_m min_pattern reduced_cost(m, pi)
            + sum_aux min_{bounds} reduced_cost(aux) + constants,

which is a valid lower bound for *any* sign-correct pi as long as each member's
minimum is exact (or replaced by a lower bound on it).  The pricing is exact
(depth-first search with a convexity-based prune); if it runs out of its node
budget, a cheap lower bound of the member's minimum is used instead, so the
bound stays valid.  Scopes with fixed outside shifts (district moves) are not
handled: ``column_generation_bound`` returns None for them.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

from solver.problem import GRID

NODE_BUDGET = 20_000
KNAPSACK_FROM = 16         # candidates from which the pricing bounds by whole shifts (``_suffix_knapsack``)
SINGLETONS = True   # one-shift columns up front: c5 bound after 2.7 s 314.5k -> 317.5k (measured)
COLUMNS_PER_MEMBER = 3   # 5 measured no different (c5: 35 vs 32 iterations)
# Wentges dual smoothing (0.7) was tried and dropped: c5 converged in 20.6 s instead of 9.5 s.
# Partial pricing (only members that improved last round, a full round every 3rd) was
# tried and dropped: c5 converged in 7.8 s instead of 6.1 s.


class _Member:
    __slots__ = ("m", "base", "pins", "cands", "max_shifts", "max_minutes", "rest", "consecutive", "wf", "alone")


def _conflict(a, b, rest) -> bool:
    return a.start < b.end + rest and b.start < a.end + rest


def _max_run(days) -> int:
    best = run = 0
    last = None
    for d in sorted(days):
        run = run + 1 if last is not None and d == last + 1 else 1
        best = max(best, run)
        last = d
    return best


def _suffix_knapsack(order, slots, limit_minutes, pin_minutes, w_f):
    """A lower bound on what shifts ``i..`` of ``order`` can still add at load ``units`` with ``taken`` shifts
    and ``minutes`` held: min over whole subsets of Σ reduced cost + w·((units + L)² − units²), where a subset
    keeps the member's shift count and minutes (its load L ≤ the minutes left / GRID) but not rest, days or
    duty caps. One table per suffix, built once per pricing: best[i][L, c] = least Σ reduced cost of c shifts
    from ``i..`` with load L (``c`` only with a shift limit)."""
    import numpy as np

    room = sum(d for _, d, _, _, _ in order)
    if limit_minutes is not None:
        room = min(room, max(0, (limit_minutes - pin_minutes) // GRID))
    counts = 1 if slots is None else max(0, slots) + 1
    table = np.full((room + 1, counts), np.inf)
    table[0, 0] = 0.0
    tables = [None] * (len(order) + 1)
    tables[len(order)] = table
    for k in range(len(order) - 1, -1, -1):
        _, d, r, _, _ = order[k]
        table = table.copy()
        if d <= room:
            if slots is None:
                np.minimum(table[d:, 0], tables[k + 1][:room + 1 - d, 0] + r, out=table[d:, 0])
            elif counts > 1:
                np.minimum(table[d:, 1:], tables[k + 1][:room + 1 - d, :-1] + r, out=table[d:, 1:])
        tables[k] = table
    # least over at most c shifts, and over every count
    atmost = [np.minimum.accumulate(t, axis=1) for t in tables]
    loads = np.arange(room + 1, dtype=float)

    def bound(i, units, taken=0, minutes=None):
        left = room      # loads the suffix cannot reach are +inf in its table
        if limit_minutes is not None and minutes is not None:
            left = min(room, (limit_minutes - minutes) // GRID)
        if left < 0:
            return 0.0
        column = 0 if slots is None else min(counts - 1, max(0, slots - taken))
        values = atmost[i][:left + 1, column] + w_f * (2 * units * loads[:left + 1] + loads[:left + 1] ** 2)
        return float(values.min())

    return bound


class ColumnGeneration:
    def __init__(self, problem, handles, linear=None, lazy=True, master=True):
        """``linear`` maps member index -> price per 15-minute unit: those members' u^2 term is
        replaced by that linear price (and their history constant left out), for a bound that
        is summed over several scopes sharing the member (see ``solver.sweep``).  ``lazy``: each
        member's lead and continuity rows join the master only once violated (``separate``).
        Without ``master`` no LP is built (a third of a bound-only sweep piece's time): only
        ``exact_minima`` and ``price`` may be called."""
        from ortools.linear_solver import pywraplp

        self.p = problem
        self.h = handles
        w = problem.weights
        self.w = w
        scope_shifts = list(handles.scope.shifts)
        self.shifts = scope_shifts
        previous = {(problem.shift_index[p.shift], problem.member_index[p.member])
                    for p in problem.previous if p.shift in problem.shift_index}
        in_scope = set(scope_shifts)
        self.constant = w.stability * sum(1 for s, _ in previous if s in in_scope)
        self.cost = {}
        for (s, m) in handles.x:
            shift = problem.shifts[s]
            self.cost[(s, m)] = (w.preference * problem.members[m].preference_cost(shift.duty, shift.weekday)
                                 - w.stability * ((s, m) in previous))
            if linear and m in linear:
                self.cost[(s, m)] += linear[m] * (shift.minutes // GRID)
        if not master:
            self.lp = None
            self.forbidden = self._forbidden_pairs()
            self._stop, self.converged, self.best_round = None, False, None
            self.members = [self._member(m, linear) for m in handles.scope.members]
            self._info = {info.m: info for info in self.members}
            return
        self.separating = lazy                   # member rows lazy (``separate``), else all up front
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        lp = self.lp
        # Rows linking members.  row -> (constraint, sense, rhs); x coefficients via self.rows_of.
        self.rows_of = defaultdict(list)          # (s, m) -> [(row index, coefficient)]
        self.rows = []                           # (constraint or None while lazy, sense '>=' / '<=', rhs)
        self.lazy = set()                        # rows not yet in the master (``_row(lazy=True)``)
        self.lazy_aux = defaultdict(list)        # lazy row -> [(auxiliary var, coef)]
        self.lazy_pairs = {}                     # lazy row -> ((s, m), [(s, other)]): x_sm − Σ x_s,other
        self.lazy_heads = defaultdict(list)      # (s, m) -> lazy rows whose + side it is
        self.columns_of_pair = defaultdict(list)  # (s, m) -> pattern vars holding it
        self.key_of_var = {}                     # LP variable index -> (member, pattern) of a pattern var
        self.aux = []                            # (var, cost, lo, hi, [(row, coef)])
        self.forbidden = set()                   # pairs forced to 0 by the lead rule
        self.short = {}                          # s -> (shortfall var, its row links)
        for s in scope_shifts:
            shift = problem.shifts[s]
            members = handles.by_shift.get(s, ())
            if shift.min_staff > 0:
                if not members:
                    self.constant += w.unfilled * shift.min_staff
                else:
                    r = self._row(">=", shift.min_staff)
                    for m in members:
                        self.rows_of[(s, m)].append((r, 1.0))
                    short = lp.NumVar(0, shift.min_staff, "")
                    self.rows[r][0].SetCoefficient(short, 1.0)
                    self.short[s] = (short, [(r, 1.0)])
                    self.aux.append((short, w.unfilled, 0, shift.min_staff, self.short[s][1]))
            if len(members) > shift.max_staff:
                r = self._row("<=", shift.max_staff)
                for m in members:
                    self.rows_of[(s, m)].append((r, 1.0))
            skill = problem.duty_by_id[shift.duty].lead_skill
            if skill:
                holders = [m for m in members if skill in problem.members[m].skills]
                holder_pairs = [(s, hm) for hm in holders]     # shared by every non-holder's row
                if holders and s in self.short and len(holders) < len(members):
                    # Staffed at all (short < min_staff) needs a holder:
                    # min_staff * holders + short >= min_staff.
                    r = self._row(">=", shift.min_staff)
                    for hm in holders:
                        self.rows_of[(s, hm)].append((r, float(shift.min_staff)))
                    self.rows[r][0].SetCoefficient(self.short[s][0], 1.0)
                    self.short[s][1].append((r, 1.0))
                for m in members:
                    if skill in problem.members[m].skills:
                        continue
                    if not holders:
                        self.forbidden.add((s, m))
                        continue
                    self._link_member_row(self._row("<=", 0, lazy=True), (s, m), holder_pairs)
            if shift.visit_target is not None:
                preferred_ids = problem.preferred_visitors(shift)
                preferred = [m for m in members if problem.members[m].id in preferred_ids]
                strangers = [m for m in members if problem.members[m].id not in preferred_ids]
                if strangers:
                    miss = lp.NumVar(0, 1, "")
                    links = []
                    preferred_pairs = [(s, pm) for pm in preferred]
                    for m in strangers:
                        r = self._row("<=", 0, lazy=True)
                        self._link_member_row(r, (s, m), preferred_pairs)
                        self._set(r, miss, -1.0)
                        links.append((r, -1.0))
                    if s in self.short:
                        # Staffed at all and no preferred visitor means a miss:
                        # min_staff * (miss + preferred) + short >= min_staff.
                        need = shift.min_staff
                        r = self._row(">=", need)
                        for pm in preferred:
                            self.rows_of[(s, pm)].append((r, float(need)))
                        self.rows[r][0].SetCoefficient(miss, float(need))
                        links.append((r, float(need)))
                        self.rows[r][0].SetCoefficient(self.short[s][0], 1.0)
                        self.short[s][1].append((r, 1.0))
                    self.aux.append((miss, w.continuity, 0, 1, links))
        objective = self._objective = lp.Objective()
        self._infinity = lp.infinity()
        for var, cost, _, _, _ in self.aux:
            objective.SetCoefficient(var, cost)
        objective.SetMinimization()
        self._stop = None
        self.converged = False
        self.best_round = None
        self.members = [self._member(m, linear) for m in handles.scope.members]
        self._info = {info.m: info for info in self.members}
        self.convexity = {}
        self.fairness_constant = 0
        for info in self.members:
            self.fairness_constant += info.wf * info.base * info.base
            self.convexity[info.m] = lp.Constraint(1, 1)
        self.columns = set()
        self.colvars = {}
        for info in self.members:
            self.add_column(info, frozenset(info.pins))

    def _forbidden_pairs(self) -> set:
        """The pairs the lead rule forbids: a shift whose duty has a lead skill that none of its candidates
        holds takes none of them (as the master's rows below decide)."""
        forbidden = set()
        for s in self.shifts:
            shift = self.p.shifts[s]
            skill = self.p.duty_by_id[shift.duty].lead_skill
            members = self.h.by_shift.get(s, ())
            if skill and not any(skill in self.p.members[m].skills for m in members):
                forbidden.update((s, m) for m in members)
        return forbidden

    def _row(self, sense, rhs, lazy=False):
        """A linking row; a ``lazy`` one (a member's lead or continuity row, ``x_sm ≤ Σ holders``: thousands
        of them, few ever binding) joins the master only once the master's solution violates it."""
        if lazy and self.separating:
            self.rows.append((None, sense, rhs))
            self.lazy.add(len(self.rows) - 1)
            return len(self.rows) - 1
        self.rows.append((self._constraint(sense, rhs), sense, rhs))
        return len(self.rows) - 1

    def _constraint(self, sense, rhs):
        lp = self.lp
        return lp.Constraint(rhs, lp.infinity()) if sense == ">=" else lp.Constraint(-lp.infinity(), rhs)

    def _link_member_row(self, row, head, others) -> None:
        """Row ``row`` is a member's lead or continuity row, x_head − Σ x_other (≤ 0 with its auxiliary terms).
        A lazy one keeps its pairs aside until it joins (``_activate``): a shift's non-holders share one list of
        its holders, so that neither setting up nor adding columns walks thousands of rows not in the master
        (set-up was ~0.11 CPU s a pair of communities, half of it here)."""
        if row in self.lazy:
            self.lazy_pairs[row] = (head, others)
            self.lazy_heads[head].append(row)
            return
        self.rows_of[head].append((row, 1.0))
        for pair in others:
            self.rows_of[pair].append((row, -1.0))

    def _set(self, row, var, coef) -> None:
        """Coefficient of an auxiliary variable in ``row`` (kept for a lazy row until it joins)."""
        constraint = self.rows[row][0]
        if constraint is None:
            self.lazy_aux[row].append((var, coef))
        else:
            constraint.SetCoefficient(var, coef)

    def _activate(self, row) -> None:
        """A lazy row joins the master with its coefficients in every column so far."""
        _, sense, rhs = self.rows[row]
        c = self._constraint(sense, rhs)
        self.rows[row] = (c, sense, rhs)
        self.lazy.discard(row)
        for var, coef in self.lazy_aux.pop(row, ()):
            c.SetCoefficient(var, coef)
        head, others = self.lazy_pairs.pop(row)
        coefficients = defaultdict(float)
        for pair, coef in [(head, 1.0)] + [(pair, -1.0) for pair in others]:
            self.rows_of[pair].append((row, coef))      # columns added from now on
            for var in self.columns_of_pair.get(pair, ()):
                coefficients[var] += coef
        for var, coef in coefficients.items():
            c.SetCoefficient(var, coef)
        self.__dict__.pop("_entries", None)             # ``_pair_duals``'s table of rows_of is out of date

    def solve(self) -> bool:
        """Solves the master until its solution violates no lazy row; False if the LP failed."""
        while self.lp.Solve() == self.lp.OPTIMAL:
            if not self.separate():
                return True
        return False

    def separate(self) -> int:
        """Lazy rows the master's last solution violates join it; how many joined."""
        if not self.lazy:
            return 0
        import numpy as np

        values = defaultdict(float)
        solution = np.asarray(self._solution().variable_value)
        for index in np.flatnonzero(solution > 1e-9).tolist():
            key = self.key_of_var.get(index)
            if key is None:
                continue
            m, pattern = key
            weight = solution[index]
            for s in pattern:
                values[(s, m)] += weight
        # Only a row whose + pair the master uses can be violated (its other terms are ≤ 0).
        violated = []
        for pair, weight in values.items():
            for row in self.lazy_heads.get(pair, ()):
                if row not in self.lazy:
                    continue
                total = weight - sum(values.get(other, 0.0) for other in self.lazy_pairs[row][1])
                for var, coef in self.lazy_aux.get(row, ()):
                    total += coef * solution[var.index()]
                if total > self.rows[row][2] + 1e-7:
                    violated.append(row)
        for row in violated:
            self._activate(row)
        return len(violated)

    def _solution(self):
        from ortools.linear_solver import linear_solver_pb2

        response = linear_solver_pb2.MPSolutionResponse()
        self.lp.FillSolutionResponseProto(response)
        return response

    def _member(self, m, linear=None) -> _Member:
        p, h = self.p, self.h
        member = p.members[m]
        info = _Member()
        info.m = m
        info.base = member.history_minutes // GRID
        info.pins = sorted(s for s in h.by_member.get(m, ()) if (s, m) in h.pinned)
        info.cands = [s for s in h.by_member.get(m, ()) if (s, m) not in h.pinned
                      and (s, m) not in self.forbidden]
        info.max_shifts = member.max_shifts
        info.max_minutes = member.max_minutes
        info.rest = member.min_rest_minutes
        info.consecutive = member.max_consecutive_days
        info.wf = 0 if linear and m in linear else self.w.fairness
        return info

    # ------------------------------------------------------------------ columns
    def pattern_cost(self, info, pattern) -> int:
        shift_units, cost, m = self.p.shift_units, self.cost, info.m
        units = total = 0
        for s in pattern:
            units += shift_units[s]
            total += cost[(s, m)]
        return info.wf * ((info.base + units) ** 2 - info.base ** 2) + total

    def add_column(self, info, pattern) -> None:
        key = (info.m, pattern)
        if key in self.columns:
            return
        self.columns.add(key)
        var = self.lp.NumVar(0, self._infinity, "")
        self.colvars[key] = var
        self._objective.SetCoefficient(var, float(self.pattern_cost(info, pattern)))
        self.convexity[info.m].SetCoefficient(var, 1.0)
        self.key_of_var[var.index()] = key
        m, rows_of, rows = info.m, self.rows_of, self.rows
        if len(pattern) == 1:            # the one-shift columns: most of them, and each row at most once
            (s,) = pattern
            self.columns_of_pair[(s, m)].append(var)
            for r, coef in rows_of.get((s, m), ()):
                constraint = rows[r][0]
                if constraint is not None:
                    constraint.SetCoefficient(var, coef)
            return
        coefficients = defaultdict(float)
        for s in pattern:
            self.columns_of_pair[(s, m)].append(var)
            for r, coef in rows_of.get((s, m), ()):
                coefficients[r] += coef
        for r, coef in coefficients.items():
            constraint = rows[r][0]
            if constraint is not None:
                constraint.SetCoefficient(var, coef)

    def _alone(self, info) -> frozenset:
        """The candidates that ``info``'s pins leave room for, each on its own (the same whatever the duals:
        worked out once per member; a pricing and the one-shift columns ask it ~15 times a round)."""
        alone = getattr(info, "alone", None)
        if alone is not None:
            return alone
        shifts, caps = self.p.shifts, self.p.duty_by_id
        if info.pins:
            pin_shifts = [shifts[s] for s in info.pins]
            alone = frozenset(s for s in info.cands if self._feasible_set(info, pin_shifts + [shifts[s]], None))
        elif (info.max_shifts is not None and info.max_shifts < 1) or info.consecutive < 1:
            alone = frozenset()
        else:                    # one shift alone: only its length and its duty's cap can rule it out
            alone = frozenset(s for s in info.cands
                              if (info.max_minutes is None or shifts[s].minutes <= info.max_minutes)
                              and (caps[shifts[s].duty].max_per_member is None
                                   or caps[shifts[s].duty].max_per_member >= 1))
        info.alone = alone
        return alone

    def feasible(self, info, pattern) -> bool:
        return self._feasible_set(info, [self.p.shifts[s] for s in pattern], pattern)

    def _feasible_set(self, info, shifts, indices) -> bool:
        if info.max_shifts is not None and len(shifts) > info.max_shifts:
            return False
        if info.max_minutes is not None and sum(s.minutes for s in shifts) > info.max_minutes:
            return False
        per_duty = defaultdict(int)
        for s in shifts:
            per_duty[s.duty] += 1
        for duty, count in per_duty.items():
            cap = self.p.duty_by_id[duty].max_per_member
            if cap is not None and count > cap:
                return False
        for i, a in enumerate(shifts):
            for b in shifts[i + 1:]:
                if _conflict(a, b, info.rest):
                    return False
        days = {(s.start_date - self.p.horizon_start).days for s in shifts}
        return _max_run(days) <= info.consecutive

    # ------------------------------------------------------------------ pricing
    def duals(self):
        pi = []
        for c, sense, _ in self.rows:
            d = 0.0 if c is None else c.dual_value()
            pi.append(max(0.0, d) if sense == ">=" else min(0.0, d))
        return pi

    def _pair_duals(self, pi) -> dict:
        """(s, m) -> sum of row duals times the pair's coefficients, cached per dual vector."""
        import numpy as np

        if getattr(self, "_dual_key", None) is pi:
            return self._dual_cache
        if not hasattr(self, "_entries"):
            keys = list(self.rows_of)
            pair_of, row_of, coef_of = [], [], []
            for i, key in enumerate(keys):
                for row, coef in self.rows_of[key]:
                    pair_of.append(i)
                    row_of.append(row)
                    coef_of.append(coef)
            self._entries = (keys, np.array(pair_of, dtype=np.int64), np.array(row_of, dtype=np.int64),
                             np.array(coef_of, dtype=float))
        keys, pair_of, row_of, coef_of = self._entries
        values = np.bincount(pair_of, weights=np.asarray(pi, dtype=float)[row_of] * coef_of,
                             minlength=len(keys)) if len(keys) else np.zeros(0)
        self._dual_key, self._dual_cache = pi, dict(zip(keys, values.tolist(), strict=True))
        return self._dual_cache

    def exact_minima(self, pair_prices: dict, deadline: float) -> dict:
        """Member -> the minimum over its whole patterns (every rule of its own kept) of
        Σ (cost − ``pair_prices``) + its u² term, or a valid lower bound of it once ``deadline``
        cuts the search short; for members without pins (``bounds.lagrangian(reprice=…)``).
        The patterns found join the master as columns (a warm start for ``run``)."""
        minima = {}
        for info in self.members:
            if info.pins:
                continue
            if time.monotonic() > deadline:
                break              # the members left keep their fractional minimum
            value, patterns, _ = self.price(info, None, deadline, pair_dual=pair_prices)
            minima[info.m] = value
            for _, pattern in patterns:
                if pattern and self.lp is not None:
                    self.add_column(info, pattern)
        return minima

    @classmethod
    def pricer(cls, problem) -> ColumnGeneration:
        """An instance with no master, only for ``price(info, None, deadline, reduced=…)`` of a member whose
        pins, candidates and reduced costs were gathered elsewhere (``sweep.joint_lift``)."""
        self = cls.__new__(cls)
        self.p, self.w, self._stop = problem, problem.weights, None
        return self

    def price(self, info, pi, deadline, pair_dual=None, reduced=None, below=None):
        """(exact or lower-bounded min reduced cost without the convexity dual, best pattern, exact?).
        ``reduced`` (shift -> reduced cost, for ``info``'s pins and candidates) replaces cost − duals.

        ``below``: only patterns of a lower value are wanted (the column generation passes the member's
        convexity dual, which its master columns reach, so the minimum is never above it). The search then
        prunes against it from the start, and if no pattern is below, the value is ``below`` (less 1e-9:
        what the search proved), not the pins' own. Measured on the benchmark district's sweep: most members
        price out nothing in a round, and are now settled by their root bound."""
        p = self.p
        w_f = info.wf
        m = info.m
        if reduced is not None:
            rc = reduced
        else:
            if pair_dual is None:
                pair_dual = self._pair_duals(pi)
            rc = {s: self.cost[(s, m)] - pair_dual.get((s, m), 0.0) for s in info.pins + info.cands}
        pin_shifts = [p.shifts[s] for s in info.pins]
        base_units = info.base + sum(s.minutes // GRID for s in pin_shifts)
        pin_cost = sum(rc[s] for s in info.pins) + w_f * (base_units ** 2 - info.base ** 2)
        useful = []
        shift_units = p.shift_units
        alone = self._alone(info)
        for s in info.cands:
            d = shift_units[s]
            marginal = rc[s] + w_f * (2 * base_units * d + d * d)
            if marginal < -1e-9 and s in alone:
                useful.append((marginal, s, d))
        useful.sort()
        threshold = below is not None and below < pin_cost
        best = [below if threshold else pin_cost, ()]
        found = []                                   # successive improving patterns
        nodes = [0]
        exact = [True]
        order = [(s, d, rc[s], p.shifts[s], d * d) for _, s, d in useful]
        n = len(order)
        caps = {duty.id: duty.max_per_member for duty in p.duties}
        horizon = p.horizon_start
        days_of = {s: (shift.start_date - horizon).days for s, _, _, shift, _ in order}
        slots_total = None if info.max_shifts is None else info.max_shifts - len(info.pins)
        rest, limit_minutes, limit_run = info.rest, info.max_minutes, info.consecutive

        # The shifts by reduced cost per unit of load, for the fractional bound below.
        by_ratio = sorted(range(n), key=lambda k: (order[k][2] / order[k][1] if order[k][1] else -math.inf, k))

        def fractional_rest(i, units, taken=0, minutes=None):
            # Two valid lower bounds on what shifts i.. can still add, the larger one counts:
            # - each further shift costs at least its marginal at the current load (u^2 is
            #   superadditive), and at most max_shifts more shifts can be taken;
            # - the fractional relaxation (rules dropped, fractions of shifts allowed) solved
            #   exactly: shifts in order of reduced cost per unit until the rising marginal
            #   of u^2 meets it. Measured on district groups: a fifth fewer calls alone, and with
            #   the loop below (no call to leave a shift) pricing 5.81 s -> 4.42 s.
            simple = -math.inf
            if w_f == 0 or slots_total is not None:
                two_u = 2 * units * w_f
                values = [v for v in [r + two_u * d + w_f * dd for _, d, r, _, dd in order[i:]] if v < 0]
                if slots_total is not None and len(values) > slots_total - taken:
                    values = sorted(values)[:max(0, slots_total - taken)]
                simple = sum(values)
                if w_f == 0 or not values:
                    return simple
            fractional, load = 0.0, units
            # The member's minutes limit caps the load the relaxation may add (Σ d ≤ Σ minutes / GRID):
            # without it a member who can serve two communities' patrols (76 candidates, 480 minutes)
            # ran into the node budget every round and fell back to the weak root bound.
            top = math.inf if limit_minutes is None or minutes is None else units + (limit_minutes - minutes) // GRID
            for k in by_ratio:
                if k < i:
                    continue
                _, d, r, _, _ = order[k]
                if d == 0:
                    fractional += min(0.0, r)
                    continue
                slope = r / d + 2 * w_f * load
                if slope >= 0:
                    break
                t = min(d, -slope / (2 * w_f), top - load)
                if t <= 0:
                    break
                fractional += (r / d) * t + w_f * ((load + t) ** 2 - load ** 2)
                load += t
                if t < d:
                    break
            return max(simple, fractional)

        # Many candidates (a member of two communities, ~40 similar patrols): the whole-shift bound below
        # instead, which the fractional one misses by a part of a shift at every node.
        pin_minutes = sum(s.minutes for s in pin_shifts)
        if threshold and pin_cost + fractional_rest(0, base_units, 0, pin_minutes) >= best[0] - 1e-9:
            return best[0] - 1e-9, [], True       # nothing below the threshold: the knapsack's table not needed
        lower_rest = fractional_rest
        if n >= KNAPSACK_FROM:
            lower_rest = _suffix_knapsack(order, slots_total, limit_minutes, pin_minutes, w_f)

        def can_add(chosen_shifts, minutes, duty_count, days, shift, day):
            if slots_total is not None and len(chosen_shifts) - len(pin_shifts) >= slots_total:
                return False
            if limit_minutes is not None and minutes + shift.minutes > limit_minutes:
                return False
            cap = caps[shift.duty]
            if cap is not None and duty_count.get(shift.duty, 0) >= cap:
                return False
            for other in chosen_shifts:
                if shift.start < other.end + rest and other.start < shift.end + rest:
                    return False
            if day not in days:
                run, d = 1, day - 1
                while d in days:
                    run, d = run + 1, d - 1
                d = day + 1
                while d in days:
                    run, d = run + 1, d + 1
                if run > limit_run:
                    return False
            return True

        def dfs(i, chosen, chosen_shifts, minutes, duty_count, days, units, value):
            # Shifts i.. in order: each one either taken (a deeper call) or left (the loop goes
            # on), so leaving a shift costs no call. The prune is evaluated on entry and again
            # after each taken shift's subtree (which may have lowered the best value).
            if value < best[0] - 1e-9:
                best[0], best[1] = value, tuple(chosen)
                found.append((value, tuple(chosen)))
            taken, two_u, check = len(chosen), 2 * units * w_f, True
            while i < n:
                nodes[0] += 1
                if nodes[0] > NODE_BUDGET or (nodes[0] & 1023 == 0 and self._out_of_time(deadline)):
                    exact[0] = False
                    return
                if check and value + lower_rest(i, units, taken, minutes) >= best[0] - 1e-9:
                    return
                check = False
                s, d, r, shift, dd = order[i]
                add = r + two_u * d + w_f * dd
                if add < 0:
                    day = days_of[s]
                    if can_add(chosen_shifts, minutes, duty_count, days, shift, day):
                        chosen.append(s)
                        counts = dict(duty_count)
                        counts[shift.duty] = counts.get(shift.duty, 0) + 1
                        dfs(i + 1, chosen, chosen_shifts + [shift], minutes + shift.minutes, counts,
                            days | {day}, units + d, value + add)
                        chosen.pop()
                        check = True
                i += 1

        pin_counts = defaultdict(int)
        for shift in pin_shifts:
            pin_counts[shift.duty] += 1
        dfs(0, [], list(pin_shifts), pin_minutes, dict(pin_counts),
            frozenset((s.start_date - horizon).days for s in pin_shifts), base_units, pin_cost)
        pins = frozenset(info.pins)
        patterns = [(v, pins | set(c)) for v, c in found[-COLUMNS_PER_MEMBER:]]
        if not exact[0]:
            # A valid lower bound on the member's minimum: the root relaxation.
            return min(best[0], pin_cost + lower_rest(0, base_units, 0, pin_minutes)), patterns, False
        if threshold and not found:
            return best[0] - 1e-9, patterns, True
        return best[0], patterns, True

    def lagrangian(self, pi, member_minima) -> float:
        value = self.constant + self.fairness_constant
        value += sum(pi[r] * rhs for r, (_, _, rhs) in enumerate(self.rows))
        for _, cost, lo, hi, links in self.aux:
            reduced = cost - sum(pi[r] * coef for r, coef in links)
            value += min(reduced * lo, reduced * hi)
        value += sum(member_minima)
        return value

    def columns_in_use(self) -> tuple:
        """(member, sorted shifts) of every column with weight in the master's last solve (at most one
        per basic variable: a few hundred for a pair of communities)."""
        used = []
        for (m, pattern), var in self.colvars.items():
            if pattern and var.solution_value() > 1e-9:
                used.append((m, tuple(sorted(pattern))))
        return tuple(used)

    def add_patterns(self, columns) -> None:
        """Columns handed over from an earlier run on the same scope (``columns_in_use``); a pattern that is
        not a feasible pattern of a member of this scope is skipped, so the bound stays valid."""
        for m, shifts in columns:
            info = self._info.get(m)
            if info is None:
                continue
            pattern = frozenset(shifts)
            if (m, pattern) in self.columns or not pattern >= frozenset(info.pins):
                continue
            allowed = all((s, m) in self.h.x and (s, m) not in self.forbidden for s in pattern)
            if allowed and self.feasible(info, pattern):
                self.add_column(info, pattern)

    def add_roster(self, pairs) -> None:
        """Each member's share of a whole roster as a column (the duals then start near it)."""
        by_member = defaultdict(set)
        for s, m in pairs:
            by_member[m].add(s)
        for info in self.members:
            pattern = frozenset(by_member.get(info.m, ())) | frozenset(info.pins)
            if pattern and (info.m, pattern) not in self.columns and not (
                    pattern & {s for s in pattern if (s, info.m) in self.forbidden}):
                if all((s, info.m) in self.h.x for s in pattern) and self.feasible(info, pattern):
                    self.add_column(info, pattern)

    def run(self, deadline, start_pairs=None, upper=None, stop=None, on_bound=None, incumbent=None,
            on_round=None, first_round=False):
        """Column generation until no column prices out, ``deadline`` or ``stop()``; the best
        valid bound (-inf if none).  ``on_bound(value)`` hears each round's best bound;
        ``on_round(self)`` is called after it, while the master LP's solution is still the
        round's (before the new columns join).
        ``incumbent()`` may return the pairs of the best roster found meanwhile (by CP-SAT):
        its patterns join the master before the next round.
        ``first_round``: finish the first round even past ``deadline`` (its pricing is then cut
        short and replaced by valid lower bounds), so that there is always a bound."""
        self._stop = stop
        if start_pairs:
            self.add_roster(start_pairs)
        if SINGLETONS:
            # Every feasible one-shift pattern: sensible duals from the first master solve.
            for info in self.members:
                alone = self._alone(info)
                for s in info.cands:
                    if s in alone:
                        self.add_column(info, frozenset(info.pins) | {s})
        best = -math.inf
        self.iterations = 0
        self.best_round = None    # (duals, member -> pricing minimum) of the round that gave ``best``
        self.trace = []
        self.started = time.monotonic()
        self.master_value = None
        self.converged = False
        seen = None
        while (first_round and self.iterations == 0) or not self._out_of_time(deadline):
            latest = incumbent() if callable(incumbent) else None
            if latest is not None and latest is not seen:
                seen = latest
                self.add_roster(latest)
            if not self.solve():
                break
            self.iterations += 1
            pi = self.duals()
            mus = {m: c.dual_value() for m, c in self.convexity.items()}
            minima, new_columns = [], []
            forced = first_round and self.iterations == 1
            for info in self.members:
                if not forced and self._out_of_time(deadline):
                    return best       # an interrupted round gives no bound of its own
                value, patterns, _exact = self.price(info, pi, deadline, below=mus[info.m])
                minima.append(value)
                for pattern_value, pattern in patterns:
                    if (info.m, pattern) not in self.columns and pattern_value - mus[info.m] < -1e-6:
                        new_columns.append((info, pattern))
            self.master_value = self.lp.Objective().Value() + self.constant + self.fairness_constant
            value = self.lagrangian(pi, minima)
            if value > best:
                self.best_round = (pi, {info.m: v for info, v in zip(self.members, minima, strict=True)})
                best = value
            self.trace.append((round(time.monotonic() - self.started, 2), best))
            if on_bound is not None:
                on_bound(best)
            if on_round is not None and not self._out_of_time(deadline):
                on_round(self)
            for info, pattern in new_columns:
                self.add_column(info, pattern)
            incumbent = upper() if callable(upper) else upper
            if incumbent is not None and integer_bound(best) >= incumbent:
                break
            if not new_columns:
                self.converged = True     # no column prices out at the master's duals
                break
        return best

    def _out_of_time(self, deadline) -> bool:
        return time.monotonic() > deadline or (self._stop is not None and self._stop())


def integer_bound(value: float) -> int | None:
    """The objective is an integer, so a bound may be rounded up (after a float margin)."""
    if not math.isfinite(value):
        return None
    return math.ceil(value - 1e-6 * max(1.0, abs(value)))


def column_generation_bound(problem, handles, *, deadline: float, start_pairs=None,
                            upper=None) -> int | None:
    """A valid integer lower bound for the scope's objective, or None."""
    if handles.scope.fixed:
        return None
    cg = ColumnGeneration(problem, handles)
    value = cg.run(deadline, start_pairs, upper)
    handles.stats["colgen_iterations"] = cg.iterations
    return integer_bound(value)
