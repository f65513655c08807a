"""An exhausted call-down (everyone who could take the shift said no or let it pass) asks again when someone new
can take it later — an absence ended, a member joined — on the periodic job's next tick; it never asks anyone
twice, nor after the shift was filled, stopped or began. The secretary hears "asking again", and "nobody left"
again if the new ones say no too. Time is passed relative to the shift, never today's date."""

import datetime as dt

import pytest
from django.urls import reverse

from shifts.models import CoverAsk, CoverCall
from shifts.rostering.cover.answers import NO, YES, cover_answer
from shifts.rostering.cover.calldown import cover_call_start, cover_call_stop, cover_calls_run
from tests import factories as f
from volunteers.models import AuditEntry, Unavailability

from .cover_helpers import asks, build, sent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cover_on")]


@pytest.fixture
def week(settings):
    settings.COVER_WAVE_SIZE = 3
    settings.COVER_WAVE_MINUTES = 15
    # two on the shift, two who could take it, one away at the time
    week = build(members=5, min_staff=3, on_shift=2)
    week.away = Unavailability.objects.create(member=week.members[4], start=week.shift.start - dt.timedelta(hours=1),
                                              end=week.shift.end + dt.timedelta(hours=1), reason="other")
    return week


@pytest.fixture
def now(week, monkeypatch):
    """timezone.now, frozen 20 hours before the short shift (a list: the test moves it)."""
    moment = [week.shift.start - dt.timedelta(hours=20)]
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment[0])
    return moment


def _exhausted(run_on_commit, week) -> CoverCall:
    """Start the call-down; both who could take it say no: nobody is left."""
    call = run_on_commit(cover_call_start, shift=week.shift)
    first = asks(call)
    assert {a.member for a in first} == set(week.members[2:4])
    for ask in first:
        run_on_commit(cover_answer, ask=ask, answer=NO)
    call.refresh_from_db()
    assert call.state == CoverCall.State.EXHAUSTED and len(sent("cover_exhausted")) == 1
    return call


def test_an_exhausted_call_down_stays_quiet_while_nobody_new_can_take_it(week, now, run_on_commit):
    call = _exhausted(run_on_commit, week)
    assert run_on_commit(cover_calls_run)["asked"] == 0
    call.refresh_from_db()
    assert call.state == CoverCall.State.EXHAUSTED and call.rounds == 0
    assert len(sent("cover_exhausted")) == 1 and not sent("cover_reasked")


def test_it_asks_again_when_an_absence_ends_and_never_asks_anyone_twice(week, now, run_on_commit):
    call = _exhausted(run_on_commit, week)
    week.away.delete()  # her time away was cut short: she can take it now
    now[0] += dt.timedelta(minutes=2)
    assert run_on_commit(cover_calls_run)["asked"] == 1
    call.refresh_from_db()
    assert call.state == CoverCall.State.OPEN and call.rounds == 1 and call.waves == 2
    assert [a.member for a in asks(call)][-1] == week.members[4]
    assert len(asks(call)) == 3  # the two who said no are not asked again
    [again] = sent("cover_reasked")
    assert again.user == week.secretary and "1" in again.body
    assert AuditEntry.objects.filter(action="shifts.cover.reasked").count() == 1
    # she says no too: nobody left again, and the secretary hears it again (a second message, not deduplicated)
    run_on_commit(cover_answer, ask=asks(call)[-1], answer=NO)
    now[0] += dt.timedelta(minutes=2)
    run_on_commit(cover_calls_run)
    call.refresh_from_db()
    assert call.state == CoverCall.State.EXHAUSTED and len(sent("cover_exhausted")) == 2
    assert run_on_commit(cover_calls_run)["asked"] == 0
    assert CoverAsk.objects.filter(call=call).count() == 3 and len(sent("cover_ask")) == 3


def test_a_new_member_is_asked_and_can_take_it(week, now, run_on_commit):
    call = _exhausted(run_on_commit, week)
    newcomer = f.member(week.community, name="新来的", email="new@example.org", max_shifts_per_week=5)
    now[0] += dt.timedelta(minutes=2)
    assert run_on_commit(cover_calls_run)["asked"] == 1
    [ask] = [a for a in asks(call) if a.member == newcomer]
    assert run_on_commit(cover_answer, ask=ask, answer=YES) == "booked"
    call.refresh_from_db()
    assert call.state == CoverCall.State.FILLED
    # filled: someone else who could take it now is not asked
    week.away.delete()
    assert run_on_commit(cover_calls_run)["asked"] == 0


def test_not_after_it_was_stopped_or_the_shift_began(week, now, run_on_commit):
    call = _exhausted(run_on_commit, week)
    week.away.delete()
    now[0] = week.shift.start + dt.timedelta(minutes=1)
    assert run_on_commit(cover_calls_run)["asked"] == 0
    call.refresh_from_db()
    assert call.state == CoverCall.State.LAPSED and not sent("cover_reasked")


def test_not_after_the_secretary_stopped_it(week, now, run_on_commit):
    call = _exhausted(run_on_commit, week)
    cover_call_stop(call=call, by=week.secretary)
    week.away.delete()
    assert run_on_commit(cover_calls_run) == {"started": 0, "asked": 0}
    assert len(asks(call)) == 2


def test_the_dashboard_says_asking_again(week, now, run_on_commit, client):
    _exhausted(run_on_commit, week)
    client.force_login(week.secretary)
    assert "已无人可问" in client.get(reverse("dashboard")).content.decode()
    week.away.delete()
    run_on_commit(cover_calls_run)
    page = client.get(reverse("dashboard")).content.decode()
    assert "有新的人可问，正在再次找人接班" in page and "已无人可问" not in page
