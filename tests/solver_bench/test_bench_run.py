"""The runner's arithmetic and reporting, without solving anything."""

import pytest

from solver.bench.generate import generate_problem, make_repair_scenario
from solver.bench.run import Row, _changes, gaps, markdown
from solver.bench.worker import peak_rss_mb


def test_gap_of_the_objective_and_of_its_non_constant_part():
    total, movable = gaps(1_100, 1_000, constant=900)
    assert total == pytest.approx(100 / 1_100)
    assert movable == pytest.approx(100 / 200)
    assert gaps(None, 1_000, 900) == (None, None)
    assert gaps(1_000, 1_000, 1_000) == (0.0, 0.0)


def test_repair_changes_count_removed_and_added_pairs():
    document = generate_problem(communities=1, members_per_community=60, seed=8)
    previous = [{"shift": s["id"], "member": document["members"][i]["id"]}
                for i, s in enumerate(document["shifts"][:6])]
    repaired = make_repair_scenario(document, previous, seed=1)
    row = Row(case="repair", members=60, shifts=len(document["shifts"]), constant=0,
              solver={"status": "FEASIBLE", "assignments": previous[1:] + [{"shift": "x", "member": "y"}]},
              greedy={"status": "ERROR"})
    changes = _changes(repaired, row)
    assert changes["previous"] == 6
    assert changes["forced"] >= 1
    assert (changes["solver_removed"], changes["solver_added"]) == (1, 1)
    assert "greedy_removed" not in changes


def test_markdown_shows_every_case_and_flags_invalid_rosters():
    good = {"status": "OPTIMAL", "objective": 120, "bound": 120, "valid": True, "objective_matches": True,
            "first_solution_seconds": 0.1, "wall_seconds": 0.5, "peak_rss_mb": 120.0}
    bad = dict(good, valid=False)
    rows = [Row(case="community-week s1", members=80, shifts=45, constant=100, solver=good, greedy=bad)]
    table = markdown(rows)
    assert "| community-week s1 | 80 | 45 | OPTIMAL |" in table
    assert "0.00%" in table and "**NO**" in table
    assert table.startswith("Machine: ")


def test_peak_rss_is_measured():
    assert 5 < peak_rss_mb() < 100_000
