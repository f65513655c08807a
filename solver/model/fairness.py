"""Fairness term: sum over members of u^2, u = (history + assigned minutes) / 15.

u^2 is convex, so instead of a multiplication constraint we bound f >= u^2 by
the chords between consecutive *reachable* values of u (subset sums of the
member's candidate shift lengths).  Every chord is exact at reachable points,
all coefficients are integers, and the LP relaxation is the convex hull.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.context import ModelHandles
from solver.problem import GRID


def reachable_sums(sizes: list[int], cap: int | None, max_items: int | None) -> list[int]:
    """Sorted sums of sub-multisets of ``sizes`` (at most ``cap``, at most ``max_items`` items)."""
    limit = sum(sizes) if cap is None else min(cap, sum(sizes))
    mask = (1 << (limit + 1)) - 1
    if max_items is None or max_items >= len(sizes):
        bits = 1
        for size in sizes:
            bits = (bits | (bits << size)) & mask
    else:
        by_count = [1] + [0] * max_items
        for size in sizes:
            for c in range(max_items, 0, -1):
                by_count[c] = (by_count[c] | (by_count[c - 1] << size)) & mask
        bits = 0
        for layer in by_count:
            bits |= layer
    return [v for v in range(limit + 1) if bits >> v & 1]


def _base_units(handles: ModelHandles, m: int) -> int:
    problem = handles.problem
    fixed = sum(problem.shifts[f].minutes for f in handles.fixed_shifts(m))
    return (problem.members[m].history_minutes + fixed) // GRID


def _limits(handles: ModelHandles, m: int):
    member = handles.problem.members[m]
    fixed = handles.fixed_shifts(m)
    cap = None
    if member.max_minutes is not None:
        used = sum(handles.problem.shifts[f].minutes for f in fixed)
        cap = max(0, member.max_minutes - used) // GRID
    max_items = None if member.max_shifts is None else max(0, member.max_shifts - len(fixed))
    return cap, max_items


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    term = handles.terms["fairness"]
    lines = 0
    for m in handles.scope.members:
        base = _base_units(handles, m)
        shift_indices = handles.by_member.get(m, ())
        term.constant += base * base
        if not shift_indices:
            continue
        sizes = [problem.shifts[s].minutes // GRID for s in shift_indices]
        xs = [handles.x[(s, m)] for s in shift_indices]
        if len(xs) == 1:
            term.add((base + sizes[0]) ** 2 - base * base, xs[0])
            continue
        reachable = reachable_sums(sizes, *_limits(handles, m))
        member_id = problem.members[m].id
        # load = assigned units in scope; its domain is the reachable sums only.
        load = model.NewIntVarFromDomain(cp_model.Domain.FromValues(reachable), f"load_{member_id}")
        model.Add(load == sum(size * x for size, x in zip(sizes, xs, strict=True)))
        values = [base + v for v in reachable]
        top = values[-1]
        extra = model.NewIntVar(0, top * top - base * base, f"fair_{member_id}")
        # extra >= (a+b)u - ab - base^2 for consecutive reachable a < b, with u = base + load.
        for a, b in zip(values, values[1:], strict=False):
            model.Add(extra - (a + b) * load >= (a + b) * base - a * b - base * base)
            lines += 1
        term.add(1, extra)
        handles.fairness_load[m] = load
        _register_hints(handles, load, extra, sizes, xs, base)
    handles.stats["fairness_lines"] = lines


def _register_hints(handles, load, extra, sizes, xs, base) -> None:
    def load_value(val):
        return sum(size * val(x) for size, x in zip(sizes, xs, strict=True))
    handles.derived.append((load, load_value))
    handles.derived.append((extra, lambda val: (base + load_value(val)) ** 2 - base * base))
