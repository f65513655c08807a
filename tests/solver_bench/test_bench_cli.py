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
