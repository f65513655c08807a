"""Two models written apart must agree: the plain model's optimum equals the optimizer's on tiny instances."""

import pytest

from solver import load_problem, solve
from solver.bench.generate import generate_problem, make_repair_scenario
from solver.bench.plain import plain_solve


def _tiny(seed, *, members, shifts):
    document = generate_problem(communities=1, members_per_community=members, seed=seed)
    document["shifts"] = document["shifts"][:shifts]
    used = {s.get("visit_target") for s in document["shifts"]}
    document["visit_targets"] = [t for t in document["visit_targets"] if t["id"] in used]
    return document


def _both_optimal(document):
    plain = plain_solve(document, time_limit=20, workers=2)
    ours = solve(load_problem(document), time_limit=20, workers=2, seed=0, gap=0)
    if plain["status"] != "OPTIMAL" or ours.status != "OPTIMAL":
        pytest.skip(f"not both proved optimal in time: plain {plain['status']}, solver {ours.status}")
    return plain, ours


@pytest.mark.parametrize(("seed", "members", "shifts"), [(1, 12, 8), (4, 10, 14), (7, 10, 14)])
def test_same_optimum(seed, members, shifts):
    plain, ours = _both_optimal(_tiny(seed, members=members, shifts=shifts))
    assert plain["objective"] == ours.objective


def test_same_optimum_when_repairing_with_pins_and_forbids():
    document = _tiny(3, members=12, shifts=10)
    first = plain_solve(document, time_limit=20, workers=2)
    repaired = make_repair_scenario(document, first["assignments"], seed=3)
    repaired["pins"] = first["assignments"][:1]
    repaired["forbid"] = first["assignments"][-1:]
    plain, ours = _both_optimal(repaired)
    assert plain["objective"] == ours.objective
