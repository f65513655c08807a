"""A swap made while the queue's broker (Redis) is down or hangs (issue 23): every page answers, the swap is
done at once, and its messages are sent once the broker is back, by the scheduled catch-up, exactly once."""

import datetime as dt

import pytest
import redis
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_q.models import Schedule
from django_q.tasks import async_task

from shifts.messaging.jobs import message_jobs_catch_up
from shifts.models import MessageJob, Notification, SwapRequest
from tests import factories
from tests.outages import dead_redis

State = SwapRequest.State
LATER = dt.timedelta(minutes=5)  # the outage is over and the catch-up's grace period has passed


def _login(user) -> Client:
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def people(world):
    for name, email in (("王秀英", "giver@example.org"), ("张桂兰", "taker@example.org")):
        world.members[name].email = email
        world.members[name].save()
    world.secretary.email = "secretary@example.org"
    world.secretary.save()
    return {"giver": _login(factories.member_login(world.members["王秀英"])),
            "taker": _login(factories.member_login(world.members["张桂兰"])),
            "secretary": _login(world.secretary)}


def _swap_through_the_pages(world, people, committed) -> SwapRequest:
    """Offer, accept, approve: the member's and the secretary's real forms (each request's on-commit work runs
    as it would after a real commit); every answer is a redirect."""
    mine = world.holder("tue", "王秀英")
    answers = []
    with committed(execute=True):
        answers.append(people["giver"].post(reverse("swap_new", args=[mine.pk]),
                                            {"kind": "give_away", "expires": "120"}))
    swap = SwapRequest.objects.get()
    with committed(execute=True):
        answers.append(people["taker"].post(reverse("swap_accept", args=[swap.pk])))
    with committed(execute=True):
        answers.append(people["secretary"].post(reverse("swap_approve", args=[swap.pk]), {"note": "同意"}))
    assert [a.status_code for a in answers] == [302, 302, 302]
    swap.refresh_from_db()
    return swap


@pytest.mark.parametrize("outage", ["closed", "silent"])
def test_broker_down_swap_outcome_messages_are_sent_after_the_outage_exactly_once(
        world, people, monkeypatch, settings, outage, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with dead_redis(monkeypatch, settings, outage) as listener:
        swap = _swap_through_the_pages(world, people, django_capture_on_commit_callbacks)
        if listener:
            # After the first failure the process left the broker alone: three events, one connection.
            assert listener.accepted == 1
        # The broker really is unreachable, and a hanging one is given up on (a timeout, not its hang-up).
        with pytest.raises(redis.exceptions.TimeoutError if listener else redis.exceptions.ConnectionError):
            async_task("shifts.tasks.message_jobs_catch_up")
    assert swap.state == State.APPLIED and world.on_shift("tue") == {"张桂兰"}
    assert not Notification.objects.exists() and not mail.outbox
    pending = MessageJob.objects.filter(done_at__isnull=True)
    assert sorted(pending.values_list("key", flat=True)) == sorted(
        f"{kind}:{swap.pk}" for kind in ("swaps/offered", "swaps/awaiting_approval", "swaps/applied"))

    # The broker is back: the cluster runs the scheduled catch-up, after a grace period for the ordinary task.
    schedule = Schedule.objects.get(name="yure.message_jobs_catch_up")
    assert schedule.func == "shifts.tasks.message_jobs_catch_up" and schedule.repeats == -1
    created = max(pending.values_list("created_at", flat=True))
    assert message_jobs_catch_up(now=created) == 0
    assert message_jobs_catch_up(now=created + LATER) == 3
    outcome = Notification.objects.filter(dedupe_key__startswith=f"swaps/applied:{swap.pk}:")
    assert {n.status for n in outcome} == {Notification.Status.SENT} and outcome.count() == 3  # both, secretary
    applied_mail = sorted(m.to[0] for m in mail.outbox if m.subject in {n.subject for n in outcome})
    assert applied_mail == ["giver@example.org", "secretary@example.org", "taker@example.org"]

    # Exactly once: the catch-up again, and the original task arriving late, send nothing more.
    sent = len(mail.outbox)
    assert message_jobs_catch_up(now=created + LATER) == 0
    for job in MessageJob.objects.all():
        async_task("shifts.tasks.message_job_run", job.pk)
    async_task("shifts.tasks.swap_messages_send", swap.pk, "swaps/applied")
    assert len(mail.outbox) == sent and Notification.objects.filter(attempts__gt=1).count() == 0


def test_broker_down_a_failing_task_is_retried_by_the_catch_up_then_left_alone(
        world, monkeypatch, django_capture_on_commit_callbacks):
    from shifts.messaging import jobs as message_jobs
    from shifts.swaps import messages as swap_messages

    swap = SwapRequest.objects.create(kind=SwapRequest.Kind.GIVE_AWAY, requester=world.members["王秀英"],
                                      assignment=world.holder("tue", "王秀英"),
                                      expires_at=world.at(1, 17))
    monkeypatch.setattr(swap_messages, "swap_messages_send", lambda **kw: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):  # the ordinary task fails (a provider bug, say)
        swap_messages.swap_messages_queue(swap.pk, "swaps/offered")
    job = MessageJob.objects.get()
    assert job.done_at is None and job.attempts == 1 and "division" in job.error
    later = job.created_at + LATER
    for _run in range(message_jobs.MAX_ATTEMPTS + 2):
        assert message_jobs_catch_up(now=later) == 0
    job.refresh_from_db()
    assert job.attempts == message_jobs.MAX_ATTEMPTS and job.done_at is None  # given up on, visibly
    assert message_jobs_catch_up(now=job.created_at + dt.timedelta(days=8)) == 0
    assert not MessageJob.objects.exists()  # forgotten after a week
