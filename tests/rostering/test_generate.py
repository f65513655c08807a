"""Generate: shifts from templates, one solve per request, a checked draft, failures leave data intact."""

import os

import pytest
from django.core import mail

from shifts import tasks
from shifts.models import Assignment, Roster, Shift, SolveRun
from shifts.rostering.problem import member_key, problem_for_week, shift_key
from shifts.rostering.review import assignment_pin
from shifts.rostering.rosters import roster_generate, roster_publish
from shifts.rostering.solving import solve_runs_recover
from shifts.rostering.week_making import shifts_make_for_week
from solver import check_solution, load_problem
from tests import factories as f
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db


def _pairs(roster):
    return sorted((shift_key(s), member_key(m)) for s, m in roster.assignments.values_list("shift_id", "member_id"))


def test_shifts_are_made_once_with_a_weekly_visit(town):
    community, week = town["community"], town["week_start"]
    f.duty("visiting")
    f.visit_target(community, visit_weekday=3)
    first = shifts_make_for_week(community=community, week_start=week)
    again = shifts_make_for_week(community=community, week_start=week)
    assert len(first) == 7 and again == []
    assert Shift.objects.filter(community=community, visit_target__isnull=False).count() == 1


def test_generate_writes_a_valid_draft_with_breakdown(town, q_sync, run_on_commit):
    community, week = town["community"], town["week_start"]
    run = run_on_commit(roster_generate, community=community, week_start=week, by=town["secretary"])
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED, run.error
    assert run.attempts == 1 and run.objective is not None and run.elapsed is not None
    draft = run.result
    assert draft.status == Roster.Status.DRAFT
    assert set(draft.breakdown) == {"unfilled", "stability", "continuity", "preference", "fairness"}
    problem = load_problem(problem_for_week(community=community, week_start=week).document)
    report = check_solution(problem, _pairs(draft))
    assert report.valid, report.violations
    assert report.objective == draft.objective
    assert draft.unfilled == []  # 8 members, 11 places, 3 shifts each: all fillable
    assert AuditEntry.objects.filter(action="shifts.roster.drafted", object_id=str(draft.pk)).exists()


def test_same_request_twice_starts_one_solve(town, q_sync, django_capture_on_commit_callbacks):
    community, week = town["community"], town["week_start"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = roster_generate(community=community, week_start=week)
        second = roster_generate(community=community, week_start=week)
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert SolveRun.objects.count() == 1


def test_unfilled_shifts_are_explained_in_both_languages(town, q_sync, run_on_commit):
    community, week = town["community"], town["week_start"]
    for member in town["members"]:
        if member.skills.filter(code="mediation").exists():
            member.skills.clear()
    run = run_on_commit(roster_generate, community=community, week_start=week)
    run.refresh_from_db()
    unfilled = run.result.unfilled
    assert len(unfilled) == 1
    item = unfilled[0]
    assert item["missing"] == 1 and item["excluded"] == {"skill": 8}
    assert "skill" in item["explanation"]["en"] and "技能" in item["explanation"]["zh-hans"]


def test_failed_solve_leaves_draft_and_published_untouched(town, q_sync, run_on_commit, monkeypatch):
    community, week = town["community"], town["week_start"]
    run = run_on_commit(roster_generate, community=community, week_start=week)
    run.refresh_from_db()
    roster_publish(roster=run.result, by=None)
    second = run_on_commit(roster_generate, community=community, week_start=week)
    second.refresh_from_db()
    draft = second.result
    before = {r.pk: (r.status, _pairs(r)) for r in Roster.objects.all()}

    import solver

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(solver, "solve", broken)
    mail.outbox.clear()
    failed = run_on_commit(roster_generate, community=community, week_start=week)
    failed.refresh_from_db()
    assert failed.status == SolveRun.Status.FAILED
    assert "solver crashed" in failed.error and failed.result is None
    assert {r.pk: (r.status, _pairs(r)) for r in Roster.objects.all()} == before
    assert Roster.objects.get(pk=draft.pk).status == Roster.Status.DRAFT
    assert [m.to for m in mail.outbox] == [["sec@example.org"]]


def test_resolve_keeps_pins_and_replaces_the_old_draft(town, q_sync, run_on_commit):
    community, week = town["community"], town["week_start"]
    run = run_on_commit(roster_generate, community=community, week_start=week)
    run.refresh_from_db()
    draft = run.result
    kept = draft.assignments.select_related("shift", "member").first()
    assignment_pin(roster=draft, shift=kept.shift, member=kept.member, by=town["secretary"])
    rerun = run_on_commit(roster_generate, community=community, week_start=week, kind=SolveRun.Kind.RESOLVE)
    rerun.refresh_from_db()
    new = rerun.result
    assert new.pk != draft.pk
    assert Roster.objects.get(pk=draft.pk).status == Roster.Status.DISCARDED
    assert new.assignments.filter(shift=kept.shift, member=kept.member, pinned=True).exists()
    assert Roster.objects.filter(community=community, week_start=week, status=Roster.Status.DRAFT).count() == 1


def test_a_retried_task_does_not_write_twice(town, q_sync, run_on_commit):
    community, week = town["community"], town["week_start"]
    run = run_on_commit(roster_generate, community=community, week_start=week)
    outcome = tasks.solve_run(run.pk)
    assert outcome == {"skipped": [run.pk]}
    assert Roster.objects.count() == 1 and SolveRun.objects.get(pk=run.pk).attempts == 1


def test_a_run_whose_worker_died_is_claimed_again(town, q_sync, run_on_commit, django_capture_on_commit_callbacks):
    community, week = town["community"], town["week_start"]
    with django_capture_on_commit_callbacks(execute=False):
        run = roster_generate(community=community, week_start=week)
    # The first worker claimed it and died mid-solve: running, no heartbeat since.
    import datetime as dt

    from django.utils import timezone
    SolveRun.objects.filter(pk=run.pk).update(status=SolveRun.Status.RUNNING, attempts=1, elapsed=1.0,
                                              started_at=timezone.now() - dt.timedelta(minutes=10))
    assert tasks.solve_run(run.pk) != {"skipped": [run.pk]}  # a redelivered task takes over
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED and run.attempts == 2
    assert Roster.objects.filter(status=Roster.Status.DRAFT).count() == 1
    assert Assignment.objects.filter(roster__status=Roster.Status.DRAFT).count() > 0


def test_recover_requeues_stale_runs_and_gives_up_after_max_attempts(town, q_sync, run_on_commit):
    import datetime as dt

    from django.utils import timezone
    community, week = town["community"], town["week_start"]
    stale = SolveRun.objects.create(community=community, week_start=week, status=SolveRun.Status.RUNNING,
                                    attempts=1, elapsed=2, started_at=timezone.now() - dt.timedelta(minutes=5),
                                    time_limit=2)
    other = f.community(name="别处")
    dead = SolveRun.objects.create(community=other, week_start=week, status=SolveRun.Status.RUNNING, attempts=3,
                                   elapsed=2, started_at=timezone.now() - dt.timedelta(minutes=5), time_limit=2)
    requeued = run_on_commit(solve_runs_recover, stale_after=30)
    assert requeued == [stale.pk]
    stale.refresh_from_db()
    dead.refresh_from_db()
    assert stale.status == SolveRun.Status.SUCCEEDED and stale.attempts == 2
    assert dead.status == SolveRun.Status.FAILED and "gave up" not in dead.error and "giving up" in dead.error


@pytest.mark.skipif("faketime" in os.environ.get("LD_PRELOAD", ""),
                    reason="libfaketime breaks timed thread waits (pthread_cond_timedwait), which this test measures")
def test_progress_is_streamed_to_the_run_while_the_solver_works(town, q_sync, run_on_commit, monkeypatch):
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import solver

    real = solver.solve

    def slow(problem, **options):
        options["on_progress"](987654, 123456, 0.1)
        time.sleep(1.3)
        return real(problem, **options)

    monkeypatch.setattr(solver, "solve", slow)
    with CaptureQueriesContext(connection) as queries:
        run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    progress = [q["sql"] for q in queries.captured_queries
                if q["sql"].startswith("UPDATE") and "solverun" in q["sql"] and "987654" in q["sql"]]
    assert len(progress) >= 2  # every ~0.5 s while solving, not only at the end
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED and run.objective != 987654


def test_a_broken_queue_does_not_fail_the_request_and_the_run_waits_for_recovery(town, run_on_commit, monkeypatch):
    import django_q.tasks

    def down(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(django_q.tasks, "async_task", down)
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    assert run.status == SolveRun.Status.QUEUED and run.task_id == ""
