"""``python -m solver.bench curve``: community weeks solved by the command line, time to a proven gap."""

import json
import os
import subprocess
import sys
from pathlib import Path

from solver.bench import speed

ROOT = Path(__file__).resolve().parents[2]


def test_curve_solves_by_the_command_line_and_reports_each_week(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "solver.bench", "curve", "--seeds", "1", "--time-limit", "5",
                                "--gap", "0.5", "--output-dir", str(tmp_path)], cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    rows = [line for line in completed.stdout.splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[9] == "gap" and cells[11] == "yes"   # stopped by the 50% gap, roster valid
    assert float(cells[3]) > 0                        # the process's CPU seconds
    solution = json.loads((tmp_path / "community-1.solution.json").read_text(encoding="utf-8"))
    assert solution["stats"]["gap_target"] == 0.5
    assert "stopped by the gap on 1 of 1 weeks" in completed.stdout


def test_tree_memory_counts_this_process():
    assert speed.tree_rss_mb(os.getpid()) > 10


def test_groups_prints_each_groups_column_generation_in_cpu_seconds():
    completed = subprocess.run([sys.executable, "-m", "solver.bench", "groups", "--communities", "4", "--groups", "0,1",
                                "--search", "0.5", "--seconds", "60"], cwd=ROOT, capture_output=True, text=True,
                               timeout=300)
    assert completed.returncode == 0, completed.stderr
    rows = [line for line in completed.stdout.splitlines() if line.startswith("| 0 |") or line.startswith("| 1 |")]
    assert len(rows) == 2
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert int(cells[4]) >= 1 and cells[5] == "yes"     # rounds; converged within 60 s
        assert int(cells[6].replace(",", "")) > 0 and float(cells[7]) > 0
    assert "CPU in all:" in completed.stdout
