"""Contradictions among pins that no roster can repair (monotone rules), named pin by pin."""

from __future__ import annotations

from collections import defaultdict

from solver.problem import Problem


def _pin(p) -> dict:
    return {"shift": p.shift, "member": p.member}


def _conflict(rule: str, message: str, pins) -> dict:
    return {"rule": rule, "message": message, "pins": [_pin(p) for p in pins]}


def pin_conflicts(problem: Problem) -> list[dict]:
    """Conflicts between pins (and forbids/limits) found without search."""
    found: list[dict] = []
    forbidden = {(p.shift, p.member) for p in problem.forbid}
    for p in problem.pins:
        if (p.shift, p.member) in forbidden:
            found.append(_conflict("H9", f"pin ({p.shift}, {p.member}) is also forbidden", [p]))
    by_shift, by_member = defaultdict(list), defaultdict(list)
    for p in problem.pins:
        by_shift[p.shift].append(p)
        by_member[p.member].append(p)
    for shift_id, pins in by_shift.items():
        cap = problem.shift(shift_id).max_staff
        if len(pins) > cap:
            found.append(_conflict("H2", f"{len(pins)} pins on {shift_id}, max_staff is {cap}", pins))
    for member_id, pins in by_member.items():
        found.extend(_member_conflicts(problem, member_id, pins))
    return found


def _member_conflicts(problem: Problem, member_id: str, pins) -> list[dict]:
    member = problem.member(member_id)
    found = []
    ordered = sorted(pins, key=lambda p: problem.shift(p.shift).start)
    for i, a in enumerate(ordered):
        sa = problem.shift(a.shift)
        for b in ordered[i + 1:]:
            sb = problem.shift(b.shift)
            if sb.start >= sa.end + member.min_rest_minutes:
                break
            what = "overlap" if sb.start < sa.end else "leave less than the minimum rest"
            found.append(_conflict("H5", f"pins of {member_id} on {a.shift} and {b.shift} {what}", [a, b]))
    if member.max_shifts is not None and len(pins) > member.max_shifts:
        found.append(_conflict("H6", f"{len(pins)} pins for {member_id}, max_shifts is {member.max_shifts}", pins))
    minutes = sum(problem.shift(p.shift).minutes for p in pins)
    if member.max_minutes is not None and minutes > member.max_minutes:
        found.append(_conflict("H6", f"pins give {member_id} {minutes} minutes, max_minutes is "
                                     f"{member.max_minutes}", pins))
    per_duty = defaultdict(list)
    for p in pins:
        per_duty[problem.shift(p.shift).duty].append(p)
    for duty_id, duty_pins in per_duty.items():
        cap = problem.duty_by_id[duty_id].max_per_member
        if cap is not None and len(duty_pins) > cap:
            found.append(_conflict("H6", f"{len(duty_pins)} {duty_id} pins for {member_id}, "
                                         f"max_per_member is {cap}", duty_pins))
    found.extend(_consecutive_conflicts(problem, member, ordered))
    return found


def _consecutive_conflicts(problem, member, ordered_pins) -> list[dict]:
    by_day = defaultdict(list)
    for p in ordered_pins:
        by_day[problem.shift(p.shift).start_date].append(p)
    days = sorted(by_day)
    found, run = [], []
    for day in days:
        run = run + [day] if run and (day - run[-1]).days == 1 else [day]
        if len(run) == member.max_consecutive_days + 1:
            pins = [p for d in run for p in by_day[d]]
            found.append(_conflict("H7", f"pins give {member.id} shifts on {len(run)} consecutive "
                                         f"dates, max is {member.max_consecutive_days}", pins))
    return found
