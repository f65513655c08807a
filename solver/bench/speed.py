"""Issue 18's benchmarks: how fast a community week is proven good, and the district at 60 s / 300 s.

``python -m solver.bench curve``: community weeks (seeds 1-9 by default) solved by the command
line, ``python -m solver solve --gap 0.001 --time-limit 10``, one process per solve, so the
figures include process start (imports, reading the document) and writing the solution.
For each week: the process's wall time, the solve's time to its first roster and to a
proven gap of 10%, 1%, 0.5% and 0.1% of the non-constant objective, and the final gap.

``python -m solver.bench district``: the 9,000-member district (100 communities, seed 1) at
60 s with 1, 2 and 4 worker processes, optionally at 300 s, with the objective, the bound, the
gap of the non-constant objective, the continuity misses (visits without a familiar visitor)
and the peak memory of the whole process tree (sampled every 0.25 s from /proc, children
included).

``--baseline REV`` also runs the solver of git revision REV (e.g. the branch point) on the same
instances in the same run, side by side: the machine is shared and its speed moves from
minute to minute, so only figures taken together compare.  Every roster is checked by
``solver.check``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from solver.bench.generate import generate_problem

ROOT = Path(__file__).resolve().parents[2]
CURVE_LEVELS = ("0.1", "0.01", "0.005", "0.001")


def load_text() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (5 min {five:.1f})"


def baseline_tree(revision: str) -> Path:
    """The ``solver`` package of a git revision, extracted into a temporary directory."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision, "solver"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    target = Path(tempfile.mkdtemp(prefix="solver-baseline-"))
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(p) for p in handle.read().split())
    except OSError:
        pass
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss_kib(current)
        stack.extend(_children(current))
    return total / 1024


def run_cli(problem: Path, output: Path, args: list[str], cwd: Path) -> dict:
    """``python -m solver solve`` in its own process: wall seconds, peak tree memory, the solution."""
    command = [sys.executable, "-m", "solver", "solve", str(problem), "-o", str(output), *args]
    env = dict(os.environ, PYTHONPATH=str(cwd))
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, cpu, returncode = 0.0, 0.0, None
    while returncode is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.25)
        # wait4 rather than poll: it also gives the CPU seconds the process (all its threads) used,
        # which a shared machine's load does not inflate the way it inflates wall time.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
    process.returncode = returncode
    wall = time.monotonic() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if returncode != 0:
        raise RuntimeError(f"solver exited {returncode}: {stderr.strip()[-500:]}")
    solution = json.loads(output.read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": cpu, "peak_mb": peak, "solution": solution}


def checked(problem_path: Path, solution: dict) -> dict:
    from solver import check_solution, load_problem_file, load_solution

    problem = load_problem_file(problem_path)
    report = check_solution(problem, load_solution(solution))
    constant = problem.fairness_constant()
    objective, bound = solution["objective"], solution["bound"]
    gap_nc = (objective - bound) / (objective - constant) if objective > constant else 0.0
    return {"valid": report.ok and report.objective == objective, "gap_nc": gap_nc,
            "continuity": solution["breakdown"]["continuity"], "members": len(problem.members),
            "shifts": len(problem.shifts), "constant": constant}


def _seconds(value) -> str:
    return "–" if value is None else f"{value:.2f}"


# ------------------------------------------------------------------ community weeks

def community_curve(*, seeds, time_limit: float, gap: float, output_dir: Path, baseline: str | None) -> str:
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    old_tree = baseline_tree(baseline) if baseline else None
    lines = [f"Load before: {load_text()}.", "",
             "| seed | members / shifts | process wall (s) | process CPU (s) | first roster (s) | 10% (s) | 1% (s) "
             "| 0.5% (s) | 0.1% (s) | stopped by | gap* | valid | load |"
             + (" baseline wall (s) | baseline CPU (s) | baseline gap* |" if old_tree else ""),
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|"
             + ("---:|---:|---:|" if old_tree else "")]
    walls, cpus, reached = [], [], []
    for seed in seeds:
        document = generate_problem(communities=1, members_per_community=(60, 120), seed=seed)
        path = output_dir / f"community-{seed}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        run = run_cli(path, output_dir / f"community-{seed}.solution.json",
                      ["--time-limit", str(time_limit), "--gap", str(gap)], ROOT)
        facts = checked(path, run["solution"])
        stats = run["solution"]["stats"]
        curve = stats.get("time_to_gap", {})
        stopped = stats.get("stopped_by")
        walls.append(run["wall"])
        cpus.append(run["cpu"])
        reached.append(stopped == "gap")
        row = (f"| {seed} | {facts['members']} / {facts['shifts']} | {run['wall']:.2f} | {run['cpu']:.2f} | "
               f"{_seconds(stats.get('time_first_roster'))} | "
               + " | ".join(_seconds(curve.get(level)) for level in CURVE_LEVELS)
               + f" | {stopped} | {facts['gap_nc']:.3%} | {'yes' if facts['valid'] else 'NO'} | {load_text()} |")
        if old_tree:
            old = run_cli(path, output_dir / f"community-{seed}.baseline.json", ["--time-limit", str(time_limit)],
                          old_tree)
            old_facts = checked(path, old["solution"])
            row += f" {old['wall']:.2f} | {old['cpu']:.2f} | {old_facts['gap_nc']:.3%} |"
        lines.append(row)
    lines += ["", f"Process wall time, gap {gap:g}, limit {time_limit:g} s: median {statistics.median(walls):.2f} s, "
              f"max {max(walls):.2f} s; process CPU median {statistics.median(cpus):.2f} s, max {max(cpus):.2f} s; "
              f"stopped by the gap on {sum(reached)} of {len(reached)} weeks."]
    return "\n".join(lines)


# ------------------------------------------------------------------ district

def district(*, limits, processes, output_dir: Path, baseline: str | None) -> str:
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / "district-1.json"
    if not path.exists():
        document = generate_problem(communities=100, members_per_community=(80, 100), seed=1)
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    old_tree = baseline_tree(baseline) if baseline else None
    lines = ["| solver | limit (s) | processes | process wall (s) | objective | bound | gap* | continuity misses "
             "| peak memory (MB, all processes) | process CPU (s) | valid | load after |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for limit in limits:
        runs = []
        for count in processes:     # the baseline beside each process count, just before it (the load moves)
            args = ["--time-limit", str(limit), "--processes", str(count)]
            if old_tree:
                runs.append((f"baseline {baseline}", count, old_tree, args))
            runs.append(("this branch", count, ROOT, args))
        for name, count, tree, args in runs:
            out = output_dir / f"district-{limit:g}-{count}-{'base' if tree != ROOT else 'new'}.solution.json"
            run = run_cli(path, out, args, tree)
            facts = checked(path, run["solution"])
            solution = run["solution"]
            lines.append(f"| {name} | {limit:g} | {count} | {run['wall']:.1f} | {solution['objective']:,} | "
                         f"{solution['bound']:,} | {facts['gap_nc']:.2%} | {facts['continuity']} | "
                         f"{run['peak_mb']:.0f} | {run['cpu']:.0f} | {'yes' if facts['valid'] else 'NO'} | "
                         f"{load_text()} |")
    return "\n".join(lines)


# ------------------------------------------------------------------ issue 29: one run, optionally beside busy processes

WHOLE_DISTRICT = {"communities": 101, "members_per_community": (90, 112), "seed": 2}   # ~10,200 members


def _busy(count: int) -> list[subprocess.Popen]:
    """``count`` processes that only burn CPU, like other work on a shared machine or queue worker."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def overview(*, busy: int, limit: float, processes, output_dir: Path) -> str:
    """Community weeks (seeds 1-9), the 9,000-member district with each process count, and the
    ~10,000-member district with the last one, with ``busy`` CPU-bound processes running beside."""
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    burners = _busy(busy)
    try:
        lines = [f"### {busy} busy processes beside the solver", "", "Community weeks:", "",
                 community_curve(seeds=range(1, 10), time_limit=10.0, gap=0.001, output_dir=output_dir / "curve",
                                 baseline=None), "", f"Districts at {limit:g} s:", "",
                 district(limits=[limit], processes=processes, output_dir=output_dir / "district", baseline=None)]
        path = output_dir / "district-whole.json"
        if not path.exists():
            path.write_text(json.dumps(generate_problem(**WHOLE_DISTRICT), ensure_ascii=False), encoding="utf-8")
        count = processes[-1]
        run = run_cli(path, output_dir / "district-whole.solution.json",
                      ["--time-limit", str(limit), "--processes", str(count)], ROOT)
        facts, solution = checked(path, run["solution"]), run["solution"]
        lines.append(f"| whole district ({facts['members']:,} members, {WHOLE_DISTRICT['communities']} communities) "
                     f"| {limit:g} | {count} | {run['wall']:.1f} | {solution['objective']:,} | {solution['bound']:,} "
                     f"| {facts['gap_nc']:.2%} | {facts['continuity']} | {run['peak_mb']:.0f} | {run['cpu']:.0f} "
                     f"| {'yes' if facts['valid'] else 'NO'} | {load_text()} |")
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    return "\n".join(lines)
