"""Messages that an event owes, recorded with the event and sent from the queue, caught up if the queue was down.

An event (a swap accepted, a roster published) calls message_job_queue inside its transaction: a MessageJob row
commits with the event, and on commit the job is handed to the queue's broker. A broker that is down or hangs
(Redis) costs the request at most its socket timeout; the job stays pending, and message_jobs_catch_up, which
the cluster runs every few minutes once the broker is back, sends it. The row is marked done only after the
task ran, and the messages themselves are deduplicated (Notification.dedupe_key), so the original task and the
catch-up racing each other still send every message exactly once.
"""

import datetime as dt
import logging
import time
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q import tasks as django_q_tasks
from django_q.models import Schedule

from shifts.models import MessageJob

logger = logging.getLogger(__name__)

TASK_MODULE = "shifts.tasks."
CATCH_UP_GRACE = dt.timedelta(minutes=2)  # the ordinary task has normally run by then
CATCH_UP_WINDOW = dt.timedelta(days=2)  # older news is no longer worth a text message
MAX_ATTEMPTS = 5
KEEP = dt.timedelta(days=7)

# After the broker failed, this process stops trying it for a while (the jobs wait for the catch-up): a hanging
# Redis should cost one request its socket timeout, not every request.
_broker_rest_until = 0.0


def message_job_queue(*, task: str, args: list, key: str) -> MessageJob:
    """Record that `task(*args)` (a function in shifts.tasks) must run, in the caller's transaction, and queue it
    when that commits. Idempotent on `key`: the same event queued twice is one job."""
    if not task.startswith(TASK_MODULE):
        raise ValueError(f"task: {task!r} is not in {TASK_MODULE}")
    job, _created = MessageJob.objects.get_or_create(key=key[:200], defaults={"task": task, "args": list(args)})
    transaction.on_commit(partial(_enqueue, job.pk, job.key))
    return job


def _enqueue(job_id: int, key: str) -> None:
    global _broker_rest_until
    if _broker_rest_until > time.monotonic():
        logger.warning("queue broker resting after a failure: %s waits for the catch-up", key)
        return
    try:
        django_q_tasks.async_task("shifts.tasks.message_job_run", job_id, task_name=key)
    except Exception:  # broker down or hanging: the event is done, its messages follow with the catch-up
        _broker_rest_until = time.monotonic() + settings.QUEUE_REST_SECONDS
        logger.exception("could not queue %s; shifts.tasks.message_jobs_catch_up sends it when the broker is back",
                         key)


def message_job_run(*, job_id: int) -> bool:
    """Run a pending job's task and mark it done; False when it was already done (safe to call twice)."""
    job = MessageJob.objects.filter(pk=job_id, done_at__isnull=True).first()
    if job is None:
        return False
    MessageJob.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
    try:
        import_string(job.task)(*job.args)
    except Exception as exc:
        MessageJob.objects.filter(pk=job.pk).update(error=str(exc)[:300])
        raise
    MessageJob.objects.filter(pk=job.pk).update(done_at=timezone.now(), error="")
    return True


def message_jobs_catch_up(*, now: dt.datetime | None = None) -> int:
    """Run the jobs that are still pending after the grace period (their broker was down, or their task failed);
    returns how many ran. Idempotent; forgets jobs after a week."""
    now = now or timezone.now()
    pending = (MessageJob.objects.filter(done_at__isnull=True, attempts__lt=MAX_ATTEMPTS,
                                         created_at__gte=now - CATCH_UP_WINDOW, created_at__lte=now - CATCH_UP_GRACE)
               .order_by("created_at").values_list("pk", "key"))
    ran = 0
    for pk, key in pending:
        logger.warning("catching up %s, which the queue never ran", key)
        try:
            ran += message_job_run(job_id=pk)
        except Exception:  # one bad job must not hold up the others; it is tried again next time
            logger.exception("catch-up of %s failed", key)
    MessageJob.objects.filter(created_at__lt=now - KEEP).delete()  # done, or past the window and given up on
    return ran


def notification_retry_schedule(*, notification_id: int, when: dt.datetime, name: str) -> None:
    """Deliver a notification again at `when` (a text after a transient provider error, a call after quiet hours,
    busy or no answer): a one-off schedule under `name`, replacing one of that name. The broker being down is
    logged, not raised: the pending or failed row stays visible on the dashboard."""
    try:
        Schedule.objects.filter(name=name).delete()
        django_q_tasks.schedule(TASK_MODULE + "notification_retry", notification_id, schedule_type=Schedule.ONCE,
                                repeats=1, next_run=when, name=name)
    except Exception:
        logger.exception("could not schedule notification %s again (%s)", notification_id, name)
