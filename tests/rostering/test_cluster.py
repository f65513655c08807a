"""End to end on the real queue: `manage.py qcluster` processes against Redis and PostgreSQL.

Runs only when DATABASE_URL points at PostgreSQL and REDIS_URL is set (CI has both). The cluster uses its own
Redis database so that other test runs on the same Redis cannot take its tasks.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shifts.models import Roster, SolveRun
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
REDIS = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.real_queue,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (POSTGRES and REDIS), reason="needs DATABASE_URL=postgres://… and REDIS_URL"),
]


@pytest.fixture
def cluster_env(tmp_path):
    import redis
    from django.db import connection
    from django_q.models import Schedule

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    redis_url = REDIS.rsplit("/", 1)[0] + f"/{10 + os.getpid() % 6}"
    redis.from_url(redis_url).flushdb()
    Schedule.objects.all().delete()  # periodic jobs would act on the test data on their own
    env = {**os.environ, "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": redis_url, "DEBUG": "1", "SOLVER_TIME_LIMIT": "4", "SOLVER_WORKERS": "1",
           "Q_WORKERS": "2", "LOG_LEVEL": "INFO"}
    yield env
    redis.from_url(redis_url).flushdb()


class Cluster:
    """A `manage.py qcluster` in its own process group, so killing it kills its workers too."""

    def __init__(self, env, log: Path):
        self.env, self.log, self.process = env, log, None

    def start(self):
        handle = open(self.log, "ab")
        self.process = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=self.env,
                                        stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def cluster(cluster_env, tmp_path):
    started = []

    def start(**overrides):
        started.append(Cluster({**cluster_env, **overrides}, tmp_path / "qcluster.log").start())
        return started[-1]

    yield start
    for each in started:
        each.stop()


def manage(env, *args) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def wait_until(predicate, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def test_district_generate_on_a_real_cluster(week_start, cluster, cluster_env, tmp_path):
    from shifts.rostering.problem import member_key, problem_for_communities, shift_key
    from shifts.weeks import iso_week_label
    from solver import check_solution, load_problem
    from volunteers.models import AuditEntry

    from .test_district import small_district

    communities, _guest = small_district(week_start)
    cluster()
    out = manage(cluster_env, "roster", "district", "--district", "东城", "--week", iso_week_label(week_start),
                 "--json")
    job = json.loads(out)["job"]
    runs = SolveRun.objects.filter(week_start=week_start)
    wait_until(lambda: runs.count() == 3 and not runs.exclude(status=SolveRun.Status.SUCCEEDED).exists(),
               180, "three solved runs", tmp_path / "qcluster.log")
    for group in (communities[:2], communities[2:]):
        problem = load_problem(problem_for_communities(communities=group, week_start=week_start,
                                                       pins_status=None).document)
        drafts = Roster.objects.filter(community__in=group, week_start=week_start, status=Roster.Status.DRAFT)
        assert drafts.count() == len(group)
        pairs = [(shift_key(a.shift_id), member_key(a.member_id)) for d in drafts for a in d.assignments.all()]
        report = check_solution(problem, pairs)
        assert report.valid, report.violations
    wait_until(lambda: AuditEntry.objects.filter(action="shifts.district.generate_finished",
                                                 object_id=job[:40]).exists(), 60, "the collect step")


def big_community(week_start):
    """56 overlapping patrols that each need a team lead, and 60 members of whom about 30% lead: far from proven
    optimal after 12 seconds (measured: a 40% gap), so the solve is still searching when its worker is killed."""
    import random

    rng = random.Random(7)
    community = f.community(name="大社区")
    patrol = f.duty("patrol", lead_skill="lead")
    for day in range(7):
        for k in range(8):
            start = dt.time(6 + (14 * k) // 8, (k * 15) % 60)
            minutes = rng.choice([120, 150, 180])
            end = (dt.datetime.combine(week_start, start) + dt.timedelta(minutes=minutes)).time()
            f.template(community, patrol, day, start=start, end=end, min_staff=2, max_staff=3)
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for i in range(60):
        f.member(community, name=f"队员{i}", age=rng.randint(58, 88), max_shifts_per_week=rng.randint(2, 5),
                 skills=("lead",) if rng.random() < 0.3 else (),
                 weekday_preferences={d: rng.randint(-6, 6) for d in rng.sample(days, 5)})
    return community


@pytest.mark.skipif("faketime" in os.environ.get("LD_PRELOAD", ""),
                    reason="under libfaketime's '@date' each process's clock starts at that date when the process "
                           "starts, so the recover command and the worker disagree on how old a heartbeat is")
def test_a_worker_killed_mid_solve_is_retried_and_nothing_is_half_written(week_start, cluster, tmp_path):
    from shifts.rostering.problem import member_key, problem_for_week, shift_key
    from solver import check_solution, load_problem
    from volunteers.models import AuditEntry

    community = big_community(week_start)
    # No early stop at a proven gap: the solve must still be searching when the worker is killed.
    first = cluster(SOLVER_TIME_LIMIT="12", SOLVER_GAP="0")
    manage(first.env, "roster", "generate", "--community", community.name, "--week", week_start.isoformat())
    run = SolveRun.objects.get(community=community)

    def taken():
        run.refresh_from_db()
        return run.status == SolveRun.Status.RUNNING

    wait_until(taken, 120, "a worker to take the run", first.log)
    # Three seconds into a 12-second solve that cannot stop early: mid-search.
    time.sleep(3)
    run.refresh_from_db()
    assert run.status == SolveRun.Status.RUNNING
    first.kill()
    run.refresh_from_db()
    assert run.status == SolveRun.Status.RUNNING and run.attempts == 1 and run.result is None
    assert not Roster.objects.filter(community=community).exists()  # nothing half-written

    second = cluster(SOLVER_TIME_LIMIT="4")
    time.sleep(4)  # let the dead worker's heartbeat go stale
    out = manage(second.env, "roster", "recover", "--stale-after", "3")
    assert f"[{run.pk}]" in out

    def finished():
        run.refresh_from_db()
        return run.status in (SolveRun.Status.SUCCEEDED, SolveRun.Status.FAILED)

    wait_until(finished, 180, "the retried run", second.log)
    assert run.status == SolveRun.Status.SUCCEEDED, run.error
    assert run.attempts == 2
    drafts = Roster.objects.filter(community=community)
    assert drafts.count() == 1 and drafts.get().status == Roster.Status.DRAFT
    assert AuditEntry.objects.filter(action="shifts.roster.drafted").count() == 1
    problem = load_problem(problem_for_week(community=community, week_start=week_start).document)
    report = check_solution(problem, [(shift_key(a.shift_id), member_key(a.member_id))
                                      for a in drafts.get().assignments.all()])
    assert report.valid and report.objective == drafts.get().objective
