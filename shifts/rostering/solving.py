"""The body of the solve task: claim the runs, build the problem, run the optimizer, write the result.

Safe under retry and duplicate delivery: a run is claimed by raising its attempt counter, and the result is
written in one transaction only if the run is still running under that same attempt. A failure marks the run
failed with the error and leaves every roster as it was.

The optimizer runs in a helper thread that never touches the database; this thread relays its progress
(objective, bound, elapsed) to the run row every PROGRESS_INTERVAL seconds, which doubles as a heartbeat:
a running run whose heartbeat stops (the worker was killed) is put back on the queue by solve_runs_recover.
"""

import datetime as dt
import logging
import math
import threading
import time
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

import solver
from shifts.messaging.notify import notify_staff
from shifts.models import Assignment, Roster, Shift, SolveRun
from shifts.rostering.cover.starting import cover_after_replan
from shifts.rostering.district import district_collect_when_done
from shifts.rostering.follow import plans_follow
from shifts.rostering.problem import problem_for_communities
from shifts.rostering.rosters import diff_is_urgent, enqueue_solve, roster_diff, roster_publish
from shifts.rostering.selectors import roster_for_week
from shifts.rostering.solution_split import solution_split
from shifts.rostering.solver_queue import queue_executor
from volunteers.models import Unavailability
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5


class SolveFailed(Exception):
    """A solve that produced no usable roster; the message is shown to the secretary."""


def stale_after_seconds() -> float:
    return float(settings.SOLVE_STALE_SECONDS)


def run_is_stale(run: SolveRun, now: dt.datetime | None = None) -> bool:
    """A running run whose heartbeat (started_at + elapsed) is older than SOLVE_STALE_SECONDS."""
    if run.status != SolveRun.Status.RUNNING or run.started_at is None:
        return False
    now = now or timezone.now()
    beat = run.started_at + dt.timedelta(seconds=run.elapsed or 0)
    return (now - beat).total_seconds() > stale_after_seconds()


def solve_runs_execute(run_ids, *, district_job: str = "", district_run_ids=None) -> dict:
    """Solve the runs together (one community, or a connected group of the same week) and write the result."""
    runs = _claim(run_ids)
    if not runs:
        logger.info("solve runs %s: nothing to do (finished or in progress elsewhere)", run_ids)
        outcome = {"skipped": list(run_ids)}
    else:
        outcome = _execute(runs)
    if district_job:
        district_collect_when_done(district_job, district_run_ids or run_ids)
    return outcome


def _claim(run_ids) -> list[SolveRun]:
    with transaction.atomic():
        rows = list(SolveRun.objects.select_for_update().filter(pk__in=run_ids).order_by("pk"))
        now = timezone.now()
        claimed = [r for r in rows if r.status == SolveRun.Status.QUEUED or run_is_stale(r, now)]
        for run in claimed:
            run.status = SolveRun.Status.RUNNING
            run.attempts += 1
            run.started_at = now
            run.elapsed = 0.0
            run.error = ""
            run.save(update_fields=["status", "attempts", "started_at", "elapsed", "error"])
    for run in claimed:
        run.community  # noqa: B018 -- load before the solve thread starts
    return claimed


def _execute(runs: list[SolveRun]) -> dict:
    started = time.monotonic()
    try:
        bundle = _build(runs)
        problem = solver.load_problem(bundle.document)
        solution = _solve_with_progress(problem, runs, started)
        if solution.status == "INFEASIBLE":
            raise SolveFailed(_infeasible_message(solution))
        _write(runs, bundle, problem, solution, time.monotonic() - started)
    except Exception as exc:  # any failure: record it on the run, leave rosters alone
        logger.exception("solve runs %s failed", [r.pk for r in runs])
        _fail(runs, exc, time.monotonic() - started)
        return {"failed": [r.pk for r in runs], "error": str(exc)}
    finally:
        for run in runs:  # what the run could not see (facts newer than its start) is planned again
            plans_follow(after=run)
    return {"succeeded": [r.pk for r in runs]}


def _infeasible_message(solution) -> str:
    message = solution.stats.get("message") or "no valid roster"
    return f"The pinned assignments cannot all be kept: {message}"


def _build(runs: list[SolveRun]):
    week_start = runs[0].week_start
    kind = runs[0].kind
    if any(r.week_start != week_start or r.kind != kind for r in runs):
        raise SolveFailed("runs solved together must share the week and kind")
    communities = [r.community for r in runs]
    pins_status = Roster.Status.PUBLISHED if kind == SolveRun.Kind.REPAIR else Roster.Status.DRAFT
    if kind == SolveRun.Kind.REPAIR:
        missing = [c.name for c in communities if roster_for_week(c, week_start, Roster.Status.PUBLISHED) is None]
        if missing:
            raise SolveFailed(f"no published roster to re-plan for {', '.join(missing)}")
    return problem_for_communities(communities=communities, week_start=week_start, pins_status=pins_status,
                                   forbid=_absent_pins(communities, week_start, pins_status),
                                   frozen_before=timezone.now(), previous_draft_ids=_drafts_kept(runs),
                                   withdrawn_keep_off=True)


def _drafts_kept(runs: list[SolveRun]) -> list[int]:
    """Communities whose draft is solved again because a fact changed (an absence, a decision, a changed weekly
    shift: the run has a cause): their draft counts as `previous`, so only the shifts the fact touches change and
    the secretary's review survives. A 重新计算 the secretary asks for (no cause) starts from the published roster."""
    wanted = [r.community_id for r in runs if r.kind == SolveRun.Kind.RESOLVE and r.cause]
    return list(Roster.objects.filter(community_id__in=wanted, week_start=runs[0].week_start,
                                      status=Roster.Status.DRAFT).values_list("community_id", flat=True))


def _absent_pins(communities, week_start, pins_status) -> list[tuple[int, int]]:
    """Pins of members who reported an absence over the shift: a pin does not outlive an absence."""
    pins = Assignment.objects.filter(roster__community__in=communities, roster__week_start=week_start,
                                     roster__status=pins_status, pinned=True).select_related("shift")
    out = []
    for pin in pins:
        if Unavailability.objects.filter(member_id=pin.member_id, start__lt=pin.shift.end,
                                         end__gt=pin.shift.start).exists():
            out.append((pin.shift_id, pin.member_id))
    return out


def _solve_with_progress(problem, runs, started: float):
    latest = {}
    lock = threading.Lock()
    outcome = {}

    def on_progress(objective, bound, elapsed):
        with lock:
            latest.update(objective=objective, bound=bound)

    def target():
        # A district's pieces go to the queue (a queue worker may not fork; shifts.rostering.solver_queue).
        executor = queue_executor()
        try:
            outcome["solution"] = solver.solve(problem, time_limit=runs[0].time_limit or settings.SOLVER_TIME_LIMIT,
                                        workers=settings.SOLVER_WORKERS, seed=0, on_progress=on_progress,
                                        executor=executor)
        except BaseException as exc:  # noqa: B036 -- handed back to the task thread
            outcome["error"] = exc
        finally:
            if executor is not None:
                try:
                    executor.close()
                finally:
                    connection.close()      # this thread's own connection, opened if the solve was a district

    thread = threading.Thread(target=target, name=f"solve-{runs[0].pk}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(PROGRESS_INTERVAL)
        with lock:
            snapshot = dict(latest)
        _write_progress(runs, snapshot, time.monotonic() - started)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["solution"]


def _as_int(value, rounding=round):
    if value is None:
        return None
    try:
        return int(rounding(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _write_progress(runs, snapshot, elapsed: float) -> None:
    fields = {"elapsed": round(elapsed, 2)}
    if snapshot.get("objective") is not None:
        fields["objective"] = _as_int(snapshot["objective"])
    if snapshot.get("bound") is not None:
        fields["bound"] = _as_int(snapshot["bound"], math.floor)
    for run in runs:
        SolveRun.objects.filter(pk=run.pk, status=SolveRun.Status.RUNNING, attempts=run.attempts).update(**fields)


def _fail(runs, exc, elapsed: float) -> None:
    message = str(exc) or exc.__class__.__name__
    with transaction.atomic():
        for run in runs:
            updated = SolveRun.objects.filter(pk=run.pk, status=SolveRun.Status.RUNNING,
                                              attempts=run.attempts).update(
                status=SolveRun.Status.FAILED, error=message[:2000], finished_at=timezone.now(),
                elapsed=round(elapsed, 2))
            if updated:
                audit_log(action="shifts.roster.solve_failed", community=run.community, obj=run,
                          data={"week_start": run.week_start.isoformat(), "kind": run.kind}, reason=message)
                transaction.on_commit(partial(_notify_failure, run.pk, message))


def _notify_failure(run_id: int, message: str) -> None:
    run = SolveRun.objects.select_related("community").get(pk=run_id)
    notify_staff(community=run.community, kind="solve_failed", dedupe_key=f"solve-failed:{run.pk}",
                 context={"week_start": run.week_start, "error": message})


# ------------------------------------------------------------------ writing the result

def _write(runs, bundle, problem, solution, elapsed: float) -> None:
    pairs, unfilled = solution_split(bundle, problem, solution)
    frozen = defaultdict(set)
    frozen_community = dict(Shift.objects.filter(pk__in={s for s, _m in bundle.frozen})
                            .values_list("pk", "community_id"))
    for shift_pk, member_pk in bundle.frozen:
        frozen[frozen_community[shift_pk]].add((shift_pk, member_pk))
    group_note = ""
    if len(runs) > 1:
        group_note = "一起排班 / solved together: " + "、".join(r.community.name for r in runs)
    with transaction.atomic():
        current = {r.pk: r for r in SolveRun.objects.select_for_update().filter(pk__in=[r.pk for r in runs])}
        for run in runs:
            row = current.get(run.pk)
            if row is None or row.status != SolveRun.Status.RUNNING or row.attempts != run.attempts:
                logger.info("run %s was finished by another attempt; result not written twice", run.pk)
                continue
            community_pairs = pairs[run.community_id] | frozen[run.community_id]
            fields = {"solver_status": solution.status, "objective": solution.objective, "bound": solution.bound,
                      "breakdown": dict(solution.breakdown), "unfilled": unfilled[run.community_id],
                      "reason": (group_note or run.reason)[:300], "cause": run.cause or {}}
            if run.kind == SolveRun.Kind.REPAIR:
                roster = _write_proposal(run, community_pairs, fields)
            else:
                roster = _write_draft(run, community_pairs, fields)
            row.status = SolveRun.Status.SUCCEEDED
            row.finished_at = timezone.now()
            row.objective, row.bound = solution.objective, solution.bound
            row.elapsed = round(elapsed, 2)
            row.result = roster
            row.save(update_fields=["status", "finished_at", "objective", "bound", "elapsed", "result"])


def _bulk_assign(roster: Roster, pairs, carry: dict, default_source: str) -> None:
    rows = []
    for shift_pk, member_pk in sorted(pairs):
        kept = carry.get((shift_pk, member_pk))
        rows.append(Assignment(
            roster=roster, shift_id=shift_pk, member_id=member_pk,
            pinned=kept.pinned if kept else False,
            source=kept.source if kept else default_source,
            override_reason=kept.override_reason if kept else "",
            created_by=kept.created_by if kept else None))
    Assignment.objects.bulk_create(rows)


def _write_draft(run: SolveRun, pairs, fields) -> Roster:
    community, week_start = run.community, run.week_start
    published = roster_for_week(community, week_start, Roster.Status.PUBLISHED)
    old = (Roster.objects.select_for_update().filter(community=community, week_start=week_start,
                                                     status=Roster.Status.DRAFT).first())
    carry = {}
    if published is not None:
        carry.update({(a.shift_id, a.member_id): a for a in published.assignments.all()})
    if old is not None:
        carry.update({(a.shift_id, a.member_id): a for a in old.assignments.filter(pinned=True)})
        old.status = Roster.Status.DISCARDED
        old.save(update_fields=["status"])
        if run.kind == SolveRun.Kind.RESOLVE and run.cause:  # the week page shows what changed against it
            fields["cause"] = {**fields["cause"], "replaced_draft": old.pk}
    roster = Roster(community=community, week_start=week_start, status=Roster.Status.DRAFT, based_on=published,
                    created_by=run.requested_by, diff=roster_diff(published, pairs), **fields)
    roster.full_clean()
    roster.save()
    _bulk_assign(roster, pairs, carry, Assignment.Source.SOLVER)
    audit_log(action="shifts.roster.drafted", actor=run.requested_by, community=community, obj=roster,
              data={"run": run.pk, "week_start": week_start.isoformat(), "objective": roster.objective,
                    "bound": roster.bound, "assignments": len(pairs), "unfilled": len(roster.unfilled),
                    "replaced": old.pk if old else None})
    return roster


def _write_proposal(run: SolveRun, pairs, fields) -> Roster:
    community, week_start = run.community, run.week_start
    published = (Roster.objects.select_for_update().filter(community=community, week_start=week_start,
                                                           status=Roster.Status.PUBLISHED).first())
    if published is None:
        raise SolveFailed("the published roster disappeared while re-planning")
    diff = roster_diff(published, pairs)
    if not diff["added"] and not diff["removed"]:
        audit_log(action="shifts.roster.replan_unchanged", community=community, obj=published,
                  data={"run": run.pk}, reason=run.reason)
        transaction.on_commit(partial(cover_after_replan, published.pk, run.pk))  # found nobody: ask, and say so
        return published
    Roster.objects.filter(community=community, week_start=week_start, status=Roster.Status.PROPOSAL).update(
        status=Roster.Status.DISCARDED)
    roster = Roster(community=community, week_start=week_start, status=Roster.Status.PROPOSAL, based_on=published,
                    created_by=run.requested_by, diff=diff, urgent=diff_is_urgent(diff), **fields)
    roster.full_clean()
    roster.save()
    carry = {(a.shift_id, a.member_id): a for a in published.assignments.all()}
    _bulk_assign(roster, pairs, carry, Assignment.Source.REPAIR)
    audit_log(action="shifts.roster.proposed", actor=run.requested_by, community=community, obj=roster,
              data={"run": run.pk, "week_start": week_start.isoformat(), "added": len(diff["added"]),
                    "removed": len(diff["removed"]), "urgent": roster.urgent}, reason=run.reason)
    if community.auto_apply_repairs:
        return roster_publish(roster=roster, by=None)
    transaction.on_commit(partial(_notify_proposal, roster.pk))
    return roster


def _notify_proposal(roster_id: int) -> None:
    roster = Roster.objects.select_related("community").get(pk=roster_id)
    notify_staff(community=roster.community, kind="repair_proposal", dedupe_key=f"proposal:{roster.pk}",
                 context={"week_start": roster.week_start, "reason": roster.reason,
                          "added": len(roster.diff.get("added", [])), "removed": len(roster.diff.get("removed", [])),
                          "urgent": roster.urgent}, urgent=roster.urgent)


# ------------------------------------------------------------------ recovery and district collection

def solve_runs_recover(*, stale_after: float | None = None, max_attempts: int | None = None) -> list[int]:
    """Re-queue runs whose worker died (heartbeat stopped) and queued runs the queue lost; fail them after
    max_attempts. Periodic and idempotent. Returns the ids put back on the queue."""
    stale_after = stale_after_seconds() if stale_after is None else stale_after
    max_attempts = max_attempts or int(settings.Q_CLUSTER.get("max_attempts", 3))
    now = timezone.now()
    requeue = []
    with transaction.atomic():
        for run in SolveRun.objects.select_for_update().filter(status=SolveRun.Status.RUNNING):
            beat = run.started_at + dt.timedelta(seconds=run.elapsed or 0) if run.started_at else run.requested_at
            if (now - beat).total_seconds() <= stale_after:
                continue
            if run.attempts >= max_attempts:
                run.status, run.finished_at = SolveRun.Status.FAILED, now
                run.error = f"The worker stopped {run.attempts} times while solving; giving up."
                run.save(update_fields=["status", "finished_at", "error"])
                audit_log(action="shifts.roster.solve_failed", community=run.community, obj=run, reason=run.error)
                continue
            run.status = SolveRun.Status.QUEUED
            run.save(update_fields=["status"])
            requeue.append(run.pk)
        lost_before = now - dt.timedelta(seconds=float(settings.Q_CLUSTER.get("retry", 300)))
        requeue.extend(SolveRun.objects.filter(status=SolveRun.Status.QUEUED, requested_at__lt=lost_before,
                                               started_at__isnull=True).exclude(pk__in=requeue)
                       .values_list("pk", flat=True))
        for pk in requeue:
            logger.warning("solve run %s: worker lost, queueing again", pk)
            transaction.on_commit(partial(enqueue_solve, [pk]))
    return requeue
