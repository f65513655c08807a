"""Command line: ``python -m solver solve|check`` (see roster-problem.md, "Command line")."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from solver.check import check_solution
from solver.problem import ProblemError, load_problem_file, parse_json_bytes
from solver.solution import SolutionError, load_solution, solution_to_dict
from solver.solve import solve

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m solver", description="Yure roster optimizer")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    solve_cmd = commands.add_parser("solve", help="solve a problem document")
    solve_cmd.add_argument("problem")
    solve_cmd.add_argument("-o", "--output")
    solve_cmd.add_argument("--time-limit", type=float, default=10.0)
    solve_cmd.add_argument("--workers", type=int, default=2)
    solve_cmd.add_argument("--seed", type=int, default=0)
    solve_cmd.add_argument("--gap", type=float, default=None,
                           help="stop once proven within this relative gap of the non-constant objective "
                                "(0.001 = 0.1%%; default: the document's options.gap, else 0.001)")
    solve_cmd.add_argument("--processes", type=int, default=None,
                           help="worker processes for a district's pieces of work (default: the CPUs this "
                                "process may use, at most 8)")
    check_cmd = commands.add_parser("check", help="check a solution against a problem")
    check_cmd.add_argument("problem")
    check_cmd.add_argument("solution")
    return parser


def _say(message: str) -> None:
    sys.stderr.write(" ".join(str(message).split()) + "\n")


# At most this many by default: the district's sweep and its joins fit in 60 s from 4-8 workers (docs/benchmarks.md,
# "the scaling expected for N machines"), and each forked worker holds ~250-300 MB of the 9,000-member district.
DEFAULT_PROCESSES_MAX = 8


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, as ``taskset`` or a container's cpuset sets it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:        # no affinity on this platform
        return max(1, os.cpu_count() or 1)


def _run_solve(args) -> int:
    if args.processes is None:
        # A district with two processes on two cores: 0.81 % at 60 s where one process left 2.43 %
        # (docs/benchmarks.md, issue 29, session 8); community weeks use one process whatever this says.
        args.processes = min(usable_cpus(), DEFAULT_PROCESSES_MAX)
    if args.time_limit <= 0 or args.workers < 1 or args.seed < 0 or args.processes < 1:
        _say("--time-limit must be positive, --workers and --processes at least 1, --seed not negative")
        return EXIT_INPUT
    if args.gap is not None and not 0 <= args.gap <= 1:
        _say("--gap must be a number from 0 to 1 (0.001 means 0.1%)")
        return EXIT_INPUT
    problem = load_problem_file(args.problem)
    solution = solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed, gap=args.gap,
                     processes=args.processes)
    text = json.dumps(solution_to_dict(solution), ensure_ascii=False, indent=1) + "\n"
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            _say(f"cannot write {args.output}: {exc.strerror or exc}")
            return EXIT_INPUT
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _read_solution(path: str):
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SolutionError("", f"cannot read {path}: {exc.strerror or exc}") from None
    return load_solution(parse_json_bytes(raw, path))


def _run_check(args) -> int:
    problem = load_problem_file(args.problem)
    try:
        solution = _read_solution(args.solution)
    except ProblemError as exc:
        raise SolutionError(exc.path, exc.detail) from None
    report = check_solution(problem, solution)
    for violation in report.violations:
        print(violation)
    if solution.objective != report.objective:
        print(f"objective: reported {solution.objective}, recomputed {report.objective}")
    reported = {u.shift: u.to_dict() for u in solution.unfilled}
    recomputed = {u.shift: u.to_dict() for u in report.unfilled}
    if reported != recomputed:
        print("note: the unfilled report differs from the recomputed one")
    return EXIT_OK if report.ok else EXIT_FAIL


def main(argv=None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        args = _parser().parse_args(argv)
        return _run_solve(args) if args.command == "solve" else _run_check(args)
    except _UsageError as exc:
        _say(f"usage error: {exc}")
    except SolutionError as exc:
        _say(f"solution: {exc}")
    except ProblemError as exc:
        _say(str(exc))
    except KeyboardInterrupt:
        _say("interrupted")
    except Exception as exc:  # never a traceback for the user
        _say(f"internal error: {type(exc).__name__}: {exc}")
    return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
