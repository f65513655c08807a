"""Twenty members press 我来接班 at the same moment: exactly one is booked, nineteen are told it is taken.

On PostgreSQL (DATABASE_URL) the answers run in 20 real threads released together, each with its own connection
and transaction; on SQLite, which serialises every writer, they run one after another through the same service."""

import datetime as dt
import os

import pytest

from shifts.messaging.jobs import message_jobs_catch_up
from shifts.models import Assignment, CoverAsk, CoverCall, Notification, Roster
from shifts.rostering.cover.answers import BOOKED, TAKEN, YES, cover_answer
from shifts.rostering.cover.calldown import cover_call_start
from tests.races import at_once

from .cover_helpers import build

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cover_on")]

ANSWERS = 20




def test_twenty_simultaneous_yes_one_winner(settings, django_capture_on_commit_callbacks):
    settings.COVER_WAVE_SIZE = ANSWERS
    week = build(members=ANSWERS + 2, min_staff=3, on_shift=2)
    with django_capture_on_commit_callbacks(execute=True):
        call = cover_call_start(shift=week.shift)
    asks = list(CoverAsk.objects.filter(call=call))
    assert len(asks) == ANSWERS
    calls = [lambda ask=ask: cover_answer(ask=ask, answer=YES) for ask in asks]
    if ON_POSTGRES:
        results = at_once(calls)
    else:
        results = [c() for c in calls]
    assert sorted(str(r) for r in results) == sorted([BOOKED] + [TAKEN] * (ANSWERS - 1)), results
    published = Roster.objects.get(community=week.community, status=Roster.Status.PUBLISHED)
    on_shift = Assignment.objects.filter(roster=published, shift=week.shift)
    assert on_shift.count() == 3 and on_shift.filter(source=Assignment.Source.COVER).count() == 1
    call.refresh_from_db()
    assert call.state == CoverCall.State.FILLED
    winner = call.filled_by
    assert [a.member for a in asks if results[asks.index(a)] == BOOKED] == [winner]
    assert CoverAsk.objects.filter(call=call, answer=CoverAsk.Answer.LATE).count() == ANSWERS - 1
    # the queue tells the nineteen "已有人接了，谢谢" (run here in the test process)
    message_jobs_catch_up(now=call.closed_at + dt.timedelta(minutes=5))
    told = Notification.objects.filter(kind="cover_taken")
    assert told.count() == ANSWERS - 1 and winner.pk not in set(told.values_list("member_id", flat=True))


def test_my_shifts_and_the_signed_link_race_one_winner(settings, django_capture_on_commit_callbacks):
    """Ten press 我来接班 on My shifts while ten press it on the text's signed page, at the same moment: the two
    entrances share the one locked answer, so exactly one is booked and the others read 已有人接了."""
    from django.test import Client
    from django.urls import reverse

    from shifts.rostering.cover.answers import ask_token
    from tests import factories as f

    settings.COVER_WAVE_SIZE = ANSWERS
    week = build(members=ANSWERS + 2, min_staff=3, on_shift=2)
    with django_capture_on_commit_callbacks(execute=True):
        call = cover_call_start(shift=week.shift)
    asks = list(CoverAsk.objects.filter(call=call).select_related("member"))
    posts = []
    for i, ask in enumerate(asks):
        client = Client()
        if i % 2:
            client.force_login(f.member_login(ask.member))
            url = reverse("my_cover_answer", args=[ask.pk])
        else:
            url = reverse("cover_answer", args=[ask_token(ask)])
        posts.append(lambda client=client, url=url: client.post(url, {"answer": "yes"}, follow=True))
    responses = at_once(posts) if ON_POSTGRES else [post() for post in posts]
    pages = [r.content.decode() for r in responses]
    assert sum("这个班归您了" in page for page in pages) == 1, [getattr(r, "status_code", r) for r in responses]
    assert sum("已有人接了，谢谢！" in page for page in pages) == ANSWERS - 1
    published = Roster.objects.get(community=week.community, status=Roster.Status.PUBLISHED)
    assert Assignment.objects.filter(roster=published, shift=week.shift, source=Assignment.Source.COVER).count() == 1
    assert CoverAsk.objects.filter(call=call, answer=CoverAsk.Answer.YES).count() == 1
