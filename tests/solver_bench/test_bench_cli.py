"""The ``python -m solver.bench`` command line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from solver import load_problem

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "solver.bench", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_generate_writes_a_valid_problem(tmp_path):
    target = tmp_path / "problem.json"
    completed = _run("generate", "--communities", "2", "--members", "30-40", "--seed", "5", "-o", str(target))
    assert completed.returncode == 0, completed.stderr
    document = json.loads(target.read_text(encoding="utf-8"))
    problem = load_problem(document)
    assert 60 <= len(problem.members) <= 80


def test_generate_to_stdout_is_deterministic():
    first = _run("generate", "--members", "20", "--seed", "2")
    second = _run("generate", "--members", "20", "--seed", "2")
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_no_django_in_the_bench():
    code = ("import sys, solver.bench.run, solver.bench.greedy, solver.bench.plain, solver.bench.worker; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


@pytest.mark.slow
def test_quick_run_prints_a_table_of_valid_results(tmp_path):
    pytest.importorskip("solver.solve", reason="the optimizer's solve() has not landed yet")
    completed = _run("run", "--quick", "--output-dir", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    table = completed.stdout
    for case in ("community-week s1", "district-week s1", "repair s1"):
        assert f"| {case} |" in table
    assert "**NO**" not in table and "error" not in table
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert all(row["solver"]["valid"] and row["greedy"]["valid"] for row in results)


@pytest.mark.slow
def test_prices_prints_the_sweep_bound_at_the_tangents_and_after_a_step(tmp_path):
    """Issue 29's price step, measured on a small generated district (six communities that share members) and
    a 3 s roster of it: every bound it prints is a lower bound, at most the roster's objective."""
    from solver import solution_to_dict, solve
    from solver.bench.generate import generate_problem

    document = generate_problem(communities=6, members_per_community=(20, 24), seed=4)
    (tmp_path / "problem.json").write_text(json.dumps(document), encoding="utf-8")
    solution = solve(load_problem(document), time_limit=3, seed=1)
    (tmp_path / "roster.json").write_text(json.dumps(solution_to_dict(solution)), encoding="utf-8")
    completed = _run("prices", "--problem", str(tmp_path / "problem.json"), "--solution",
                     str(tmp_path / "roster.json"), "--thetas", "0.5,1")
    assert completed.returncode == 0, completed.stderr
    head, *rows = [line for line in completed.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    assert head.startswith("| prices | bound |")
    assert [row.split(" | ")[0] for row in rows] == ["| tangents at the roster's loads", "| one step, θ 0.5",
                                                      "| one step, θ 1"]
    priced = int(completed.stdout.split(" members priced")[0].split(", ")[-1])
    assert priced > 0, completed.stdout    # the groups share members: a step has prices to move
    for row in rows:
        bound = int(row.split(" | ")[1].replace(",", ""))
        assert bound <= solution.objective, completed.stdout
