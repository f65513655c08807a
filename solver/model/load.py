"""H6: per member at most max_shifts shifts, max_minutes minutes, max_per_member per duty."""

from __future__ import annotations

from collections import Counter

from solver.model.context import ModelHandles


def _fixed_usage(handles: ModelHandles, m: int):
    problem = handles.problem
    fixed = [problem.shifts[f] for f in handles.fixed_shifts(m)]
    return len(fixed), sum(f.minutes for f in fixed), Counter(f.duty for f in fixed)


def prune(handles: ModelHandles, pairs):
    """Drop unpinned pairs that could never fit the member's remaining limits."""
    problem = handles.problem
    kept = []
    usage = {}
    unused = (0, 0, Counter())
    for s, m in pairs:
        if m not in usage:
            usage[m] = _fixed_usage(handles, m) if m in handles.scope.fixed else unused
        count, minutes, per_duty = usage[m]
        member, shift = problem.members[m], problem.shifts[s]
        cap = problem.duty_by_id[shift.duty].max_per_member
        if member.max_shifts is not None and count >= member.max_shifts:
            continue
        if member.max_minutes is not None and minutes + shift.minutes > member.max_minutes:
            continue
        if cap is not None and per_duty[shift.duty] >= cap:
            continue
        if member.max_consecutive_days == 0:
            continue
        kept.append((s, m))
    return kept


def add(model, handles: ModelHandles) -> None:
    problem = handles.problem
    for m, shift_indices in handles.by_member.items():
        member = problem.members[m]
        count, minutes, per_duty = _fixed_usage(handles, m)
        xs = [handles.x[(s, m)] for s in shift_indices]
        if member.max_shifts is not None and len(xs) > member.max_shifts - count:
            model.Add(sum(xs) <= member.max_shifts - count)
        durations = [problem.shifts[s].minutes for s in shift_indices]
        if member.max_minutes is not None and sum(durations) > member.max_minutes - minutes:
            model.Add(sum(d * x for d, x in zip(durations, xs, strict=True)) <= member.max_minutes - minutes)
        _add_duty_caps(model, handles, m, shift_indices, per_duty)


def _add_duty_caps(model, handles, m, shift_indices, fixed_per_duty):
    problem = handles.problem
    by_duty = {}
    for s in shift_indices:
        by_duty.setdefault(problem.shifts[s].duty, []).append(handles.x[(s, m)])
    for duty_id, xs in by_duty.items():
        cap = problem.duty_by_id[duty_id].max_per_member
        if cap is not None and len(xs) > cap - fixed_per_duty[duty_id]:
            model.Add(sum(xs) <= cap - fixed_per_duty[duty_id])
