"""H7: at most max_consecutive_days consecutive calendar dates with a shift start."""

from __future__ import annotations

from collections import defaultdict

from solver.model.context import ModelHandles


def _day(problem, s) -> int:
    return (problem.shifts[s].start_date - problem.horizon_start).days


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    windows = 0
    for m, shift_indices in handles.by_member.items():
        limit = problem.members[m].max_consecutive_days
        by_day = defaultdict(list)
        for s in shift_indices:
            by_day[_day(problem, s)].append(handles.x[(s, m)])
        fixed_days = {_day(problem, f) for f in handles.fixed_shifts(m)}
        days = sorted(set(by_day) | fixed_days)
        if len(days) <= limit:
            continue
        worked = {}
        for first in days:
            window = range(first, first + limit + 1)
            if not all(d in by_day or d in fixed_days for d in window):
                continue
            terms = [_worked(model, handles, m, d, by_day, worked) for d in window
                     if d not in fixed_days]
            model.Add(sum(terms) <= limit - sum(1 for d in window if d in fixed_days))
            windows += 1
    handles.stats["consecutive_windows"] = windows


def _worked(model, handles, m, day, by_day, cache):
    """A literal that is 1 when the member starts a shift on ``day``."""
    if day not in cache:
        xs = by_day[day]
        if len(xs) == 1:
            cache[day] = xs[0]
        else:
            y = model.NewBoolVar(f"works_m{m}_d{day}")
            handles.derived.append((y, lambda val, xs=xs: max(val(x) for x in xs)))
            for x in xs:
                model.AddImplication(x, y)
            cache[day] = y
    return cache[day]
