"""Re-planning with ``previous``, the district (LNS) path and the heuristic fallback."""

import importlib
import random

from solver import check_solution, load_problem, solve
from tests.solver.factory import at, member, problem, random_document, shift

# The package re-exports solve(), which hides the module of the same name.
solve_module = importlib.import_module("solver.solve")


def week(n_members=6, **member_fields):
    people = [member(f"m{i}", history_minutes=60 * i, **member_fields) for i in range(n_members)]
    jobs = [shift(f"d{d}h{h}", at(d, f"{h:02d}:00"), at(d, f"{h + 2:02d}:00"), min_staff=1, max_staff=2)
            for d in range(5) for h in (9, 14)]
    return people, jobs


def test_sick_member_forces_only_their_own_shifts_to_move():
    people, jobs = week()
    first = solve(problem(members=people, shifts=jobs), time_limit=5)
    sick = first.assignments[0][1]
    previous = [{"shift": s, "member": m} for s, m in first.assignments]
    for person in people:
        if person["id"] == sick:
            person["unavailable"] = [{"start": at(0, "00:00"), "end": at(2, "00:00")}]
    p = problem(members=people, shifts=jobs, previous=previous)
    again = solve(p, time_limit=5)
    assert check_solution(p, again).valid
    lost = set(first.assignments) - set(again.assignments)
    forced = {(s, m) for s, m in first.assignments if m == sick and p.shift(s).start < 2 * 1440}
    assert lost == forced
    assert again.breakdown["stability"] == len(forced)


def test_district_path_gives_a_valid_roster(monkeypatch):
    monkeypatch.setattr(solve_module, "LARGE_COMPONENT_SHIFTS", 5)
    doc = random_document(random.Random(7), members=14, shifts=16, communities=3)
    p = load_problem(doc)
    solution = solve(p, time_limit=4)
    report = check_solution(p, solution)
    assert report.valid and report.objective == solution.objective
    assert solution.bound <= solution.objective


def test_very_short_time_limit_still_returns_a_valid_roster():
    people, jobs = week(12)
    p = problem(members=people, shifts=jobs)
    solution = solve(p, time_limit=0.05)
    assert solution.status in ("FEASIBLE", "OPTIMAL")
    assert check_solution(p, solution).valid
