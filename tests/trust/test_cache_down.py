"""Redis down or hanging (issue 23): the cache is an optimisation, never a dependency. With REDIS_URL at a closed
port and at a listener that never answers (the cache and the broker both), every page of every role answers
without a 500, code login and issuing a login code work, and the login limits (kept in the database) hold."""

import datetime as dt

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shifts.messaging.jobs import message_jobs_catch_up
from shifts.models import MessageJob, OutboxMessage
from tests.outages import dead_redis
from volunteers.services.logins import login_token_issue

from .matrix import Probe, content_failures
from .test_permission_matrix import _extras, _objects

OUTAGES = ["closed", "silent"]


@pytest.fixture(params=OUTAGES)
def outage(request, monkeypatch, settings):
    with dead_redis(monkeypatch, settings, request.param) as listener:
        # Not vacuous: the cache is really Redis, and really unreachable (a hanging one gives up on a timeout).
        with pytest.raises(redis.exceptions.TimeoutError if listener else redis.exceptions.ConnectionError):
            cache.get("probe")
        yield listener


def test_cache_down_no_page_answers_500_for_a_secretary_a_member_or_the_district_admin(world, week_start, outage):
    a_extra = _extras(world.a, week_start, label="A")
    week = week_start.isoformat()
    staff_objects = _objects(world.a, a_extra, as_member=False)
    probes = [Probe("secretary-A", world.a.secretary, staff_objects, week),
              Probe("member-A", world.a.member_user, _objects(world.a, a_extra, as_member=True), week),
              Probe("district-admin", world.admin, staff_objects, week),
              Probe("anonymous", None, staff_objects, week)]
    failures = content_failures(probes)  # GETs every page of the site, each role with objects it may open
    assert not failures, "\n".join(failures)


def test_cache_down_a_secretary_issues_a_login_code_and_the_member_logs_in_with_it(
        world, outage, settings, django_capture_on_commit_callbacks):
    settings.SMS_PROVIDER = "outbox"  # the code goes out by text message, kept in the demo outbox
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]
    world.a.member.phone = "13800000001"
    world.a.member.save()
    secretary = Client(raise_request_exception=False)
    secretary.force_login(world.a.secretary)
    url = reverse("member_login_link_issue", args=[world.a.member.pk])
    assert secretary.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the text message is queued, sent after the request
        page = secretary.post(url, {"send": "sms"})
    assert page.status_code == 200
    code = page.context["code"].replace(" ", "")
    member = Client(raise_request_exception=False)
    assert member.get(reverse("member_code_login")).status_code == 200
    assert member.post(reverse("member_code_login"), {"code": code}).status_code == 302
    assert member.get(reverse("my_shifts")).status_code == 200
    # The broker is down too: the text message waits as a MessageJob and the catch-up sends it once it is back.
    job = MessageJob.objects.get(task="shifts.tasks.login_code_send")
    assert message_jobs_catch_up(now=job.created_at + dt.timedelta(minutes=5)) >= 1  # the world's publish's too
    job.refresh_from_db()
    assert job.done_at is not None
    assert OutboxMessage.objects.filter(phone__endswith="13800000001").exists()


def test_cache_down_the_code_login_lockout_still_holds(world, outage, settings):
    _token, old = login_token_issue(member=world.a.member, by=world.a.secretary)
    _token, live = login_token_issue(member=world.a.member, by=world.a.secretary)
    url = reverse("member_code_login")
    statuses = [Client(REMOTE_ADDR="10.7.0.1").post(url, {"code": old}).status_code
                for _attempt in range(settings.CODE_LOGIN_DEVICE_LIMIT)]
    assert statuses[-1] == 429  # a cache that is down neither fails open nor locks everyone out
    assert Client(REMOTE_ADDR="10.7.0.2").post(url, {"code": live}).status_code == 429
    assert Client(REMOTE_ADDR="10.8.0.2").post(url, {"code": live}).status_code == 302


def test_cache_down_password_login_and_its_lockout_work(world, outage):
    from axes.models import AccessAttempt

    url = reverse("login")
    for _attempt in range(5):
        Client(raise_request_exception=False).post(url, {"username": "sec-A", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="sec-A").exists()  # django-axes counts in the database
    assert Client(raise_request_exception=False).post(url, {"username": "sec-A", "password": "x"}).status_code == 429
