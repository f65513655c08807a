"""One measured solve, run in its own process so its peak memory is its own.

``python -m solver.bench.worker KIND PROBLEM.json RESULT.json --time-limit T
--workers N --seed S`` with KIND one of ``solver`` (the real optimizer),
``plain`` (the plain model) or ``greedy`` (the baseline). The result file
holds the status, objective, bound, assignments, the time to the first
solution and to the final result, and ``peak_rss_mb``: this process's peak
resident memory (Python, the problem document, the model and CP-SAT's
threads are all in it).

Peak memory is read from ``VmHWM`` in ``/proc/self/status``, not from
``ru_maxrss``: Linux carries the parent's high-water mark across fork and
exec into the child's ``ru_maxrss`` (and so into the parent's
``RUSAGE_CHILDREN``), which made a 13 MB child report the 500 MB of the
process that started it. ``VmHWM`` belongs to the new address space only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import time

logger = logging.getLogger(__name__)


def run_solver(document: dict, *, time_limit: float, workers: int, seed: int) -> dict:
    from solver import load_problem, solution_to_dict, solve

    problem = load_problem(document)
    progress: list[tuple[float, float, float]] = []

    def on_progress(objective, bound, elapsed):
        progress.append((float(elapsed), objective, bound))

    started = time.monotonic()
    solution = solve(problem, time_limit=time_limit, workers=workers, seed=seed, on_progress=on_progress)
    wall = time.monotonic() - started
    result = solution_to_dict(solution)
    return {
        "status": result["status"],
        "objective": result.get("objective"),
        "bound": result.get("bound"),
        "assignments": result.get("assignments", []),
        "first_solution_seconds": progress[0][0] if progress else None,
        "wall_seconds": wall,
        "improvements": len(progress),
        "progress": progress,  # (elapsed, objective, bound) per on_progress call
        "stats": result.get("stats", {}),
        "solution": result,
    }


def run_plain(document: dict, *, time_limit: float, workers: int, seed: int) -> dict:
    from solver.bench.plain import plain_solve

    return plain_solve(document, time_limit=time_limit, workers=workers, seed=seed)


def run_greedy(document: dict, **_ignored) -> dict:
    from solver.bench.greedy import greedy_roster

    started = time.monotonic()
    assignments = greedy_roster(document)
    wall = time.monotonic() - started
    return {"status": "FEASIBLE", "objective": None, "bound": None, "assignments": assignments,
            "first_solution_seconds": wall, "wall_seconds": wall}


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


RUNNERS = {"solver": run_solver, "plain": run_plain, "greedy": run_greedy}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solver.bench.worker")
    parser.add_argument("kind", choices=sorted(RUNNERS))
    parser.add_argument("problem")
    parser.add_argument("result")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with open(args.problem, encoding="utf-8") as handle:
        document = json.load(handle)
    result = RUNNERS[args.kind](document, time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    result["peak_rss_mb"] = peak_rss_mb()
    # CPU seconds over wall seconds shows whether the solve had its cores: on a
    # shared machine a 2-worker solve that gets 1.2 was starved.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["load_average"] = os.getloadavg()[0]
    with open(args.result, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
