"""The greedy baseline and the plain model produce valid rosters (checked by solver.check)."""

import pytest

from solver import check_solution, load_problem
from solver.bench.generate import generate_problem, make_repair_scenario
from solver.bench.greedy import greedy_roster
from solver.bench.plain import plain_solve


def _check(document, assignments):
    report = check_solution(load_problem(document), assignments)
    assert report.valid, [str(v) for v in report.violations][:5]
    return report


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_community_week_is_valid_and_fully_staffed(seed):
    document = generate_problem(communities=1, members_per_community=(60, 120), seed=seed)
    report = _check(document, greedy_roster(document))
    assert report.breakdown["unfilled"] <= 2


def test_greedy_small_district_is_valid():
    document = generate_problem(communities=4, members_per_community=(60, 80), seed=9)
    _check(document, greedy_roster(document))


def test_greedy_scarce_members_leaves_shifts_unfilled_but_valid():
    document = generate_problem(communities=1, members_per_community=12, seed=5)
    report = _check(document, greedy_roster(document))
    assert report.breakdown["unfilled"] > 0


def test_greedy_honours_pins_and_forbids():
    document = generate_problem(communities=1, members_per_community=70, seed=6)
    first = greedy_roster(document)
    dropped = first[0]
    document["forbid"] = [dropped]
    # Pin someone who is not normally eligible: pins override H3 and H4.
    frail = next(m for m in document["members"] if m["health"] == "frail")
    visit = next(s for s in document["shifts"] if s["duty"] == "visiting")
    pin = {"shift": visit["id"], "member": frail["id"]}
    document["pins"] = [pin]
    again = greedy_roster(document)
    assert dropped not in again
    assert pin in again
    _check(document, again)


def test_greedy_repair_keeps_what_it_can():
    document = generate_problem(communities=1, members_per_community=80, seed=2)
    first = greedy_roster(document)
    repaired = make_repair_scenario(document, first, seed=2)
    second = greedy_roster(repaired)
    _check(repaired, second)
    kept = {(a["shift"], a["member"]) for a in first} & {(a["shift"], a["member"]) for a in second}
    assert len(kept) >= len(first) - 6


def _tiny(seed):
    document = generate_problem(communities=1, members_per_community=12, seed=seed)
    document["shifts"] = document["shifts"][:8]
    used = {s.get("visit_target") for s in document["shifts"]}
    document["visit_targets"] = [t for t in document["visit_targets"] if t["id"] in used]
    return document


@pytest.mark.parametrize("seed", [1, 2])
def test_plain_model_on_a_tiny_instance_is_valid_exact_and_no_worse_than_greedy(seed):
    document = _tiny(seed)
    result = plain_solve(document, time_limit=5, workers=2, seed=0)
    assert result["status"] == "OPTIMAL"
    report = _check(document, result["assignments"])
    assert report.objective == result["objective"]
    assert result["bound"] == result["objective"]
    assert result["objective"] <= _check(document, greedy_roster(document)).objective


def test_plain_model_repair_counts_stability():
    document = _tiny(3)
    first = plain_solve(document, time_limit=5, workers=2)
    repaired = make_repair_scenario(document, first["assignments"], seed=3)
    second = plain_solve(repaired, time_limit=5, workers=2)
    report = _check(repaired, second["assignments"])
    assert report.objective == second["objective"]
    previous = {(a["shift"], a["member"]) for a in first["assignments"]}
    now = {(a["shift"], a["member"]) for a in second["assignments"]}
    assert report.breakdown["stability"] == len(previous - now)
