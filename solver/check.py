"""Independent solution checker.

Written apart from the CP-SAT model on purpose: plain loops over the assignments,
recomputing H1-H9, the objective's breakdown and the ``unfilled`` report
straight from the spec text.  It shares no code with ``solver.model`` and only
the dataclasses with the rest of the package (the grid, and the weighted sum of
the terms, ``Weights.objective``, live with them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from solver.problem import GRID, Problem
from solver.solution import Solution, Unfilled

_HEALTH = {"frail": 0, "limited": 1, "good": 2}
_ORDER = ("community", "forbidden", "age", "night_age", "health", "skill",
          "caregiving", "unavailable")


# Machine-readable reason of a violation, so callers never read the message text. H3/H4 carry the first failing
# eligibility reason in spec order (community .. unavailable); the others name the rule's own case.
CODES = ("unknown", "duplicate", "full", "community", "forbidden", "age", "night_age", "health", "skill",
         "caregiving", "unavailable", "overlap", "rest", "limit", "consecutive", "lead", "pin_missing")


@dataclass(frozen=True)
class Violation:
    rule: str
    shift: str | None
    member: str | None
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass
class CheckReport:
    violations: list[Violation] = field(default_factory=list)
    objective: int | None = None
    breakdown: dict[str, int] = field(default_factory=dict)
    unfilled: list[Unfilled] = field(default_factory=list)
    reported_objective: int | None = None

    @property
    def valid(self) -> bool:
        return not self.violations

    @property
    def objective_matches(self) -> bool:
        return self.reported_objective == self.objective

    @property
    def ok(self) -> bool:
        return self.valid and self.objective_matches


def _pairs_of(solution_or_assignments) -> tuple[list[tuple[str, str]], int | None]:
    if isinstance(solution_or_assignments, Solution):
        return list(solution_or_assignments.assignments), solution_or_assignments.objective
    pairs = []
    for item in solution_or_assignments:
        if isinstance(item, dict):
            pairs.append((item["shift"], item["member"]))
        else:
            pairs.append((item[0], item[1]))
    return pairs, None


# ---------------------------------------------------------------- facts (own copies)

def _age(birth: date, on: date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def _clock(problem: Problem, minutes: int) -> tuple[date, int]:
    return problem.horizon_start + timedelta(days=minutes // 1440), minutes % 1440


def _night(problem: Problem, shift) -> bool:
    ns, ne = problem.rules.night_start, problem.rules.night_end
    day0, _ = _clock(problem, shift.start)
    day = day0 - timedelta(days=1)
    last, _ = _clock(problem, shift.end - 1)
    while day <= last:
        base = (day - problem.horizon_start).days * 1440
        w_start = base + ns
        w_end = base + ne if ne > ns else base + 1440 + ne
        if shift.start < w_end and w_start < shift.end:
            return True
        day += timedelta(days=1)
    return False


def _in_caregiving(problem: Problem, member, shift) -> bool:
    day, _ = _clock(problem, shift.start)
    last, _ = _clock(problem, shift.end - 1)
    while day <= last:
        base = (day - problem.horizon_start).days * 1440
        for window in member.caregiving:
            if day.weekday() in window.days:
                if shift.start < base + window.end and base + window.start < shift.end:
                    return True
        day += timedelta(days=1)
    return False


def _in_unavailable(member, shift) -> bool:
    for period in member.unavailable:
        if shift.start < period.end and period.start < shift.end:
            return True
    return False


def _reason(problem: Problem, shift, member, forbidden: bool) -> str | None:
    if shift.community not in member.communities:
        return "community"
    if forbidden:
        return "forbidden"
    duty = problem.duty_by_id[shift.duty]
    age = _age(member.birth_date, shift.start_date)
    if duty.min_age is not None and age < duty.min_age:
        return "age"
    if duty.max_age is not None and age > duty.max_age:
        return "age"
    if duty.night_max_age is not None and age > duty.night_max_age and _night(problem, shift):
        return "night_age"
    if _HEALTH[member.health] < _HEALTH[duty.min_health]:
        return "health"
    for skill in duty.required_skills:
        if skill not in member.skills:
            return "skill"
    if _in_caregiving(problem, member, shift):
        return "caregiving"
    if _in_unavailable(member, shift):
        return "unavailable"
    return None


# ---------------------------------------------------------------- hard rules

def _check_pairs(problem, pairs, out):
    """H1 and H2; returns the valid, de-duplicated pairs."""
    seen = set()
    kept = []
    for shift_id, member_id in pairs:
        if shift_id not in problem.shift_index:
            out.append(Violation("H1", shift_id, member_id, f"unknown shift '{shift_id}'", "unknown"))
            continue
        if member_id not in problem.member_index:
            out.append(Violation("H1", shift_id, member_id, f"unknown member '{member_id}'", "unknown"))
            continue
        if (shift_id, member_id) in seen:
            out.append(Violation("H1", shift_id, member_id,
                                 f"{member_id} is assigned to {shift_id} twice", "duplicate"))
            continue
        seen.add((shift_id, member_id))
        kept.append((shift_id, member_id))
    return kept


def _check_staffing(problem, by_shift, out):
    for shift_id, members in by_shift.items():
        shift = problem.shift(shift_id)
        if len(members) > shift.max_staff:
            out.append(Violation("H2", shift_id, None,
                                 f"{shift_id} has {len(members)} people, max_staff is {shift.max_staff}", "full"))
        duty = problem.duty_by_id[shift.duty]
        if duty.lead_skill and members:
            if not any(duty.lead_skill in problem.member(m).skills for m in members):
                out.append(Violation("H8", shift_id, None,
                                     f"{shift_id} has no member with lead skill '{duty.lead_skill}'", "lead"))


def _check_eligibility(problem, pairs, pinned, out):
    for shift_id, member_id in pairs:
        if (shift_id, member_id) in pinned:
            continue
        reason = _reason(problem, problem.shift(shift_id), problem.member(member_id), False)
        if reason in ("caregiving", "unavailable"):
            out.append(Violation("H4", shift_id, member_id,
                                 f"{member_id} is not available for {shift_id} ({reason})", reason))
        elif reason is not None:
            out.append(Violation("H3", shift_id, member_id,
                                 f"{member_id} is not eligible for {shift_id} ({reason})", reason))


def _check_member(problem, member_id, shift_ids, out):
    member = problem.member(member_id)
    shifts = sorted((problem.shift(s) for s in shift_ids), key=lambda s: (s.start, s.end))
    for a, b in zip(shifts, shifts[1:], strict=False):
        if b.start < a.end:
            out.append(Violation("H5", b.id, member_id, f"{member_id}: {a.id} overlaps {b.id}", "overlap"))
        elif b.start - a.end < member.min_rest_minutes:
            out.append(Violation("H5", b.id, member_id,
                                 f"{member_id}: only {b.start - a.end} min rest between {a.id} and {b.id},"
                                 f" needs {member.min_rest_minutes}", "rest"))
    if member.max_shifts is not None and len(shifts) > member.max_shifts:
        out.append(Violation("H6", None, member_id,
                             f"{member_id} has {len(shifts)} shifts, max_shifts is {member.max_shifts}", "limit"))
    minutes = sum(s.end - s.start for s in shifts)
    if member.max_minutes is not None and minutes > member.max_minutes:
        out.append(Violation("H6", None, member_id,
                             f"{member_id} has {minutes} minutes, max_minutes is {member.max_minutes}", "limit"))
    per_duty = defaultdict(int)
    for s in shifts:
        per_duty[s.duty] += 1
    for duty_id, count in per_duty.items():
        cap = problem.duty_by_id[duty_id].max_per_member
        if cap is not None and count > cap:
            out.append(Violation("H6", None, member_id,
                                 f"{member_id} has {count} {duty_id} shifts, max_per_member is {cap}", "limit"))
    _check_consecutive(member, sorted({s.start_date for s in shifts}), out)


def _check_consecutive(member, days, out):
    run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        previous = day
        if run == member.max_consecutive_days + 1:
            out.append(Violation("H7", None, member.id,
                                 f"{member.id} starts shifts on {run} consecutive dates up to {day},"
                                 f" max is {member.max_consecutive_days}", "consecutive"))


def _check_pins(problem, pair_set, out):
    for pin in problem.pins:
        if (pin.shift, pin.member) not in pair_set:
            out.append(Violation("H9", pin.shift, pin.member,
                                 f"pinned pair ({pin.shift}, {pin.member}) is missing", "pin_missing"))
    for pair in problem.forbid:
        if (pair.shift, pair.member) in pair_set:
            out.append(Violation("H9", pair.shift, pair.member,
                                 f"forbidden pair ({pair.shift}, {pair.member}) is present", "forbidden"))


# ---------------------------------------------------------------- objective

def _breakdown(problem, by_shift, by_member, pair_set):
    unfilled = 0
    continuity = 0
    for shift in problem.shifts:
        staffed = len(by_shift.get(shift.id, ()))
        unfilled += max(0, shift.min_staff - staffed)
        if shift.visit_target is not None and staffed >= 1:
            preferred = set(problem.target_by_id[shift.visit_target].preferred_visitors)
            if not preferred.intersection(by_shift[shift.id]):
                continuity += 1
    stability = sum(1 for p in problem.previous
                    if p.shift in problem.shift_index and (p.shift, p.member) not in pair_set)
    preference = 0
    fairness = 0
    for member in problem.members:
        assigned = 0
        for shift_id in by_member.get(member.id, ()):
            shift = problem.shift(shift_id)
            assigned += shift.end - shift.start
            for duty_id, cost in member.duty_preferences:
                if duty_id == shift.duty:
                    preference += cost
            for weekday, cost in member.weekday_preferences:
                if weekday == shift.start_date.weekday():
                    preference += cost
        units = (member.history_minutes + assigned) // GRID
        fairness += units * units
    return {"unfilled": unfilled, "stability": stability, "continuity": continuity,
            "preference": preference, "fairness": fairness}


def unfilled_report(problem, by_shift) -> list[Unfilled]:
    forbidden = {(p.shift, p.member) for p in problem.forbid}
    report = []
    for shift in problem.shifts:
        staffed = len(by_shift.get(shift.id, ()))
        if staffed >= shift.min_staff:
            continue
        excluded: dict[str, int] = {}
        eligible = 0
        for member in problem.members:
            reason = _reason(problem, shift, member, (shift.id, member.id) in forbidden)
            if reason is None:
                eligible += 1
            else:
                excluded[reason] = excluded.get(reason, 0) + 1
        ordered = {k: excluded[k] for k in _ORDER if k in excluded}
        report.append(Unfilled(shift.id, shift.min_staff - staffed, eligible, ordered))
    return report


# ---------------------------------------------------------------- entry points

def find_violations(problem: Problem, assignments) -> list[Violation]:
    """H1-H9 only, without recomputing the objective or the unfilled report."""
    return _violations(problem, _pairs_of(assignments)[0])[0]


def _violations(problem, pairs):
    violations: list[Violation] = []
    kept = _check_pairs(problem, pairs, violations)
    by_shift, by_member = defaultdict(list), defaultdict(list)
    for shift_id, member_id in kept:
        by_shift[shift_id].append(member_id)
        by_member[member_id].append(shift_id)
    pair_set = set(kept)
    pinned = {(p.shift, p.member) for p in problem.pins}
    _check_staffing(problem, by_shift, violations)
    _check_eligibility(problem, kept, pinned, violations)
    for member_id, shift_ids in by_member.items():
        _check_member(problem, member_id, shift_ids, violations)
    _check_pins(problem, pair_set, violations)
    return violations, by_shift, by_member, pair_set


def check_solution(problem: Problem, solution_or_assignments) -> CheckReport:
    """Check H1-H9 and recompute objective, breakdown and unfilled.

    Accepts a ``Solution`` or an iterable of (shift, member) pairs / dicts.
    """
    pairs, reported = _pairs_of(solution_or_assignments)
    violations, by_shift, by_member, pair_set = _violations(problem, pairs)
    breakdown = _breakdown(problem, by_shift, by_member, pair_set)
    return CheckReport(violations, problem.weights.objective(breakdown), breakdown,
                       unfilled_report(problem, by_shift), reported)


def member_violations(problem: Problem, assignments, member_id: str) -> list[Violation]:
    """Violations involving one member: their pairs (H1, H3-H7, H9) and the shifts they touch (H2, H8).

    Cheap enough to call once per candidate in a swap form.
    """
    pairs, _ = _pairs_of(assignments)
    out: list[Violation] = []
    mine = [(s, m) for s, m in pairs if m == member_id]
    kept = _check_pairs(problem, mine, out)
    touched = {s for s, _ in kept}
    by_shift = defaultdict(list)
    for shift_id, m in pairs:
        if shift_id in touched and m in problem.member_index:
            if m == member_id or (shift_id, m) not in by_shift.get(shift_id, ()):
                by_shift[shift_id].append(m)
    by_shift = {s: list(dict.fromkeys(ms)) for s, ms in by_shift.items()}
    _check_staffing(problem, by_shift, out)
    pinned = {(p.shift, p.member) for p in problem.pins}
    _check_eligibility(problem, kept, pinned, out)
    if kept:
        _check_member(problem, member_id, [s for s, _ in kept], out)
    pair_set = set(kept)
    for pin in problem.pins:
        if pin.member == member_id and (pin.shift, pin.member) not in pair_set:
            out.append(Violation("H9", pin.shift, member_id,
                                 f"pinned pair ({pin.shift}, {member_id}) is missing", "pin_missing"))
    for bad in problem.forbid:
        if bad.member == member_id and (bad.shift, bad.member) in pair_set:
            out.append(Violation("H9", bad.shift, member_id,
                                 f"forbidden pair ({bad.shift}, {member_id}) is present", "forbidden"))
    return out
