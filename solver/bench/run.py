"""The fixed benchmark set of issue 3, measured and printed as Markdown.

Cases:

- community-week x5 (seeds 1-5): one community of 60-120 members, 10 s on
  2 workers; also solved by the greedy baseline and by the plain model
  (same limits).
- district-week x1: 100 communities of 80-100 members (about 9,000), 60 s on
  2 workers; also solved by the greedy baseline.
- repair x5: each community-week's optimized roster becomes ``previous``, one
  member holding shifts falls sick for two days, re-planned within 2 s.

Every solve runs in its own process (``solver.bench.worker``) so that its peak
memory (``ru_maxrss``) is its own. Every roster is checked by ``solver.check``.

Gap definitions. ``gap`` is (objective - bound) / objective. Most of the
objective is a constant nobody can change: each member's fairness term is at
least (history_minutes / 15)^2, the value with no assignment at all. So
``gap*`` is (objective - bound) / (objective - C) with
C = sum over members of (history_minutes / 15)^2, i.e. the gap measured on
the part of the objective a roster can actually influence (unfilled,
stability, continuity, preference and the fairness growth above history).

Machine columns. ``peak RSS`` is the solve process's VmHWM (see
``solver.bench.worker``), including about 100 MB for Python and OR-Tools.
``cores used`` is that process's CPU seconds over its wall seconds (imports
and reading included); a 2-worker solve with its cores to itself shows close
to 2. ``load`` is the 1-minute load average when the solve ended. Both are
there because the benchmark machine may be shared.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from solver.bench.facts import Facts
from solver.bench.generate import generate_problem, make_repair_scenario
from solver.problem import load_problem

logger = logging.getLogger(__name__)

WORKERS = 2


@dataclass(frozen=True)
class Plan:
    community_seeds: tuple[int, ...]
    community_members: int | tuple[int, int]
    community_limit: float
    district_communities: int
    district_members: int | tuple[int, int]
    district_limit: float
    repair_limit: float


FULL = Plan(community_seeds=(1, 2, 3, 4, 5), community_members=(60, 120), community_limit=10.0,
            district_communities=100, district_members=(80, 100), district_limit=60.0,
            repair_limit=2.0)
QUICK = Plan(community_seeds=(1,), community_members=60, community_limit=3.0,
             district_communities=3, district_members=30, district_limit=3.0,
             repair_limit=2.0)


@dataclass
class Row:
    case: str
    members: int
    shifts: int
    constant: int
    solver: dict
    greedy: dict
    plain: dict | None = None
    repair: dict | None = None
    fairness_floor: int = 0  # Σ (history_minutes / 15)², unweighted


# --- measuring ---------------------------------------------------------------

def measure(kind: str, problem_path: Path, *, time_limit: float, seed: int, workers: int = WORKERS) -> dict:
    """Run one solve in a fresh process; return its result dict (``error`` on failure)."""
    result_path = problem_path.with_suffix(f".{kind}.json")
    command = [sys.executable, "-m", "solver.bench.worker", kind, str(problem_path), str(result_path),
               "--time-limit", str(time_limit), "--workers", str(workers), "--seed", str(seed)]
    started = time.monotonic()
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=time_limit * 3 + 300)
    except subprocess.TimeoutExpired:
        return {"error": "timed out", "status": "ERROR"}
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        logger.error("%s on %s failed: %s", kind, problem_path.name, completed.stderr.strip())
        return {"error": tail[0], "status": "ERROR"}
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["process_seconds"] = time.monotonic() - started
    result["cores_used"] = result["cpu_seconds"] / result["process_seconds"]
    return result


def check(problem, result: dict, facts: Facts) -> None:
    """Run ``solver.check`` on a result; add ``valid``, ``violations`` and ``objective``.

    The checker's recomputed objective is the one reported (for the greedy
    baseline it is the only one). The bench's own evaluation is kept as
    ``bench_objective``, a cross-check of the plain model's objective.
    """
    if result.get("status") in ("ERROR", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID"):
        result["valid"] = False
        return
    from solver import check_solution

    report = check_solution(problem, result["assignments"])
    try:
        pairs = {(facts.shift_index[a["shift"]], facts.member_index[a["member"]]) for a in result["assignments"]}
        result["bench_objective"] = facts.evaluate(pairs)["objective"]
    except KeyError:  # an unknown id; the checker reports it as H1
        result["bench_objective"] = None
    result["violations"] = [str(v) for v in report.violations][:20]
    result["valid"] = report.valid
    result["breakdown"] = dict(report.breakdown)
    if result.get("objective") is None:
        result["objective"] = report.objective
    result["objective_matches"] = result["objective"] == report.objective
    if not result["objective_matches"] or result["bench_objective"] != report.objective:
        logger.warning("objective mismatch: reported %s, checker %s, bench %s", result["objective"],
                       report.objective, result["bench_objective"])


def gaps(objective: int | None, bound: int | None, constant: int) -> tuple[float | None, float | None]:
    """(gap of the objective, gap of its non-constant part), as fractions."""
    if objective is None or bound is None:
        return None, None
    total = (objective - bound) / objective if objective else 0.0
    movable = objective - constant
    return total, ((objective - bound) / movable if movable > 0 else 0.0)


# --- the benchmark -----------------------------------------------------------

SETS = ("community", "district", "repair")


def run_benchmark(*, quick: bool = False, output_dir: Path = Path("bench-output"),
                  sets: tuple[str, ...] = SETS) -> list[Row]:
    """Solve the chosen sets and return one row per case (repair needs the community solves)."""
    plan = QUICK if quick else FULL
    output_dir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    community_cases = []
    if "community" in sets or "repair" in sets:
        for seed in plan.community_seeds:
            document = generate_problem(communities=1, members_per_community=plan.community_members, seed=seed)
            row = _solve_case(f"community-week s{seed}", document, output_dir, plan.community_limit, seed,
                              with_plain="community" in sets)
            if "community" in sets:
                rows.append(row)
            community_cases.append((seed, document, row))

    if "district" in sets:
        document = generate_problem(communities=plan.district_communities,
                                    members_per_community=plan.district_members, seed=1)
        rows.append(_solve_case("district-week s1", document, output_dir, plan.district_limit, 1,
                                with_plain=False))

    for seed, document, row in community_cases if "repair" in sets else ():
        if not row.solver.get("valid") or not row.solver.get("assignments"):
            logger.error("repair s%d skipped: no valid community roster to start from", seed)
            continue
        repaired = make_repair_scenario(document, row.solver["assignments"], seed=seed)
        repair_row = _solve_case(f"repair s{seed}", repaired, output_dir, plan.repair_limit, seed,
                                 with_plain=False)
        repair_row.repair = _changes(repaired, repair_row)
        rows.append(repair_row)

    (output_dir / "results.json").write_text(json.dumps([_row_summary(r) for r in rows], indent=1,
                                                        ensure_ascii=False), encoding="utf-8")
    return rows


def _solve_case(name: str, document: dict, output_dir: Path, limit: float, seed: int, *,
                with_plain: bool) -> Row:
    slug = name.replace(" ", "-")
    problem_path = output_dir / f"{slug}.json"
    problem_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    facts = Facts(document)
    problem = load_problem(document)
    row = Row(case=name, members=len(facts.members), shifts=len(facts.shifts),
              constant=problem.fairness_constant(), solver={}, greedy={},
              fairness_floor=problem.fairness_floor())
    logger.info("%s: %d members, %d shifts", name, row.members, row.shifts)
    row.solver = measure("solver", problem_path, time_limit=limit, seed=seed)
    row.greedy = measure("greedy", problem_path, time_limit=limit, seed=seed)
    if with_plain:
        row.plain = measure("plain", problem_path, time_limit=limit, seed=seed)
    for result in (row.solver, row.greedy, row.plain):
        if result is not None:
            check(problem, result, facts)
    return row


def _changes(document: dict, row: Row) -> dict:
    facts = Facts(document)
    eligible = {(s, m) for s, allowed in enumerate(facts.eligible) for m in allowed}
    forced = sum(1 for pair in facts.previous if pair not in eligible)
    previous = {(p["shift"], p["member"]) for p in document["previous"]}
    summary = {"previous": len(previous), "forced": forced}
    for label, result in (("solver", row.solver), ("greedy", row.greedy)):
        if result.get("status") not in ("OPTIMAL", "FEASIBLE"):
            continue  # no roster, so no changes to count
        now = {(a["shift"], a["member"]) for a in result["assignments"]}
        summary[f"{label}_removed"] = len(previous - now)
        summary[f"{label}_added"] = len(now - previous)
    return summary


def _row_summary(row: Row) -> dict:
    def strip(result):
        if result is None:
            return None
        return {k: v for k, v in result.items() if k not in ("assignments", "solution")}
    return {"case": row.case, "members": row.members, "shifts": row.shifts, "constant": row.constant,
            "solver": strip(row.solver), "greedy": strip(row.greedy), "plain": strip(row.plain),
            "repair": row.repair}


# --- Markdown ----------------------------------------------------------------

def _breakdown_table(rows: list[Row]) -> list[str]:
    """Where optimizer and greedy differ: unweighted terms, fairness shown above its constant."""
    lines = ["", "Objective terms, optimizer / greedy (unweighted; fairness as Σu² − Σ(history/15)²):", "",
             "| case | unfilled | stability | continuity | preference | fairness above constant |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        s, g = row.solver.get("breakdown"), row.greedy.get("breakdown")
        if not s or not g:
            continue
        cells = [f"{s[t] - offset:,} / {g[t] - offset:,}" for t, offset in (
            ("unfilled", 0), ("stability", 0), ("continuity", 0), ("preference", 0),
            ("fairness", row.fairness_floor))]
        lines.append(f"| {row.case} | " + " | ".join(cells) + " |")
    return lines


def machine_summary() -> str:
    """One line naming the machine, the software and the commit measured."""
    import datetime as dt
    import os
    import platform

    import ortools

    cpu = memory = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
        with open("/proc/meminfo", encoding="ascii") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal:")))
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"Machine: {os.cpu_count()} CPUs ({cpu}), {memory} RAM; Python {platform.python_version()}, "
            f"OR-Tools {ortools.__version__}; commit {commit}; {when}.")


def _num(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return f"{value:,}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def _status(result: dict) -> str:
    status = result.get("status", "–")
    if result.get("stats", {}).get("proved") is False:
        return f"{status} (not proved: no roster within the limit)"
    return status


def _valid(result: dict | None) -> str:
    if not result:
        return "–"
    if result.get("error"):
        return f"error: {result['error'][:60]}"
    if not result.get("valid"):
        return "**NO**"
    return "yes" if result.get("objective_matches", True) else "yes (objective differs)"


def markdown(rows: list[Row]) -> str:
    lines = [
        machine_summary(), "",
        "| case | members | shifts | status | first solution (s) | final (s) | objective | bound "
        "| gap | gap* | peak RSS (MB) | cores used | load | valid |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        s = row.solver
        gap, movable_gap = gaps(s.get("objective"), s.get("bound"), row.constant)
        lines.append(
            f"| {row.case} | {row.members:,} | {row.shifts:,} | {_status(s)} "
            f"| {_num(s.get('first_solution_seconds'), 2)} | {_num(s.get('wall_seconds'), 2)} "
            f"| {_num(s.get('objective'))} | {_num(s.get('bound'))} | {_pct(gap)} | {_pct(movable_gap)} "
            f"| {_num(s.get('peak_rss_mb'), 0)} | {_num(s.get('cores_used'), 2)} "
            f"| {_num(s.get('load_average'), 1)} | {_valid(s)} |")
    lines += ["", "Comparison (objective; *saved* = share of the greedy roster's non-constant part "
              "the optimizer removes):", "",
              "| case | C (constant) | optimizer | greedy | saved vs greedy | greedy valid "
              "| plain model status | plain objective | plain bound | plain gap | plain gap* | plain first (s) "
              "| plain valid |",
              "|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        s, g, p = row.solver, row.greedy, row.plain or {}
        saved = None
        if s.get("objective") is not None and g.get("objective") is not None and g["objective"] > row.constant:
            saved = (g["objective"] - s["objective"]) / (g["objective"] - row.constant)
        plain_gap, plain_movable_gap = gaps(p.get("objective"), p.get("bound"), row.constant) if p else (None, None)
        lines.append(
            f"| {row.case} | {row.constant:,} | {_num(s.get('objective'))} | {_num(g.get('objective'))} "
            f"| {_pct(saved)} | {_valid(g)} | {p.get('status', '–')} | {_num(p.get('objective'))} "
            f"| {_num(p.get('bound'))} | {_pct(plain_gap)} | {_pct(plain_movable_gap)} "
            f"| {_num(p.get('first_solution_seconds'), 2)} "
            f"| {_valid(row.plain) if row.plain else '–'} |")
    lines += _breakdown_table(rows)
    repairs = [row for row in rows if row.repair]
    if repairs:
        lines += ["", "Repair (one member sick for two days; pairs relative to `previous`):", "",
                  "| case | previous pairs | forced out | optimizer removed | optimizer added "
                  "| greedy removed | greedy added |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for row in repairs:
            r = row.repair
            lines.append(f"| {row.case} | {r['previous']} | {r['forced']} | {_num(r.get('solver_removed'))} "
                         f"| {_num(r.get('solver_added'))} | {_num(r.get('greedy_removed'))} "
                         f"| {_num(r.get('greedy_added'))} |")
    return "\n".join(lines)
