"""A swap's outcome messages after a real Redis outage, sent by a real `manage.py qcluster` (issue 23).

The web side commits the swap while the broker points at a closed port; then the broker is back (the real Redis
of REDIS_URL), a cluster starts, its scheduler runs the catch-up, and the messages go out once. The original
task, arriving late through the real broker, sends nothing more. Runs only with PostgreSQL and Redis."""

import datetime as dt
import os
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from shifts.models import MessageJob, Notification, SwapRequest
from shifts.swaps.requests import swap_request_accept, swap_request_approve, swap_request_create
from tests.outages import broker_at, closed_port, redis_settings
from tests.rostering.test_cluster import Cluster, wait_until

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
REDIS = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.real_queue,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (POSTGRES and REDIS), reason="needs DATABASE_URL=postgres://… and REDIS_URL"),
]


@pytest.fixture
def cluster_env():
    import redis
    from django.db import connection
    from django_q.models import Schedule

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    queue = redis.from_url(REDIS)
    queue.delete("django_q:yure:q")  # only this cluster's queue, in the Redis database REDIS_URL names
    # Periodic jobs other than the catch-up would act on the test data on their own. An earlier transactional
    # test's flush may have emptied the table: the catch-up is made again by its migration's own function.
    Schedule.objects.all().delete()
    import_module("shifts.migrations.0006_cache_message_jobs").create_schedule(django_apps, None)
    env = {**os.environ, "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": REDIS, "DEBUG": "1", "Q_WORKERS": "1", "LOG_LEVEL": "INFO"}
    yield env
    queue.delete("django_q:yure:q")


def _swap_applied_during_the_outage(world, monkeypatch) -> SwapRequest:
    down = redis_settings(monkeypatch, f"redis://127.0.0.1:{closed_port()}/2")["BROKER"]
    with broker_at(monkeypatch, down):  # real commits: each event's on-commit enqueue meets the closed port
        swap = swap_request_create(requester=world.members["王秀英"], kind=SwapRequest.Kind.GIVE_AWAY,
                                   assignment=world.holder("tue", "王秀英"))
        swap_request_accept(swap=swap, member=world.members["张桂兰"])
        swap_request_approve(swap=swap, by=world.secretary)
    swap.refresh_from_db()
    return swap


def test_broker_down_swap_outcome_is_sent_by_a_real_cluster_after_redis_is_back(
        world, monkeypatch, cluster_env, tmp_path):
    from django_q.models import Schedule, Task
    from django_q.tasks import async_task

    for name in ("王秀英", "张桂兰"):
        world.members[name].email = f"{name}@example.org"
        world.members[name].save()
    swap = _swap_applied_during_the_outage(world, monkeypatch)
    assert swap.state == SwapRequest.State.APPLIED and not Notification.objects.exists()
    jobs = MessageJob.objects.filter(key__endswith=f":{swap.pk}")
    assert jobs.count() == 3 and not jobs.exclude(done_at__isnull=True).exists()

    # The outage lasted past the catch-up's grace period; the cluster's scheduler runs the catch-up now.
    jobs.update(created_at=timezone.now() - dt.timedelta(minutes=3))
    Schedule.objects.filter(name="yure.message_jobs_catch_up").update(next_run=timezone.now())
    log = tmp_path / "qcluster.log"
    cluster = Cluster(cluster_env, log).start()
    try:
        wait_until(lambda: not jobs.filter(done_at__isnull=True).exists(), 120, "the catch-up", log)
        outcome = Notification.objects.filter(dedupe_key__startswith=f"swaps/applied:{swap.pk}:")
        assert sorted(n.member.name for n in outcome if n.member) == ["张桂兰", "王秀英"]
        assert {n.status for n in outcome if n.member} == {Notification.Status.SENT}

        # The original task, queued late through the real broker, finds its job done and sends nothing.
        job = jobs.get(key=f"swaps/applied:{swap.pk}")
        up = redis_settings(monkeypatch, REDIS)["BROKER"]
        with broker_at(monkeypatch, up):
            async_task("shifts.tasks.message_job_run", job.pk, task_name="late-original")
        wait_until(lambda: Task.objects.filter(name="late-original").exists(), 60, "the late task", log)
        assert Task.objects.get(name="late-original").result is False
        assert not Notification.objects.filter(attempts__gt=1).exists()
        assert Notification.objects.filter(dedupe_key__startswith=f"swaps/applied:{swap.pk}:").count() == \
            outcome.count()
    finally:
        cluster.stop()

