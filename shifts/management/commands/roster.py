"""python manage.py roster generate|publish|status|export|district|recover — the roster lifecycle for cron and scripts.

    roster generate --community <id or name> --week <date in the week | 2026-W48> [--wait] [--json]
    roster publish  --community … --week … [--json]
    roster status   --community … --week … [--json]
    roster export   --community … --week … [--problem [PATH]] [--solution [PATH]]
    roster district [--district NAME] --week … [--wait] [--json]
    roster recover  [--stale-after SECONDS]

Each prints a summary: status, objective, bound, gap, fill rate and the unfilled shifts with their reasons.
"""

import json
import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from shifts.models import Roster, SolveRun
from shifts.rostering.district import district_collect, district_generate
from shifts.rostering.problem import problem_for_week
from shifts.rostering.problem_docs import member_key, shift_key
from shifts.rostering.rosters import roster_generate, roster_publish
from shifts.rostering.selectors import roster_current, roster_fill_rate, roster_for_week, solve_run_latest
from shifts.rostering.solving import solve_runs_execute, solve_runs_recover
from shifts.weeks import iso_week_label, parse_week
from solver import check_solution, load_problem
from solver.solution import TERMS
from volunteers.models import Community

FINISHED = (SolveRun.Status.SUCCEEDED, SolveRun.Status.FAILED)


class Command(BaseCommand):
    help = "Generate, publish, inspect and export weekly rosters."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("generate", "queue a solve for the week and make a draft"),
                           ("publish", "publish the week's draft"),
                           ("status", "show the week's roster and latest solve"),
                           ("export", "write the week's roster-problem/1 or roster-solution/1 document")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--community", required=True, help="community id or exact name")
            p.add_argument("--week", required=True, help="any date in the week (2026-11-25) or ISO week (2026-W48)")
            p.add_argument("--json", action="store_true", help="print the summary as JSON")
            if name == "generate":
                self._wait_arguments(p)
            if name == "export":
                p.add_argument("--problem", nargs="?", const="-", metavar="PATH",
                               help="write the problem document (stdout when no path)")
                p.add_argument("--solution", nargs="?", const="-", metavar="PATH",
                               help="write the stored roster (draft, else published) as a solution document")
        p = sub.add_parser("district", help="generate every community of a district, one task per connected group")
        p.add_argument("--district", default="", help="district name (default: every community)")
        p.add_argument("--week", required=True)
        p.add_argument("--json", action="store_true")
        self._wait_arguments(p)
        p = sub.add_parser("recover", help="re-queue solves whose worker died")
        p.add_argument("--stale-after", type=float, default=None, help="seconds without a heartbeat")

    @staticmethod
    def _wait_arguments(p):
        p.add_argument("--wait", action="store_true", help="wait until the solve finishes")
        p.add_argument("--timeout", type=float, default=None, help="seconds to wait (default: time limit + 120)")
        p.add_argument("--pickup", type=float, default=5.0,
                       help="with --wait: seconds to wait for a worker before solving in this process")

    def handle(self, *args, action, **options):
        if action == "recover":
            ids = solve_runs_recover(stale_after=options["stale_after"])
            self.stdout.write(f"re-queued {len(ids)} runs: {ids}")
            return
        week = self._week(options["week"])
        try:
            if action == "district":
                return self._district(week, options)
            community = self._community(options["community"])
            return getattr(self, f"_{action}")(community, week, options)
        except ValidationError as exc:
            raise CommandError(_validation_text(exc))

    # ------------------------------------------------------------ arguments

    @staticmethod
    def _week(text):
        try:
            return parse_week(text)
        except ValueError as exc:
            raise CommandError(f"--{exc}")

    @staticmethod
    def _community(text) -> Community:
        text = (text or "").strip()
        found = None
        if text.isdigit():
            found = Community.objects.filter(pk=int(text)).first()
        found = found or Community.objects.filter(name=text).first()
        if found is None:
            raise CommandError(f"--community: no community with id or name {text!r}")
        return found

    # ------------------------------------------------------------ actions

    def _generate(self, community, week, options):
        run = roster_generate(community=community, week_start=week, reason="command line")
        if options["wait"]:
            run = self._wait_for([run], options)[0]
        self._emit(summary(community, week, run), options)
        if options["wait"] and run.status == SolveRun.Status.FAILED:
            sys.exit(1)

    def _publish(self, community, week, options):
        draft = roster_for_week(community, week, Roster.Status.DRAFT)
        if draft is None:
            raise CommandError(f"no draft to publish for {community.name} week {iso_week_label(week)}; "
                               "run `roster generate` first")
        roster_publish(roster=draft, by=None)
        self._emit(summary(community, week, solve_run_latest(community, week),
                           roster_for_week(community, week, Roster.Status.PUBLISHED)), options)

    def _status(self, community, week, options):
        self._emit(summary(community, week, solve_run_latest(community, week)), options)

    def _export(self, community, week, options):
        if not options.get("problem") and not options.get("solution"):
            raise CommandError("export: give --problem and/or --solution")
        bundle = problem_for_week(community=community, week_start=week)
        if options.get("problem"):
            # Exported for outside tools, which read roster-problem/1 strictly: leave out Yure's `options`
            # extension (the solver's stopping gap), which such a reader would refuse as an unknown field.
            portable = {key: value for key, value in bundle.document.items() if key != "options"}
            _write_json(portable, options["problem"], self.stdout)
        if options.get("solution"):
            roster = roster_current(community, week)
            if roster is None:
                raise CommandError(f"no draft or published roster for {community.name} week {iso_week_label(week)}")
            _write_json(solution_document(bundle, roster), options["solution"], self.stdout)

    def _district(self, week, options):
        communities = Community.objects.all()
        if options["district"]:
            communities = communities.filter(district=options["district"])
            if not communities.exists():
                raise CommandError(f"--district: no communities in district {options['district']!r}")
        job, runs = district_generate(communities=communities, week_start=week, reason="")
        if options["wait"]:
            runs = self._wait_for(runs, options)
            district_collect(job, [r.pk for r in runs])  # idempotent: a worker may have recorded it already
        summaries = [summary(run.community, week, run) for run in runs]
        if options["json"]:
            self.stdout.write(json.dumps({"job": job, "communities": summaries}, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"district job {job}: {len(runs)} communities queued")
            for item in summaries:
                self.stdout.write(_text(item))

    def _wait_for(self, runs, options):
        """Poll until every run finishes. A run no worker picks up within --pickup seconds is solved here; the
        claim is atomic, so a worker arriving later skips it."""
        limit = max((r.time_limit or 0) for r in runs) if runs else 0
        deadline = time.monotonic() + (options["timeout"] or limit + 120)
        pickup = time.monotonic() + options["pickup"]
        ids = [r.pk for r in runs]
        while True:
            current = list(SolveRun.objects.filter(pk__in=ids).select_related("community").order_by("pk"))
            if all(r.status in FINISHED for r in current):
                return current
            if time.monotonic() > pickup:
                # Runs queued by one task (a connected group) are solved together, as the worker would.
                groups: dict[str, list[int]] = {}
                for r in current:
                    if r.status == SolveRun.Status.QUEUED:
                        groups.setdefault(r.task_id or f"run-{r.pk}", []).append(r.pk)
                for group in groups.values():
                    solve_runs_execute(group)
                pickup = float("inf") if groups else pickup
            if time.monotonic() > deadline:
                raise CommandError(f"gave up waiting after {options['timeout'] or limit + 120:.0f} s; "
                                   "the solve continues on the queue")
            time.sleep(0.5)

    def _emit(self, data, options):
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) if options["json"] else _text(data))


# ---------------------------------------------------------------- summaries and documents

def summary(community, week, run: SolveRun | None, roster: Roster | None = None) -> dict:
    if roster is None:
        roster = run.result if run is not None and run.result_id else roster_current(community, week)
    data = {"community": {"id": community.pk, "name": community.name}, "week_start": week.isoformat(),
            "week": iso_week_label(week)}
    if run is not None:
        data["run"] = {"id": run.pk, "kind": run.kind, "status": run.status, "attempts": run.attempts,
                       "objective": run.objective, "bound": run.bound, "elapsed": run.elapsed,
                       "time_limit": run.time_limit, "error": run.error}
    # queued / running / failed while a solve is pending or broke; otherwise the roster's own status.
    if run is not None and run.status != SolveRun.Status.SUCCEEDED:
        data["status"] = run.status
    else:
        data["status"] = roster.status if roster is not None else "none"
    data["roster"] = None
    data.update(objective=None, bound=None, gap=None, fill_rate=None, unfilled=[])
    if roster is not None:
        fill = roster_fill_rate(roster)
        data["roster"] = {"id": roster.pk, "status": roster.status, "version": roster.version,
                          "solver_status": roster.solver_status, "assignments": roster.assignments.count(),
                          "urgent": roster.urgent}
        data.update(objective=roster.objective, bound=roster.bound,
                    gap=round(roster.gap, 6) if roster.gap is not None else None,
                    fill_rate=round(fill, 4) if fill is not None else None,
                    unfilled=[_unfilled_item(item) for item in roster.unfilled])
    return data


def _unfilled_item(item: dict) -> dict:
    explanation = item.get("explanation") or {}
    language = translation.get_language() or "zh-hans"
    return {"shift": item.get("shift"), "shift_id": item.get("shift_id"), "missing": item.get("missing"),
            "eligible": item.get("eligible"), "excluded": item.get("excluded", {}),
            "reason": explanation.get(language) or explanation.get("zh-hans") or "", "explanation": explanation}


def _text(data: dict) -> str:
    def show(value, fmt="{}"):
        return "-" if value is None else fmt.format(value)

    lines = [f"{data['community']['name']} {data['week']} ({data['week_start']}): {data['status']}",
             f"  objective {show(data['objective'])}  bound {show(data['bound'])}  "
             f"gap {show(data['gap'], '{:.2%}')}  fill rate {show(data['fill_rate'], '{:.1%}')}"]
    run = data.get("run")
    if run and run.get("error"):
        lines.append(f"  error: {run['error']}")
    for item in data["unfilled"]:
        lines.append(f"  unfilled {item['shift']} (missing {item['missing']}): {item['reason']}")
    return "\n".join(lines)


def solution_document(bundle, roster: Roster) -> dict:
    """The stored roster as roster-solution/1; objective, breakdown and unfilled recomputed by the checker
    against `bundle` so that `python -m solver check` can verify it."""
    problem = load_problem(bundle.document)
    pairs = [(shift_key(s), member_key(m)) for s, m in
             roster.assignments.order_by("shift_id", "member_id").values_list("shift_id", "member_id")]
    report = check_solution(problem, pairs)
    same = report.objective == roster.objective and roster.solver_status in ("OPTIMAL", "FEASIBLE")
    bound = roster.bound if same and roster.bound is not None and roster.bound <= report.objective else None
    return {
        "format": "roster-solution/1",
        "status": roster.solver_status if same else "FEASIBLE",
        "objective": report.objective,
        "bound": bound,
        "assignments": [{"shift": s, "member": m} for s, m in pairs],
        "unfilled": [u.to_dict() for u in report.unfilled],
        "breakdown": {k: report.breakdown.get(k, 0) for k in TERMS},
        "stats": {"roster": roster.pk, "roster_status": roster.status, "version": roster.version,
                  "violations": [str(v) for v in report.violations]},
    }


def _write_json(document: dict, path: str, stdout) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if path == "-":
        stdout.write(text)
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}")


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)
