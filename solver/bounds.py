"""Cheap valid lower bounds: ``simple_bound`` where no CP-SAT bound is available (scoped, district),
``lagrangian`` for a sweep group that fell behind (``sweep.group_lagrangian``)."""

from __future__ import annotations

import math
import time

from solver.problem import GRID, Problem


def simple_bound(problem: Problem, handles) -> int:
    """A valid lower bound: history-only fairness, shortfalls no candidate can cover,
    previous pairs that are no longer possible, and every liked assignment taken."""
    w = problem.weights
    bound = problem.fairness_constant(handles.scope.members)
    for s in handles.scope.shifts:
        bound += w.unfilled * max(0, problem.shifts[s].min_staff - len(handles.by_shift.get(s, ())))
    in_scope = set(handles.scope.shifts)
    for pair in problem.previous:
        s = problem.shift_index.get(pair.shift)
        if s in in_scope and (s, problem.member_index[pair.member]) not in handles.x:
            bound += w.stability
    for (s, m) in handles.x:
        shift = problem.shifts[s]
        bound += w.preference * min(0, problem.members[m].preference_cost(shift.duty, shift.weekday))
    return bound


def lagrangian(problem: Problem, handles, linear: dict[int, int], *, deadline: float,
               max_iterations: int, reprice=None, terms: dict | None = None) -> float:
    """A valid lower bound from relaxing coverage with multipliers (subgradient ascent); -inf if none.

    Coverage rows (staffed + short >= min_staff) are priced by lambda in
    [0, W.unfilled].  What is left splits by member: pick fractions of the
    candidate shifts to minimise W.fairness*((b+L)^2-b^2) + sum(cost - lambda),
    solved exactly by taking shifts in ratio order until the marginal fairness
    cost catches up.  Rest, lead, staffing caps and continuity are relaxed
    (dropping them only lowers the bound), so every value is a valid bound.

    ``linear`` maps member index -> price per 15-minute unit: those members' u² is replaced by
    that price, as in ``ColumnGeneration(linear=…)`` (the community sweep's groups, solver/sweep.py).
    The step aims 10 % above the value at the first multipliers (on the benchmark district's
    groups that ended within 0.1-0.35 % of their converged Dantzig-Wolfe bound in 200 steps,
    where 2 % above ended 2 % below it).  The first value is had whatever ``deadline``.

    ``terms``, if given with ``reprice``, receives what the value holds of each member without pins: "minimum"
    (member -> its term) and "prices" ((shift, member) -> what taking the pair earns), for ``sweep.joint_lift``."""
    import numpy as np

    data = _lagrangian_data(problem, handles, linear)
    if data is None:
        return -math.inf
    w_u = data[9]
    lam = np.r_[_initial_prices(data), np.zeros(len(data[11][1]))]
    best, best_lam, upper = -math.inf, lam, None
    alpha, stall = 1.0, 0
    for step in range(max_iterations):
        if step and time.monotonic() > deadline:
            break
        value, gradient = _lagrangian_value(data, lam)
        if upper is None:
            upper = value + 0.1 * abs(value) + 1
        if value > best + 1e-9:
            best, best_lam, stall = value, lam, 0
        else:
            stall += 1
            if stall >= 5:
                alpha, stall = alpha / 2, 0
        norm = float(gradient @ gradient)
        if norm < 1e-9 or alpha < 1e-4 or upper - value <= 0.5:
            break
        lam = np.clip(lam + alpha * (upper - value) / norm * gradient, 0.0, w_u)
    if reprice is not None and math.isfinite(best):
        best += _repriced_gain(problem, handles, data, best_lam, reprice, terms)
    return best


def _repriced_gain(problem, handles, data, lam, reprice, terms=None) -> float:
    """What the members' exact minima add to the Lagrangian value at ``lam``.

    The value sums, per member, the minimum of a *fractional* choice of shifts (rest, overlap,
    shift and duty caps and consecutive days dropped). Any lower bound of the member's minimum over
    whole patterns that keep every one of its rules may replace it, and the value stays a valid
    bound: it is the same relaxation (coverage, lead and continuity rows priced by ``lam``) with a
    smaller feasible set per member. ``reprice(pair_prices)`` gets, per pair of a member without
    pins, ``lam``'s price of the pair (what taking it earns in the priced rows) and returns
    member -> a lower bound of that member's exact minimum (``ColumnGeneration.exact_minima``);
    a member's term is only ever raised (max with the fractional one)."""
    import numpy as np

    shift_of, member_of = data[0], data[1]
    holder_of, holder_need = data[11][0], data[11][1]
    n_shifts = len(data[7])
    mu = lam[n_shifts:]
    earned = lam[shift_of].copy()
    if len(mu):
        is_holder = holder_of >= 0
        earned += np.where(is_holder, mu[np.maximum(holder_of, 0)] * holder_need[np.maximum(holder_of, 0)], 0.0)
    fractional = _member_minima(data, lam)
    scope_shifts = list(handles.scope.shifts)
    members = list(handles.scope.members)
    pinned_members = {m for _, m in handles.pinned}
    prices = {}
    for row in range(len(shift_of)):
        m = members[member_of[row]]
        if m not in pinned_members:
            prices[(scope_shifts[shift_of[row]], m)] = float(earned[row])
    exact = reprice(prices)
    gain = 0.0
    for i, m in enumerate(members):
        if m in exact and m not in pinned_members:
            gain += max(0.0, exact[m] - float(fractional[i]))
    if terms is not None:
        terms["prices"] = prices
        terms["minimum"] = {m: max(float(fractional[i]), exact.get(m, -math.inf))
                            for i, m in enumerate(members) if m not in pinned_members}
    return gain


def _priced_costs(data, lam):
    """Each candidate pair's cost less its shift's price and, for a household's familiar visitor, the household's
    price times its need: the reduced cost both the Lagrangian and the members' minima read."""
    import numpy as np

    shift_of, base_cost, minimum, holders = data[0], data[3], data[7], data[11]
    holder_of, holder_need = holders[0], holders[1]
    n_shifts = len(minimum)
    lam, mu = lam[:n_shifts], lam[n_shifts:]
    cost = base_cost - lam[shift_of]
    if len(mu):
        is_holder = holder_of >= 0
        cost = cost - np.where(is_holder, mu[np.maximum(holder_of, 0)] * holder_need[np.maximum(holder_of, 0)], 0.0)
    return cost


def _member_minima(data, lam):
    """Each member's term of ``_lagrangian_value`` at ``lam``: its fractional minimum."""
    import numpy as np

    shift_of, member_of, units, base_cost, b, cap, _, minimum, w_f, _, _, holders = data
    cost = _priced_costs(data, lam)
    order = np.lexsort((cost / units, member_of))
    m_sorted, d_sorted, r_sorted = member_of[order], units[order], (cost / units)[order]
    cumulative = np.cumsum(d_sorted)
    starts = np.r_[0, np.flatnonzero(np.diff(m_sorted)) + 1]
    group_offset = np.repeat(cumulative[starts] - d_sorted[starts], np.diff(np.r_[starts, len(order)]))
    load_before = cumulative - d_sorted - group_offset
    w_row = w_f[m_sorted]
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(w_row > 0, -r_sorted / np.where(w_row > 0, 2 * w_row, 1.0) - b[m_sorted], np.inf)
    target = np.minimum(target, cap[m_sorted])
    fraction = np.clip((target - load_before) / d_sorted, 0.0, 1.0)
    fraction[r_sorted >= 0] = 0.0
    load = np.bincount(m_sorted, weights=fraction * d_sorted, minlength=len(b))
    spent = np.bincount(m_sorted, weights=cost[order] * fraction, minlength=len(b))
    return w_f * ((b + load) ** 2 - b ** 2) + spent


def _lagrangian_data(problem, handles, linear):
    import numpy as np

    w = problem.weights
    scope_shifts = list(handles.scope.shifts)
    position = {s: i for i, s in enumerate(scope_shifts)}
    members = list(handles.scope.members)
    member_position = {m: i for i, m in enumerate(members)}
    previous = {(problem.shift_index[p.shift], problem.member_index[p.member])
                for p in problem.previous if p.shift in problem.shift_index}
    b = np.array([problem.members[m].history_minutes // GRID for m in members], dtype=float)
    cap = np.full(len(members), np.inf)
    for i, m in enumerate(members):
        member = problem.members[m]
        fixed = sum(problem.shifts[f].minutes for f in handles.fixed_shifts(m))
        b[i] += fixed // GRID
        if member.max_minutes is not None:
            cap[i] = max(0, member.max_minutes - fixed) // GRID
    rows = []
    constant = 0.0
    pinned_cover = np.zeros(len(scope_shifts))
    # "Staffed at all needs a lead holder": min_staff * holders + short >= min_staff,
    # one row per shift whose duty has a lead skill (dualized like coverage).
    # Likewise for a visit: min_staff * (miss + preferred visitors) + short >= min_staff,
    # with miss in [0, 1] at cost W.continuity.  A shift gets at most one such row.
    holder_row, miss_cost = {}, []
    for s in scope_shifts:
        shift = problem.shifts[s]
        skill = problem.duty_by_id[shift.duty].lead_skill
        if shift.min_staff <= 0 or not handles.by_shift.get(s):
            continue
        if skill:
            holder_row[s] = len(holder_row)
            miss_cost.append(math.inf)
        elif shift.visit_target is not None:
            holder_row[s] = len(holder_row)
            miss_cost.append(float(w.continuity))
    holder_need = np.zeros(len(holder_row))
    holder_shift = np.zeros(len(holder_row), dtype=int)
    for s, h in holder_row.items():
        holder_need[h] = problem.shifts[s].min_staff
        holder_shift[h] = position[s]
    pinned_holders = np.zeros(len(holder_row))

    def counts_for_row(s, m):
        shift = problem.shifts[s]
        skill = problem.duty_by_id[shift.duty].lead_skill
        if skill:
            return skill in problem.members[m].skills
        return problem.members[m].id in problem.preferred_visitors(shift)

    for (s, m) in handles.x:
        shift = problem.shifts[s]
        cost = w.preference * problem.members[m].preference_cost(shift.duty, shift.weekday)
        cost -= w.stability * ((s, m) in previous)
        cost += linear.get(m, 0) * (shift.minutes // GRID)
        h = holder_row[s] if s in holder_row and counts_for_row(s, m) else -1
        if (s, m) in handles.pinned:
            i = member_position[m]
            constant += cost
            b[i] += shift.minutes // GRID
            cap[i] -= shift.minutes // GRID
            pinned_cover[position[s]] += 1
            if h >= 0:
                pinned_holders[h] += 1
            continue
        rows.append((position[s], member_position[m], shift.minutes // GRID, cost, h))
    in_scope = set(scope_shifts)
    constant += w.stability * sum(1 for s, _ in previous if s in in_scope)
    # History, fixed and pinned load; a linearly priced member pays ν per unit (in ``cost``) instead.
    # (Its fixed shifts outside the scope are left out: a non-negative term, so the bound stays valid.)
    weight = np.array([0.0 if m in linear else float(w.fairness) for m in members])
    constant += float(weight @ (b * b))
    minimum = np.array([problem.shifts[s].min_staff for s in scope_shifts], dtype=float)
    if not rows:
        return None  # nothing to price: the cheap bound is exact enough
    arr = np.array(rows, dtype=float).reshape(-1, 5)
    data = (arr[:, 0].astype(int), arr[:, 1].astype(int), arr[:, 2], arr[:, 3], b,
            np.maximum(cap, 0), constant, minimum, weight, float(w.unfilled))
    return data + (pinned_cover, (arr[:, 4].astype(int), holder_need, holder_shift, pinned_holders,
                                  np.array(miss_cost, dtype=float)))


def _initial_prices(data):
    import numpy as np

    shift_of, member_of, units, base_cost, b, cap, constant, minimum, w_f, w_u, _, _ = data
    marginal = w_f[member_of] * (2 * b[member_of] * units + units * units) + base_cost
    lam = np.full(len(minimum), w_u)
    np.minimum.at(lam, shift_of, np.maximum(marginal, 0))
    return np.where(minimum > 0, lam, 0.0)


def _lagrangian_value(data, lam):
    import numpy as np

    shift_of, member_of, units, base_cost, b, cap, constant, minimum, w_f, w_u, pinned_cover, holders = data
    holder_of, holder_need, holder_shift, pinned_holders, miss_cost = holders
    # Shifts needing no one more than the pins give still take lambda (sign handled by gradient).
    cost = _priced_costs(data, lam)
    n_shifts = len(minimum)
    lam, mu = lam[:n_shifts], lam[n_shifts:]
    is_holder = holder_of >= 0
    ratio = cost / units
    order = np.lexsort((ratio, member_of))
    m_sorted = member_of[order]
    d_sorted = units[order]
    r_sorted = ratio[order]
    cumulative = np.cumsum(d_sorted)
    starts = np.r_[0, np.flatnonzero(np.diff(m_sorted)) + 1]
    group_offset = np.repeat(cumulative[starts] - d_sorted[starts], np.diff(np.r_[starts, len(order)]))
    load_before = cumulative - d_sorted - group_offset
    w_row = w_f[m_sorted]            # each member's fairness weight (0 for a linearly priced one)
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(w_row > 0, -r_sorted / np.where(w_row > 0, 2 * w_row, 1.0) - b[m_sorted], np.inf)
    target = np.minimum(target, cap[m_sorted])
    fraction = np.clip((target - load_before) / d_sorted, 0.0, 1.0)
    fraction[r_sorted >= 0] = 0.0
    load = np.bincount(m_sorted, weights=fraction * d_sorted, minlength=len(b))
    value = constant + float(w_f @ ((b + load) ** 2 - b ** 2))
    value += float((cost[order] * fraction).sum())
    value += float(lam @ minimum) - float(lam @ pinned_cover)
    covered = np.bincount(shift_of[order], weights=fraction, minlength=len(minimum)) + pinned_cover
    # The shortfall (0..min_staff, cost w_u) sits in the coverage row and the holder row.
    short_price = lam.copy()
    np.add.at(short_price, holder_shift, mu)
    short = np.where(w_u - short_price < 0, minimum, 0.0)
    value += float(np.minimum(0.0, w_u - short_price) @ minimum)
    gradient = minimum - covered - short
    if len(mu):
        value += float(mu @ (holder_need * (1 - pinned_holders)))
        miss_reduced = miss_cost - mu * holder_need        # inf where the row has no miss
        miss = (miss_reduced < 0).astype(float)
        value += float(np.minimum(0.0, miss_reduced).sum())
        held = np.bincount(holder_of[order][is_holder[order]],
                           weights=fraction[is_holder[order]], minlength=len(mu)) + pinned_holders
        gradient = np.r_[gradient, holder_need * (1 - held - miss) - short[holder_shift]]
    return value, gradient
