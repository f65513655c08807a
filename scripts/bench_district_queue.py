"""The 9,000-member district spread over the queue: N real `qcluster` processes on PostgreSQL + Redis.

    DATABASE_URL=postgres://…/yure_x REDIS_URL=redis://127.0.0.1:6379/N \
        python scripts/bench_district_queue.py --clusters 1,2 [--workers 2] [--limit 60] [--busy 0]

This process is the coordinator, as a queue worker running a district solve is (``shifts.rostering.solving``):
it publishes the problem, hands its pieces to the queue through ``QueueExecutor`` (``--workers`` × clusters
pieces in flight, ``SOLVER_QUEUE_SLOTS`` in a deployment) and takes a piece itself when no worker has taken it
within 0.5 s. Each line: the gap of the non-constant objective at the limit, where the pieces ran, the load.
The Redis database of REDIS_URL is flushed before and after: give the script a database of its own.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchenv import ROOT, django_start, scratch_database


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", default="1,2", help="comma-separated qcluster counts")
    parser.add_argument("--workers", type=int, default=2, help="Q_WORKERS of each qcluster")
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes beside the cluster")
    parser.add_argument("--problem", default="bench-output/district/district-1.json")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("needs DATABASE_URL=postgres://… and REDIS_URL")
    django_start()
    import redis

    from solver.bench.generate import generate_problem

    problem_path = ROOT / args.problem
    if not problem_path.exists():
        problem_path.parent.mkdir(parents=True, exist_ok=True)
        problem_path.write_text(json.dumps(generate_problem(communities=100, members_per_community=(80, 100),
                                                            seed=1)), encoding="utf-8")
    broker = redis.from_url(os.environ["REDIS_URL"])
    with scratch_database() as connection:
        for clusters in [int(x) for x in args.clusters.split(",") if x.strip()]:
            broker.flushdb()
            print(measure(connection, problem_path, clusters, args), flush=True)
    broker.flushdb()
    return 0


def measure(connection, problem_path: Path, clusters: int, args) -> str:
    from shifts.models import SolverPiece
    from shifts.rostering.solver_queue import QueueExecutor
    from solver import check_solution, load_problem_file, solve

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {**os.environ, "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "Q_WORKERS": str(args.workers), "DEBUG": "1", "LOG_LEVEL": "WARNING"}
    logs = [tempfile.NamedTemporaryFile("w+", prefix=f"qcluster-{i}-", suffix=".log", delete=False)
            for i in range(clusters)]
    started = [subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
               for log in logs]
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        time.sleep(8)                         # the clusters start their workers
        problem = load_problem_file(problem_path)
        executor = QueueExecutor(slots=clusters * args.workers)
        try:
            solution = solve(problem, time_limit=args.limit, workers=1, executor=executor)
            takers = list(SolverPiece.objects.values_list("taken_by", flat=True))
        finally:
            executor.close()
        load = os.getloadavg()[0]
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:   # a worker still in a piece that is no longer waited for
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        for burner in burners:
            burner.kill()
            burner.wait()
        for log in logs:
            log.close()
    report = check_solution(problem, solution)
    variable = solution.objective - problem.fairness_constant()
    gap = (solution.objective - solution.bound) / variable
    here = sum(t == "coordinator" for t in takers)
    if not set(takers) - {"coordinator", ""}:
        # No qcluster took a piece: a cluster that did not start (say, translations not compiled) says why here.
        print(f"no qcluster took a piece; their output: {', '.join(log.name for log in logs)}", file=sys.stderr)
    return (f"| {clusters} × {args.workers} workers | {args.busy} | {args.limit:g} | {solution.objective:,} | "
            f"{solution.bound:,} | {gap:.2%} | {len(takers)} ({here} in the coordinator, "
            f"{len(set(takers) - {'coordinator', ''})} worker processes) | "
            f"{'yes' if report.valid else 'NO'} | {load:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
