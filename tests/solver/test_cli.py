"""``python -m solver``: exit codes and one-line messages."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.solver.factory import at, document, member, shift

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    done = subprocess.run([sys.executable, "-m", "solver", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data)
    return path


def test_malformed_problem_exits_2_naming_the_field(tmp_path):
    doc = document(shifts=[shift("s1", at(0, "09:00"), at(0, "11:00")), shift("s2", at(0, "09:00"), at(0, "08:00")),
                           shift("s3", at(0, "09:00"), at(0, "11:00")), shift("s4", at(0, "10:00"), at(0, "09:00"))])
    doc["shifts"][1]["end"] = at(0, "10:00")
    code, out, err = run("solve", write(tmp_path / "p.json", doc))
    assert code == 2 and out == ""
    assert err == "shifts[3].end: must be after start\n"


def test_unreadable_inputs_exit_2_with_one_line(tmp_path):
    for name, content in [("bad.json", "{"), ("missing.json", None)]:
        path = tmp_path / name
        if content is not None:
            path.write_text(content)
        code, _, err = run("solve", path)
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    code, _, err = run("solve")
    assert code == 2 and err.count("\n") == 1


def test_valid_problem_round_trips_through_check(tmp_path):
    doc = document(members=[member("m1"), member("m2")])
    problem = write(tmp_path / "p.json", doc)
    code, _, err = run("solve", problem, "-o", tmp_path / "s.json",
                       "--time-limit", "3", "--workers", "1", "--seed", "3", "--gap", "0")
    assert code == 0, err
    solution = json.loads((tmp_path / "s.json").read_text())
    assert solution["format"] == "roster-solution/1" and solution["status"] == "OPTIMAL"
    assert run("check", problem, tmp_path / "s.json")[0] == 0
    solution["objective"] += 1
    code, out, _ = run("check", problem, write(tmp_path / "wrong.json", solution))
    assert code == 1 and "objective" in out
    solution["objective"] -= 1
    solution["assignments"].append({"shift": "s1", "member": "m1"})
    code, out, _ = run("check", problem, write(tmp_path / "dup.json", solution))
    assert code == 1 and out.startswith("H")
    solution["extra"] = 1
    code, _, err = run("check", problem, write(tmp_path / "unknown.json", solution))
    assert code == 2 and "extra" in err


def test_solve_writes_to_stdout_by_default(tmp_path):
    code, out, _ = run("solve", write(tmp_path / "p.json", document()), "--time-limit", "2")
    assert code == 0 and json.loads(out)["assignments"] == [{"shift": "s1", "member": "m1"}]


def _solve_district_on(cpus, tmp_path):
    """``python -m solver solve`` of a small district (10 communities, 426 shifts) with no ``--processes``,
    allowed to run on ``cpus`` only (as ``taskset`` or a container's cpuset allows)."""
    from solver.bench.generate import generate_problem

    district = generate_problem(communities=10, members_per_community=(20, 24), seed=4)
    problem = write(tmp_path / "district.json", district)
    done = subprocess.run(["taskset", "-c", ",".join(map(str, cpus)), sys.executable, "-m", "solver", "solve",
                           problem, "-o", tmp_path / "s.json", "--time-limit", "6", "--workers", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert run("check", problem, tmp_path / "s.json")[0] == 0
    return json.loads((tmp_path / "s.json").read_text())["stats"]


def test_a_district_uses_the_cpus_it_may_run_on_unless_told(tmp_path):
    available = sorted(os.sched_getaffinity(0))
    assert _solve_district_on(available[:1], tmp_path)["lns_processes"] == 1
    if len(available) >= 2:
        assert _solve_district_on(available[:2], tmp_path)["lns_processes"] == 2
