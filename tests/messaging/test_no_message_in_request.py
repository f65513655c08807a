"""No message is sent inside a web request (issue 24): what a request owes people is recorded as a MessageJob in its
transaction and sent by the queue once it commits (shifts.messaging.jobs), so a slow or failing text-message
provider never holds up, or breaks, the page.

These tests use a real broker (django-q2's ORM broker, in the test database) instead of the suite's run-at-once
queue, so what a request queues waits on the broker as it does for the cluster in production; the request's
transaction commits (its on-commit work runs) before anything is checked. Then a worker's part is played: each
message job the request left on the broker is run through django-q2's task path.
"""

import ast
import datetime as dt
import pathlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.tasks import async_task

from shifts import tasks
from shifts.models import MessageJob, NoShowCheck, Notification, OutboxMessage, Roster, WelfareLadder
from shifts.rostering.confirmations import confirmations_request
from tests import factories
from tests.site_week import build_site
from volunteers.models import Unavailability

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]
SENDS = {"notify_member", "notify_staff", "notify_proxy", "notify_user", "notification_deliver"}


@pytest.fixture
def broker(monkeypatch):
    """Queue tasks go to a broker and wait there (not run at once inside the request)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
    monkeypatch.setattr(Conf, "BROKER_CLASS", None)


def worker_runs_message_jobs(monkeypatch) -> list[str]:
    """What a cluster worker does with the message jobs on the broker: take each and run it (django-q2's task
    path). Returns the keys of the jobs it ran."""
    ran = []
    for row in OrmQ.objects.order_by("pk"):
        task = row.task
        if task["func"] != "shifts.tasks.message_job_run":
            continue  # a solve the re-plan queued: not what these tests are about
        row.delete()
        with monkeypatch.context() as worker:
            worker.setattr(Conf, "SYNC", True)
            async_task(task["func"], *task["args"], **task["kwargs"])
        ran.append(MessageJob.objects.get(pk=task["args"][0]).key)
    return ran


@pytest.fixture
def site(week_start):
    site = build_site(week_start)
    for i, member in enumerate(site.members):
        member.phone = f"1380000000{i}"
        member.save()
    return site


def _on_shift(site, member) -> Roster:
    return site.roster(Roster.Status.PUBLISHED, [(site.shifts[0], member)])


def _member_client(client, member):
    client.force_login(factories.member_login(member))
    return client


# ------------------------------------------------------------------ a slow or failing provider

@pytest.mark.parametrize("mode", ["timeout", "server_busy"])
def test_a_slow_or_failing_sms_provider_neither_delays_nor_fails_the_members_absence(
        standin, mode, broker, site, client, monkeypatch, django_capture_on_commit_callbacks):
    """The member taps "I can't come" while the provider answers only after SMS_TIMEOUT (or refuses): the page
    answers without calling the provider at all, and the confirmation is sent when the queued job runs."""
    member = site.members[0]
    assignment = _on_shift(site, member).assignments.get()
    standin.mode = mode
    with django_capture_on_commit_callbacks(execute=True):  # the request's transaction commits
        answer = _member_client(client, member).post(reverse("cant_come", args=[assignment.pk]),
                                                     {"reason": Unavailability.Reason.ILLNESS})
    assert answer.status_code == 302 and answer.url == reverse("my_shifts")
    assert Unavailability.objects.filter(member=member, start=site.shifts[0].start).exists()
    # Not one call to the provider, not one message, in the request (nor in its on-commit work): the member
    # never waits on SMS_TIMEOUT, whatever the provider does. (The provider's log, not a stopwatch, is the proof.)
    assert standin.requests == [] and not Notification.objects.exists()
    job = MessageJob.objects.get(task="shifts.tasks.absence_confirmation_send")
    assert job.done_at is None

    # The worker runs the job: the provider's slowness or refusal is the worker's to wait out and retry.
    assert worker_runs_message_jobs(monkeypatch) == [job.key]
    note = Notification.objects.get(member=member, kind="absence_recorded")
    assert len(standin.requests) == 1 and standin.requests[0]["phone"].endswith("13800000000")
    assert note.status == Notification.Status.FAILED and note.error
    standin.mode = "ok"  # the provider recovers: the retry notify scheduled sends it, once
    assert tasks.notification_retry(note.pk) == Notification.Status.SENT
    assert tasks.notification_retry(note.pk) == Notification.Status.SENT and len(standin.requests) == 2


# ------------------------------------------------------------------ every request that owes a message

# Each returns the request to make, once what must exist before it (a published roster, a link) is set up.

def _cant_come(site, client, member):
    assignment = _on_shift(site, member).assignments.get()
    member_client = _member_client(client, member)
    return lambda: member_client.post(reverse("cant_come", args=[assignment.pk]), {"reason": "illness"})


def _away(site, client, member):
    _on_shift(site, member)
    first = site.shifts[0].start.date()
    member_client = _member_client(client, member)
    return lambda: member_client.post(reverse("absence_period"), {
        "first_day": first.isoformat(), "last_day": (first + dt.timedelta(days=2)).isoformat(), "reason": "travel"})


def _secretary_records_absence(site, client, member):
    _on_shift(site, member)
    client.force_login(site.secretary)
    shift = site.shifts[0]
    return lambda: client.post(reverse("member_absence_create", args=[member.pk]), {
        "start": timezone.localtime(shift.start).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(shift.end).strftime("%Y-%m-%dT%H:%M"), "reason": "hospital"})


def _no_show(outcome):
    def prepare(site, client, member):
        member.lives_alone = True
        member.save()
        check = NoShowCheck.objects.create(shift=site.shifts[0], member=member)
        ladder = WelfareLadder.objects.create(shift=site.shifts[0], member=member, trigger="no_show", no_show=check,
                                              due_at=site.shifts[0].start)
        _on_shift(site, member)
        client.force_login(site.secretary)
        return lambda: client.post(reverse("welfare_answer", args=[ladder.pk]), {"outcome": outcome})
    return prepare


def _login_code(site, client, member):
    client.force_login(site.secretary)
    return lambda: client.post(reverse("member_login_link_issue", args=[member.pk]), {"send": "sms"})


def _declined_by_link(site, client, member):
    confirmations_request(roster=_on_shift(site, member))  # a queue task's work, done before the request
    text = OutboxMessage.objects.get(notification__member=member, notification__kind="confirm_request").text
    path = re.search(r"/c/\S+/", text).group(0)
    return lambda: client.post(path + "no/", {"reason": "illness"})


REQUESTS = {
    "cant come": (_cant_come, {"absence_recorded"}),
    "time away": (_away, {"absence_recorded"}),
    "secretary records an absence": (_secretary_records_absence, {"absence_recorded"}),
    "no-show ill": (_no_show("ill"), {"absence_recorded"}),
    "login code by text": (_login_code, {"login_code"}),
    "week declined by link": (_declined_by_link, {"absence_recorded"}),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_every_request_that_owes_a_message_queues_it_and_sends_nothing_itself(
        name, outbox_sms, broker, site, client, monkeypatch, django_capture_on_commit_callbacks):
    prepare, kinds = REQUESTS[name]
    member = site.members[1]
    make_request = prepare(site, client, member)
    before = set(Notification.objects.values_list("pk", flat=True))
    # The set-up's publish leaves its own job waiting (published just before its messages go out): not this one's.
    jobs_before = set(MessageJob.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):  # the request's transaction commits
        answer = make_request()
    assert answer.status_code in (200, 302), answer.content[:500]
    assert set(Notification.objects.values_list("pk", flat=True)) == before, "a message was sent in the request"
    assert worker_runs_message_jobs(monkeypatch)
    sent = Notification.objects.exclude(pk__in=before)
    assert {n.kind for n in sent} == kinds
    assert not MessageJob.objects.filter(done_at__isnull=True).exclude(pk__in=jobs_before).exists()


# ------------------------------------------------------------------ the guard

def _view_modules() -> list[pathlib.Path]:
    found = [*ROOT.glob("shifts/**/views*.py"), *ROOT.glob("shifts/**/views/*.py"),
             *ROOT.glob("volunteers/views/*.py"), *ROOT.glob("scheduler_site/**/views*.py")]
    return sorted(set(found))


def test_no_view_module_sends_a_message_itself():
    """Views call services; a service that owes a message queues it (shifts.messaging.jobs). A view that imports
    the senders, or calls one, would send inside the request."""
    modules = _view_modules()
    assert len(modules) > 10  # not vacuous: the feature packages' views are found
    offences = []
    for path in modules:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in {"shifts.messaging.notify", "shifts.messaging.sms"}:
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("shifts.messaging.notify") for a in node.names):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports the senders")
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in SENDS:
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {name}")
    assert not offences, "\n".join(offences)


# Functions that send once a transaction commits, and why that transaction is never a web request's.
SENT_AFTER_A_QUEUE_TASK = {
    "shifts/rostering/solving.py:_notify_proposal": "the solve runs on the queue worker",
    "shifts/rostering/solving.py:_notify_failure": "the solve runs on the queue worker",
}


def test_no_service_sends_from_a_request_s_on_commit():
    """The old way round the rule: a service registers a sender with transaction.on_commit, which then runs in
    the request that committed. Work owed after commit goes through message_job_queue instead; the only
    on-commit senders left are those whose transaction is a queue task's (named above, with the reason)."""
    found = set()
    for path in sorted([*ROOT.glob("shifts/**/*.py"), *ROOT.glob("volunteers/**/*.py")]):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        senders = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                   and any(isinstance(call, ast.Call) and (getattr(call.func, "id", None)
                                                           or getattr(call.func, "attr", None)) in SENDS
                           for call in ast.walk(node))}
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "on_commit" and call.args):
                continue
            target = call.args[0]
            if isinstance(target, ast.Call) and getattr(target.func, "id", None) == "partial" and target.args:
                target = target.args[0]
            name = getattr(target, "id", None)
            if name in senders:
                found.add(f"{path.relative_to(ROOT)}:{name}")
    assert found == set(SENT_AFTER_A_QUEUE_TASK), found ^ set(SENT_AFTER_A_QUEUE_TASK)
