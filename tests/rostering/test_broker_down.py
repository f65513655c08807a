"""A roster published while the queue's broker (Redis) is down: the roster is published at once and its
messages are sent once the broker is back, by the scheduled catch-up, exactly once (issue 16)."""

import datetime as dt
import socket

import pytest
from django.core import mail
from django_q.conf import Conf
from django_q.models import Schedule
from django_q.tasks import async_task

from shifts.models import Notification, Roster
from shifts.rostering.messages import roster_messages_catch_up
from shifts.rostering.rosters import roster_publish
from tests import factories as f

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def draft(week_start):
    community = f.community(name="和平里")
    shift = f.shift(community, f.duty("patrol"), dt.datetime.combine(week_start, dt.time(9)))
    members = [f.member(community, name=f"队员{i}", email=f"m{i}@example.org") for i in range(2)]
    return f.draft_roster(community, week_start, {shift: members})


def test_messages_of_a_roster_published_while_the_broker_is_down_are_sent_when_it_is_back(
        draft, run_on_commit, monkeypatch):
    with monkeypatch.context() as broker_down:  # the Redis broker, on a port nothing listens on
        broker_down.setattr(Conf, "SYNC", False)
        broker_down.setattr(Conf, "ORM", None)
        broker_down.setattr(Conf, "REDIS", f"redis://127.0.0.1:{_closed_port()}/5")
        mail.outbox.clear()
        roster = run_on_commit(roster_publish, roster=draft, by=None)
        with pytest.raises(Exception):  # noqa: B017 - whatever redis-py raises: the broker is really down
            async_task("shifts.tasks.roster_messages_catch_up")
    assert roster.status == Roster.Status.PUBLISHED
    assert not Notification.objects.exists() and not mail.outbox

    # The broker is back: the cluster runs the scheduled catch-up.
    schedule = Schedule.objects.get(name="yure.roster_messages_catch_up")
    assert schedule.func == "shifts.tasks.roster_messages_catch_up" and schedule.repeats == -1
    assert roster_messages_catch_up(now=roster.published_at) == 0  # a grace period for the ordinary task
    later = roster.published_at + dt.timedelta(minutes=5)
    assert roster_messages_catch_up(now=later) == 1
    # each member gets the one message the ordinary task sends: the request to confirm the week, saying it is out
    assert sorted(m.to[0] for m in mail.outbox) == ["m0@example.org", "m1@example.org"]
    assert roster_messages_catch_up(now=later) == 0  # once only
    assert len(mail.outbox) == 2


def test_catch_up_task_runs_through_the_queue(draft, run_on_commit):
    roster = run_on_commit(roster_publish, roster=draft, by=None)  # broker up: messages sent the ordinary way
    sent = len(mail.outbox)  # the requests to confirm the week, each saying what was published
    assert Notification.objects.filter(dedupe_key__startswith="confirm:").count() == 2
    async_task("shifts.tasks.roster_messages_catch_up")
    assert len(mail.outbox) == sent and Notification.objects.filter(dedupe_key__startswith="confirm:").count() == 2
    assert not Notification.objects.filter(dedupe_key__startswith=f"roster:{roster.pk}:").exists()


def test_broker_down_publish_messages_are_caught_up_by_the_message_jobs(draft, run_on_commit, monkeypatch):
    from shifts.messaging.jobs import message_jobs_catch_up
    from shifts.models import MessageJob

    with monkeypatch.context() as broker_down:
        broker_down.setattr(Conf, "SYNC", False)
        broker_down.setattr(Conf, "ORM", None)
        broker_down.setattr(Conf, "REDIS", f"redis://127.0.0.1:{_closed_port()}/5")
        mail.outbox.clear()
        roster = run_on_commit(roster_publish, roster=draft, by=None)
    job = MessageJob.objects.get(key=f"notify-roster-{roster.pk}")
    assert job.done_at is None and not mail.outbox
    assert message_jobs_catch_up(now=job.created_at + dt.timedelta(minutes=5)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["m0@example.org", "m1@example.org"]  # one message each
    # The roster's own catch-up finds nothing missing: each message once.
    assert roster_messages_catch_up(now=roster.published_at + dt.timedelta(minutes=5)) == 0
    assert len(mail.outbox) == 2
