"""Command line: ``python -m solver.bench generate|run``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from solver.bench.generate import generate_problem


def _members(text: str) -> int | tuple[int, int]:
    """``90`` or an inclusive range ``60-120``."""
    low, _, high = text.partition("-")
    return (int(low), int(high)) if high else int(low)


def _sets(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = set(chosen) - {"community", "district", "repair"}
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from community, district, repair (got {text!r})")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solver.bench")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic roster-problem/1 document")
    generate.add_argument("--communities", type=int, default=1)
    generate.add_argument("--members", type=_members, default=(60, 120),
                          help="members per community, a count or a range such as 60-120")
    generate.add_argument("--seed", type=int, default=1)
    generate.add_argument("--week-start", default="2026-11-23")
    generate.add_argument("--cross-share", type=float, default=0.10)
    generate.add_argument("-o", "--output", help="file to write (default: stdout)")

    run = commands.add_parser("run", help="solve the fixed benchmark set and print a Markdown table")
    run.add_argument("--quick", action="store_true", help="a tiny subset, for smoke tests")
    run.add_argument("--output-dir", default="bench-output", help="problems and raw results go here")
    run.add_argument("--only", type=_sets, default=None,
                     help="comma-separated subset of: community, district, repair")
    run.add_argument("-v", "--verbose", action="store_true")

    curve = commands.add_parser("curve", help="community weeks: time to a proven gap, process start included")
    curve.add_argument("--seeds", type=_members, default=(1, 9), help="a seed or a range such as 1-9")
    curve.add_argument("--time-limit", type=float, default=10.0)
    curve.add_argument("--gap", type=float, default=0.001)
    curve.add_argument("--output-dir", default="bench-output/curve")
    curve.add_argument("--baseline", help="also run the solver of this git revision, side by side")

    district = commands.add_parser("district", help="the 9,000-member district: gap and continuity misses")
    district.add_argument("--limits", default="60", help="comma-separated time limits, e.g. 60,300")
    district.add_argument("--processes", default="1,2,4", help="comma-separated worker process counts")
    district.add_argument("--output-dir", default="bench-output/district")
    district.add_argument("--baseline", help="also run the solver of this git revision, side by side")

    overview = commands.add_parser("overview", help="issue 29: community weeks, the 9,000-member district with "
                                   "1 and 2 processes and the ~10,000-member district in one run")
    overview.add_argument("--busy", type=int, default=0, help="CPU-bound processes to run beside the solver")
    overview.add_argument("--limit", type=float, default=60.0)
    overview.add_argument("--processes", default="1,2", help="comma-separated worker process counts")
    overview.add_argument("--output-dir", default="bench-output/overview")

    groups = commands.add_parser("groups", help="issue 29: the sweep's groups' column generations, CPU seconds each")
    groups.add_argument("--groups", default="0,5,10,20,30,40", help="comma-separated group indices")
    groups.add_argument("--seconds", type=float, default=40.0, help="the most each column generation may take")
    groups.add_argument("--search", type=float, default=15.0, help="seconds of local search for the prices' roster")
    groups.add_argument("--communities", type=int, default=100, help="communities of the generated district")

    prices = commands.add_parser("prices", help="issue 29: the sweep bound at a roster's tangent prices and after "
                                 "subgradient steps on them")
    prices.add_argument("--problem", required=True, help="a district's roster-problem/1 document")
    prices.add_argument("--solution", required=True, help="a roster of it (roster-solution/1): the prices' loads")
    prices.add_argument("--thetas", default="0.5,1,2", help="comma-separated step sizes, one step each")
    prices.add_argument("--steps", type=int, default=1, help="steps in a row with the first θ (halved when worse)")
    prices.add_argument("--warm", action="store_true", help="each sweep starts from the columns the last ended with")

    args = parser.parse_args(argv)
    if args.command == "prices":
        from solver.bench.prices import price_steps

        sys.stdout.write(price_steps(problem_path=Path(args.problem), solution_path=Path(args.solution),
                                     thetas=[float(x) for x in args.thetas.split(",") if x.strip()],
                                     steps=args.steps, warm=args.warm) + "\n")
        return 0
    if args.command == "groups":
        from solver.bench.groups import group_costs

        sys.stdout.write(group_costs(groups=[int(x) for x in args.groups.split(",") if x.strip()],
                                     seconds=args.seconds, search=args.search,
                                     communities=args.communities) + "\n")
        return 0
    if args.command == "overview":
        from solver.bench import speed

        sys.stdout.write(speed.overview(busy=args.busy, limit=args.limit,
                                        processes=[int(x) for x in args.processes.split(",") if x.strip()],
                                        output_dir=Path(args.output_dir)) + "\n")
        return 0
    if args.command in ("curve", "district"):
        from solver.bench import speed

        if args.command == "curve":
            seeds = args.seeds if isinstance(args.seeds, tuple) else (args.seeds, args.seeds)
            text = speed.community_curve(seeds=range(seeds[0], seeds[1] + 1), time_limit=args.time_limit,
                                         gap=args.gap, output_dir=Path(args.output_dir), baseline=args.baseline)
        else:
            text = speed.district(limits=[float(x) for x in args.limits.split(",") if x.strip()],
                                  processes=[int(x) for x in args.processes.split(",") if x.strip()],
                                  output_dir=Path(args.output_dir), baseline=args.baseline)
        sys.stdout.write(text + "\n")
        return 0
    if args.command == "generate":
        document = generate_problem(communities=args.communities, members_per_community=args.members,
                                    seed=args.seed, week_start=args.week_start,
                                    cross_share=args.cross_share)
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if args.output:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
        return 0

    from solver.bench.run import SETS, markdown, run_benchmark

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    rows = run_benchmark(quick=args.quick, output_dir=Path(args.output_dir), sets=args.only or SETS)
    sys.stdout.write(markdown(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
