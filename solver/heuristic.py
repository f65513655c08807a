"""A fast starting roster for CP-SAT: greedy construction, then local search.

CP-SAT proves bounds well but finds balanced full-coverage rosters slowly, so we
hand it a good hint.  The moves respect every hard rule over the model's
candidate pairs, and the objective deltas follow the spec's five terms.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict

from solver.model import ModelHandles
from solver.problem import GRID


class LocalSearch:
    def __init__(self, handles: ModelHandles, seed: int = 0):
        self.h = handles
        self.p = handles.problem
        self.rng = random.Random(seed)
        w = self.p.weights
        self.w = w
        self.cands = {s: list(ms) for s, ms in handles.by_shift.items()}
        self.staff = defaultdict(set)
        self.shifts_of = defaultdict(set)
        self.units = {}
        self.minutes = Counter()
        self.duty_count = defaultdict(Counter)
        self.day_count = defaultdict(Counter)
        self.previous = self._previous_pairs()
        for m in handles.scope.members:
            base = self.p.members[m].history_minutes
            base += sum(self.p.shifts[f].minutes for f in handles.fixed_shifts(m))
            self.units[m] = base // GRID
            for f in handles.fixed_shifts(m):
                self.minutes[m] += self.p.shifts[f].minutes
                self.duty_count[m][self.p.shifts[f].duty] += 1
                self.day_count[m][self._day(f)] += 1
        self.fixed_count = {m: len(handles.fixed_shifts(m)) for m in handles.scope.members}
        self.fixed_items = {m: [self.p.shifts[f] for f in handles.fixed_shifts(m)]
                            for m in handles.scope.members}

    # ------------------------------------------------------------ bookkeeping
    def _previous_pairs(self):
        pairs = set()
        for pair in self.p.previous:
            s = self.p.shift_index.get(pair.shift)
            if s is not None:
                pairs.add((s, self.p.member_index[pair.member]))
        return pairs

    def _day(self, s) -> int:
        return (self.p.shifts[s].start_date - self.p.horizon_start).days

    def _apply(self, s, m, sign):
        shift = self.p.shifts[s]
        if sign > 0:
            self.staff[s].add(m)
            self.shifts_of[m].add(s)
        else:
            self.staff[s].discard(m)
            self.shifts_of[m].discard(s)
        self.units[m] += sign * (shift.minutes // GRID)
        self.minutes[m] += sign * shift.minutes
        self.duty_count[m][shift.duty] += sign
        self.day_count[m][self._day(s)] += sign

    # ------------------------------------------------------------ feasibility
    def _member_fits(self, s, m) -> bool:
        p = self.p
        member, shift = p.members[m], p.shifts[s]
        if member.max_shifts is not None and len(self.shifts_of[m]) + self.fixed_count[m] >= member.max_shifts:
            return False
        if member.max_minutes is not None and self.minutes[m] + shift.minutes > member.max_minutes:
            return False
        cap = p.duty_by_id[shift.duty].max_per_member
        if cap is not None and self.duty_count[m][shift.duty] >= cap:
            return False
        rest = member.min_rest_minutes
        for t in self.shifts_of[m]:
            other = p.shifts[t]
            if shift.start < other.end + rest and other.start < shift.end + rest:
                return False
        return self._consecutive_ok(m, self._day(s), member.max_consecutive_days)

    def _consecutive_ok(self, m, day, limit) -> bool:
        days = self.day_count[m]
        if days[day] > 0:
            return True
        run = 1
        d = day - 1
        while days[d] > 0:
            run += 1
            d -= 1
        d = day + 1
        while days[d] > 0:
            run += 1
            d += 1
        return run <= limit

    def _lead_ok(self, s, members) -> bool:
        skill = self.p.duty_by_id[self.p.shifts[s].duty].lead_skill
        if not skill or not members:
            return True
        return any(m is not None and skill in self.p.members[m].skills for m in members)

    # ------------------------------------------------------------ objective deltas
    def _pair_cost(self, s, m) -> int:
        """Cost of assigning (s, m) on top of the current state, fairness included."""
        shift = self.p.shifts[s]
        d = shift.minutes // GRID
        u = self.units[m]
        cost = self.w.fairness * (2 * u * d + d * d)
        cost += self.w.preference * self.p.members[m].preference_cost(shift.duty, shift.weekday)
        if (s, m) in self.previous:
            cost -= self.w.stability
        return cost

    def _removal_gain(self, s, m) -> int:
        shift = self.p.shifts[s]
        d = shift.minutes // GRID
        u = self.units[m]
        gain = self.w.fairness * (2 * u * d - d * d)
        gain += self.w.preference * self.p.members[m].preference_cost(shift.duty, shift.weekday)
        if (s, m) in self.previous:
            gain -= self.w.stability
        return gain

    def _shift_terms(self, s, members) -> int:
        shift = self.p.shifts[s]
        cost = self.w.unfilled * max(0, shift.min_staff - len(members))
        if shift.visit_target is not None and members:
            preferred = self.p.preferred_visitors(shift)
            if not any(self.p.members[m].id in preferred for m in members):
                cost += self.w.continuity
        return cost

    # ------------------------------------------------------------ construction
    def construct(self, start_pairs=None) -> None:
        for s, m in sorted(self.h.pinned):
            self._apply(s, m, +1)
        if start_pairs:
            for s, m in sorted(start_pairs):
                if (s, m) in self.h.x and m not in self.staff[s] and self._can_add(s, m):
                    self._apply(s, m, +1)
        order = sorted(self.h.scope.shifts, key=lambda s: (len(self.cands.get(s, ())) /
                                                            max(1, self.p.shifts[s].min_staff)))
        for s in order:
            while len(self.staff[s]) < self.p.shifts[s].min_staff:
                best = self._best_addition(s)
                if best is None:
                    break
                self._apply(s, best, +1)

    def _can_add(self, s, m) -> bool:
        if len(self.staff[s]) >= self.p.shifts[s].max_staff or m in self.staff[s]:
            return False
        if not self._member_fits(s, m):
            return False
        members = self.staff[s] | {m}
        if self._lead_ok(s, members):
            return True
        # A non-holder may join only if a holder can still be added alongside.
        return len(members) < self.p.shifts[s].max_staff and self._holder_available(s, members)

    def _holder_available(self, s, members) -> bool:
        skill = self.p.duty_by_id[self.p.shifts[s].duty].lead_skill
        return any(skill in self.p.members[m].skills and m not in members and self._member_fits(s, m)
                   for m in self.cands.get(s, ()))

    def _best_addition(self, s):
        if len(self.staff[s]) >= self.p.shifts[s].max_staff:
            return None
        skill = self.p.duty_by_id[self.p.shifts[s].duty].lead_skill
        need_holder = bool(skill) and not self._lead_ok(s, self.staff[s] or {None})
        best, best_cost = None, None
        for m in self.cands.get(s, ()):
            if need_holder and skill not in self.p.members[m].skills:
                continue
            if m in self.staff[s] or not self._member_fits(s, m):
                continue
            cost = self._pair_cost(s, m) + self._shift_terms(s, self.staff[s] | {m})
            if best_cost is None or cost < best_cost:
                best, best_cost = m, cost
        return best

    # ------------------------------------------------------------ improvement
    def improve(self, deadline: float) -> None:
        improved = True
        while improved and time.monotonic() < deadline:
            improved = self._replace_pass(deadline)
            improved |= self._fill_pass(deadline)
            improved |= self._drop_pass()
            if not improved:
                improved = self._swap_pass(deadline)

    def _replace_pass(self, deadline) -> bool:
        improved = False
        pairs = [(s, m) for s in self.h.scope.shifts for m in list(self.staff[s])]
        self.rng.shuffle(pairs)
        for s, a in pairs:
            if time.monotonic() > deadline:
                break
            if (s, a) in self.h.pinned or a not in self.staff[s]:
                continue
            base_terms = self._shift_terms(s, self.staff[s])
            gain = self._removal_gain(s, a)
            self._apply(s, a, -1)
            best, best_delta = None, 0
            for b in self.cands.get(s, ()):
                if b == a or b in self.staff[s] or not self._member_fits(s, b):
                    continue
                members = self.staff[s] | {b}
                if not self._lead_ok(s, members):
                    continue
                delta = self._pair_cost(s, b) - gain + self._shift_terms(s, members) - base_terms
                if delta < best_delta:
                    best, best_delta = b, delta
            self._apply(s, best if best is not None else a, +1)
            improved |= best is not None
        return improved

    def _fill_pass(self, deadline=float("inf")) -> bool:
        improved = False
        for s in self.h.scope.shifts:
            if time.monotonic() > deadline:
                break
            while len(self.staff[s]) < self.p.shifts[s].max_staff:
                before = self._shift_terms(s, self.staff[s])
                best, best_delta = None, 0
                for m in self.cands.get(s, ()):
                    if m in self.staff[s] or not self._member_fits(s, m):
                        continue
                    members = self.staff[s] | {m}
                    if not self._lead_ok(s, members):
                        continue
                    delta = self._pair_cost(s, m) + self._shift_terms(s, members) - before
                    if delta < best_delta:
                        best, best_delta = m, delta
                if best is None:
                    break
                self._apply(s, best, +1)
                improved = True
        return improved

    def _drop_pass(self) -> bool:
        improved = False
        for s in self.h.scope.shifts:
            for m in list(self.staff[s]):
                if (s, m) in self.h.pinned:
                    continue
                rest = self.staff[s] - {m}
                if not self._lead_ok(s, rest):
                    continue
                delta = self._shift_terms(s, rest) - self._shift_terms(s, self.staff[s]) \
                    - self._removal_gain(s, m)
                if delta < 0:
                    self._apply(s, m, -1)
                    improved = True
        return improved

    def _swap_pass(self, deadline) -> bool:
        """Exchange the shifts of two members when it balances their loads."""
        pairs = [(s, m) for s in self.h.scope.shifts for m in self.staff[s] if (s, m) not in self.h.pinned]
        self.rng.shuffle(pairs)
        improved = False
        for i, (s1, a) in enumerate(pairs[:400]):
            if time.monotonic() > deadline:
                break
            for s2, b in pairs[i + 1:i + 200]:
                if a == b or s1 == s2 or a not in self.staff[s1] or b not in self.staff[s2]:
                    continue
                if a in self.staff[s2] or b in self.staff[s1]:
                    continue
                if self._try_swap(s1, a, s2, b):
                    improved = True
                    break
        return improved

    def _try_swap(self, s1, a, s2, b) -> bool:
        if (s1, b) not in self.h.x or (s2, a) not in self.h.x:
            return False
        before = self.objective_part([s1, s2], [a, b])
        self._apply(s1, a, -1)
        self._apply(s2, b, -1)
        ok = self._member_fits(s1, b)
        if ok:
            self._apply(s1, b, +1)
            ok = self._member_fits(s2, a)
            if ok:
                self._apply(s2, a, +1)
                ok = self._lead_ok(s1, self.staff[s1]) and self._lead_ok(s2, self.staff[s2]) and \
                    self.objective_part([s1, s2], [a, b]) < before
                if ok:
                    return True
                self._apply(s2, a, -1)
            self._apply(s1, b, -1)
        self._apply(s1, a, +1)
        self._apply(s2, b, +1)
        return False

    def objective_part(self, shifts, members, within=None) -> int:
        """The objective terms of ``shifts`` and ``members`` (the members' pairs only on the shifts of
        ``within`` if given), without the constant W.stability per previous pair."""
        cost = sum(self._shift_terms(s, self.staff[s]) for s in shifts)
        for m in members:
            cost += self.w.fairness * self.units[m] ** 2
            for s in (self.shifts_of[m] if within is None else self.shifts_of[m] & within):
                shift = self.p.shifts[s]
                cost += self.w.preference * self.p.members[m].preference_cost(shift.duty, shift.weekday)
                if (s, m) in self.previous:
                    cost -= self.w.stability
        return cost

    def pairs(self) -> set[tuple[int, int]]:
        return {(s, m) for s in self.staff for m in self.staff[s]}


def heuristic_roster(handles: ModelHandles, *, deadline: float, seed: int = 0,
                     start_pairs=None) -> set[tuple[int, int]]:
    search = LocalSearch(handles, seed)
    search.construct(start_pairs)
    search.improve(deadline)
    return search.pairs()


def roster_is_valid(handles: ModelHandles, pairs) -> bool:
    """Safety net before a heuristic roster is reported: the independent checker must accept
    it within the scope (pins elsewhere belong to other scopes)."""
    from solver.check import find_violations  # the checker stays independent of the model

    problem = handles.problem
    in_scope = {problem.shifts[s].id for s in handles.scope.shifts}
    roster = [(problem.shifts[s].id, problem.members[m].id) for s, m in pairs]
    for m, fixed in handles.scope.fixed.items():
        roster += [(problem.shifts[f].id, problem.members[m].id) for f in fixed]
    violations = find_violations(problem, roster)
    return not [v for v in violations if v.rule != "H9" or v.shift in in_scope]
