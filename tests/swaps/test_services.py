"""Swap services: each kind, each state transition, expiry, the limits, and refusals at apply time."""

import datetime as dt

import pytest
from django.utils import timezone

from shifts import signals
from shifts.models import Assignment, MessageJob, Notification, Roster, Shift, SwapRequest
from shifts.swaps.apply import swaps_expire
from shifts.swaps.requests import (
    MAX_OPEN_REQUESTS,
    swap_request_accept,
    swap_request_approve,
    swap_request_create,
    swap_request_decline,
    swap_request_reject,
    swap_request_withdraw,
)
from shifts.swaps.rules import SwapError, SwapRefused
from shifts.swaps.selectors import swap_candidates, swap_direct_options, swap_offers_for
from tests import factories
from volunteers.models import AuditEntry

State = SwapRequest.State
Kind = SwapRequest.Kind


@pytest.fixture
def changed(monkeypatch):
    """Every assignments_changed signal sent, with its arguments."""
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    signals.assignments_changed.connect(receiver, weak=False)
    yield seen
    signals.assignments_changed.disconnect(receiver)


def _give_away(world, name="王秀英", shift="tue", **kwargs):
    return swap_request_create(requester=world.members[name], kind=Kind.GIVE_AWAY,
                               assignment=world.holder(shift, name), **kwargs)


def test_give_away_with_approval_goes_open_accepted_applied(world, changed, django_capture_on_commit_callbacks):
    giver, taker = world.members["王秀英"], world.members["张桂兰"]
    before = Shift.objects.get(pk=world.shifts["tue"].pk).sequence
    with django_capture_on_commit_callbacks(execute=True):
        swap = _give_away(world)
    assert swap.state == State.OPEN
    assert swap.expires_at == world.shifts["tue"].start
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_accept(swap=swap, member=taker)
    assert swap.state == State.ACCEPTED
    # Until the secretary approves, the giver keeps the shift.
    assert world.on_shift("tue") == {"王秀英"}
    assert changed == []
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_approve(swap=swap, by=world.secretary, note="好的")
    swap.refresh_from_db()
    assert swap.state == State.APPLIED and swap.applied_at is not None
    assert swap.decided_by == world.secretary and swap.decision_note == "好的"
    assert world.on_shift("tue") == {"张桂兰"}
    moved = Assignment.objects.get(pk=swap.assignment_id)
    assert moved.source == Assignment.Source.SWAP and moved.roster == world.roster
    assert Shift.objects.get(pk=world.shifts["tue"].pk).sequence == before + 1
    assert changed == [{"signal": signals.assignments_changed, "member_ids": {giver.pk, taker.pk},
                        "shift_ids": {world.shifts["tue"].pk}, "community_ids": {world.community.pk}}]
    entry = AuditEntry.objects.get(action="shifts.assignment.swapped")
    assert entry.data["moves"] == [{"shift": world.shifts["tue"].pk, "from": giver.pk, "to": taker.pk}]
    applied = Notification.objects.filter(kind="swaps/applied")
    assert {n.member_id for n in applied if n.member_id} == {giver.pk, taker.pk}
    assert [n.user_id for n in applied if n.user_id] == [world.secretary.pk]
    assert Notification.objects.filter(kind="swaps/awaiting_approval", user=world.secretary).exists()


def test_offer_is_announced_to_the_eligible_colleagues_only(world, django_capture_on_commit_callbacks):
    factories.caregiving(world.members["刘德明"], weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    with django_capture_on_commit_callbacks(execute=True):
        _give_away(world)
    told = set(Notification.objects.filter(kind="swaps/offered").values_list("member__name", flat=True))
    assert told == {"李建国", "张桂兰"}


def test_without_approval_the_acceptance_applies_at_once(world, changed, django_capture_on_commit_callbacks):
    world.community.swap_requires_approval = False
    world.community.save()
    swap = _give_away(world)
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_accept(swap=swap, member=world.members["李建国"])
    assert swap.state == State.APPLIED
    assert world.on_shift("tue") == {"李建国"}
    assert len(changed) == 1


def test_second_acceptance_is_refused_and_keeps_the_first(world):
    swap = _give_away(world)
    swap_request_accept(swap=swap, member=world.members["李建国"])
    with pytest.raises(SwapError, match="already taken"):
        swap_request_accept(swap=swap, member=world.members["张桂兰"])
    swap.refresh_from_db()
    assert swap.accepted_by == world.members["李建国"]


def test_cover_only_invited_colleagues_may_accept_and_all_declining_declines(world):
    asked = [world.members["张桂兰"], world.members["刘德明"]]
    swap = swap_request_create(requester=world.members["王秀英"], kind=Kind.COVER,
                               assignment=world.holder("tue", "王秀英"), invited=asked)
    with pytest.raises(SwapError, match="other colleagues"):
        swap_request_accept(swap=swap, member=world.members["李建国"])
    swap = swap_request_decline(swap=swap, member=asked[0])
    assert swap.state == State.OPEN and list(swap.invited.all()) == [asked[1]]
    swap = swap_request_decline(swap=swap, member=asked[1])
    assert swap.state == State.DECLINED
    assert world.on_shift("tue") == {"王秀英"}


def test_cover_refuses_a_colleague_who_would_break_a_rule(world):
    factories.caregiving(world.members["刘德明"], weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    with pytest.raises(SwapError, match="刘德明") as caught:
        swap_request_create(requester=world.members["王秀英"], kind=Kind.COVER,
                            assignment=world.holder("tue", "王秀英"), invited=[world.members["刘德明"]])
    assert caught.value.field == "invited"
    assert not SwapRequest.objects.exists()


def test_direct_swap_trades_both_shifts(world, changed, django_capture_on_commit_callbacks):
    world.community.swap_requires_approval = False
    world.community.save()
    mine, theirs = world.holder("tue", "王秀英"), world.holder("thu", "李建国")
    options = swap_direct_options(assignment=mine)
    assert [o.assignment.pk for o in options] == [theirs.pk]
    swap = swap_request_create(requester=world.members["王秀英"], kind=Kind.DIRECT, assignment=mine,
                               counterpart_assignment=theirs)
    with pytest.raises(SwapError, match="another colleague"):
        swap_request_accept(swap=swap, member=world.members["张桂兰"])
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_accept(swap=swap, member=world.members["李建国"])
    assert swap.state == State.APPLIED
    assert world.on_shift("tue") == {"李建国"} and world.on_shift("thu") == {"王秀英"}
    assert changed[0]["shift_ids"] == {world.shifts["tue"].pk, world.shifts["thu"].pk}


def test_direct_swap_declined_by_the_colleague(world):
    swap = swap_request_create(requester=world.members["王秀英"], kind=Kind.DIRECT,
                               assignment=world.holder("tue", "王秀英"),
                               counterpart_assignment=world.holder("thu", "李建国"))
    swap = swap_request_decline(swap=swap, member=world.members["李建国"])
    assert swap.state == State.DECLINED
    assert world.on_shift("tue") == {"王秀英"} and world.on_shift("thu") == {"李建国"}


def test_direct_swap_that_breaks_a_rule_for_the_requester_is_not_offered(world):
    factories.caregiving(world.members["王秀英"], weekdays="thu", start=dt.time(8, 0), end=dt.time(10, 0))
    mine, theirs = world.holder("tue", "王秀英"), world.holder("thu", "李建国")
    assert swap_direct_options(assignment=mine) == []
    with pytest.raises(SwapRefused, match="王秀英 is not available"):
        swap_request_create(requester=world.members["王秀英"], kind=Kind.DIRECT, assignment=mine,
                            counterpart_assignment=theirs)


def test_withdraw_by_requester_only(world, django_capture_on_commit_callbacks):
    swap = _give_away(world)
    swap_request_accept(swap=swap, member=world.members["张桂兰"])
    with pytest.raises(SwapError, match="Only the person who asked"):
        swap_request_withdraw(swap=swap, member=world.members["张桂兰"])
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_withdraw(swap=swap, member=world.members["王秀英"])
    assert swap.state == State.WITHDRAWN
    assert Notification.objects.get(kind="swaps/withdrawn").member == world.members["张桂兰"]
    with pytest.raises(SwapError, match="no longer open"):
        swap_request_approve(swap=swap, by=world.secretary)


def test_secretary_declines_with_a_note(world, django_capture_on_commit_callbacks):
    swap = _give_away(world)
    swap_request_accept(swap=swap, member=world.members["张桂兰"])
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_reject(swap=swap, by=world.secretary, note="那天需要老队员")
    assert swap.state == State.DECLINED and swap.decision_note == "那天需要老队员"
    assert world.on_shift("tue") == {"王秀英"}
    assert set(Notification.objects.filter(kind="swaps/declined").values_list("member__name", flat=True)) == {
        "王秀英", "张桂兰"}


def test_secretary_of_another_community_cannot_decide(world):
    swap = _give_away(world)
    swap_request_accept(swap=swap, member=world.members["张桂兰"])
    outsider = factories.secretary(factories.community())
    with pytest.raises(SwapError, match="not in one of your communities"):
        swap_request_approve(swap=swap, by=outsider)
    swap.refresh_from_db()
    assert swap.state == State.ACCEPTED


def test_expiry_closes_pending_requests_and_tells_the_requester(world, django_capture_on_commit_callbacks):
    swap = _give_away(world, expires_minutes_before=24 * 60)
    assert swap.expires_at == world.shifts["tue"].start - dt.timedelta(days=1)
    assert swaps_expire(now=swap.expires_at - dt.timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert swaps_expire(now=swap.expires_at) == 1
    assert swaps_expire(now=swap.expires_at) == 0  # idempotent
    swap.refresh_from_db()
    assert swap.state == State.EXPIRED
    told = Notification.objects.get(kind="swaps/expired")
    assert told.member == world.members["王秀英"]
    assert AuditEntry.objects.filter(action="shifts.swap.expired").count() == 1


def test_accepting_after_expiry_fails_and_records_the_expiry(world):
    swap = _give_away(world)
    SwapRequest.objects.filter(pk=swap.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(SwapError, match="expired"):
        swap_request_accept(swap=swap, member=world.members["张桂兰"])
    swap.refresh_from_db()
    assert swap.state == State.EXPIRED and swap.accepted_by is None


def test_expiry_time_must_still_be_ahead(world):
    world.shifts["soon"] = factories.shift(world.community, world.duty,
                                           timezone.now().replace(minute=0, second=0, microsecond=0)
                                           + dt.timedelta(hours=2), min_staff=1, max_staff=2)
    world.assign("soon", "王秀英")
    with pytest.raises(SwapError, match="too late") as caught:
        _give_away(world, shift="soon", expires_minutes_before=24 * 60)
    assert caught.value.field == "expires"


def test_at_most_three_open_requests(world):
    for day in range(MAX_OPEN_REQUESTS):
        world.add_shift(f"d{day}", 4 + day % 3, 9 + day)
        world.assign(f"d{day}", "王秀英")
        _give_away(world, shift=f"d{day}")
    with pytest.raises(SwapError, match="already have 3 open requests"):
        _give_away(world)
    assert SwapRequest.objects.count() == MAX_OPEN_REQUESTS


def test_one_open_request_per_shift(world):
    _give_away(world)
    with pytest.raises(SwapError, match="already an open request"):
        _give_away(world)


def test_someone_elses_shift_is_refused(world):
    with pytest.raises(SwapError, match="not 王秀英's"):
        swap_request_create(requester=world.members["王秀英"], kind=Kind.GIVE_AWAY,
                            assignment=world.holder("thu", "李建国"))
    assert not SwapRequest.objects.exists()


def test_past_shift_is_refused(world):
    world.shifts["past"] = factories.shift(world.community, world.duty,
                                           timezone.now().replace(minute=0, second=0, microsecond=0)
                                           - dt.timedelta(hours=3), min_staff=1, max_staff=2)
    world.assign("past", "王秀英")
    with pytest.raises(SwapError, match="already started or is over"):
        _give_away(world, shift="past")


def test_closed_week_is_refused(world):
    Roster.objects.filter(pk=world.roster.pk).update(status=Roster.Status.SUPERSEDED)
    with pytest.raises(SwapError, match="roster is closed"):
        _give_away(world)


def test_closed_week_at_approval_refuses_and_changes_nothing(world):
    swap = _give_away(world)
    swap_request_accept(swap=swap, member=world.members["张桂兰"])
    Roster.objects.filter(pk=world.roster.pk).update(status=Roster.Status.SUPERSEDED)
    with pytest.raises(SwapRefused, match="closed"):
        swap_request_approve(swap=swap, by=world.secretary)
    assert world.on_shift("tue") == {"王秀英"}


def test_health_changed_since_the_request_is_refused_at_approval(world, django_capture_on_commit_callbacks):
    world.duty.min_health = "limited"
    world.duty.save()
    swap = _give_away(world)
    taker = world.members["张桂兰"]
    swap_request_accept(swap=swap, member=taker)
    taker.health = "frail"
    taker.save()
    sequence = Shift.objects.get(pk=world.shifts["tue"].pk).sequence
    with django_capture_on_commit_callbacks(execute=True), \
            pytest.raises(SwapRefused, match="张桂兰 is outside this duty's age or health limits"):
        swap_request_approve(swap=swap, by=world.secretary)
    swap.refresh_from_db()
    assert swap.state == State.DECLINED and "张桂兰" in swap.refusal
    assert world.on_shift("tue") == {"王秀英"}
    assert Shift.objects.get(pk=world.shifts["tue"].pk).sequence == sequence
    assert not AuditEntry.objects.filter(action="shifts.assignment.swapped").exists()
    assert AuditEntry.objects.filter(action="shifts.swap.refused").exists()
    assert Notification.objects.filter(kind="swaps/refused").count() == 2


def test_shift_changed_hands_meanwhile_is_refused(world):
    swap = _give_away(world)
    swap_request_accept(swap=swap, member=world.members["张桂兰"])
    Assignment.objects.filter(pk=swap.assignment_id).update(member=world.members["刘德明"])
    with pytest.raises(SwapRefused, match="changed hands"):
        swap_request_approve(swap=swap, by=world.secretary)
    assert world.on_shift("tue") == {"刘德明"}


def test_offers_list_what_a_member_may_take(world):
    swap = _give_away(world)
    assert swap_offers_for(member=world.members["张桂兰"]) == [swap]
    assert swap_offers_for(member=world.members["王秀英"]) == []
    factories.caregiving(world.members["刘德明"], weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    assert swap_offers_for(member=world.members["刘德明"]) == []


def test_candidates_are_ranked_lightest_load_first(world):
    world.add_shift("wed", 2, 9)
    world.add_shift("fri", 4, 9)
    world.assign("wed", "张桂兰")
    world.assign("fri", "张桂兰")
    report = swap_candidates(assignment=world.holder("tue", "王秀英"))
    assert [c.member.name for c in report.candidates] == ["刘德明", "李建国", "张桂兰"]
    assert [c.shifts for c in report.candidates] == [0, 1, 2]
    assert report.explanation == ""


def test_expiry_job_is_scheduled_and_runs_through_the_queue_function(world, settings):
    from django_q.models import Schedule
    from django_q.tasks import async_task

    schedule = Schedule.objects.get(name="yure.swaps_expire")
    assert schedule.func == "shifts.tasks.swaps_expire_due" and schedule.repeats == -1
    swap = _give_away(world)
    SwapRequest.objects.filter(pk=swap.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    async_task(schedule.func, sync=True)
    swap.refresh_from_db()
    assert swap.state == State.EXPIRED


def test_messages_go_through_the_queue_after_commit(world, monkeypatch, django_capture_on_commit_callbacks):
    import django_q.tasks

    queued = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda func, *args, **kw: queued.append((func, args)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        swap = _give_away(world)
    assert queued == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    job = MessageJob.objects.get(key=f"swaps/offered:{swap.pk}")  # recorded with the swap, for a catch-up
    assert job.task == "shifts.tasks.swap_messages_send" and job.args == [swap.pk, "swaps/offered"]
    assert queued == [("shifts.tasks.message_job_run", (job.pk,))]
    assert not Notification.objects.exists()  # the page did not wait for mail


def test_a_give_away_is_opened_when_only_the_last_colleague_asked_could_take_it(world, monkeypatch):
    """Colleagues are looked for a few at a time: one fitting colleague after several rounds is enough."""
    monkeypatch.setattr("shifts.swaps.selectors.FIRST_PROBE", 1)
    order = [c.member.name for c in swap_candidates(assignment=world.holder("tue", "王秀英")).candidates]
    *busy, last = sorted(order, key=lambda name: (name, world.members[name].pk))
    for name in busy:
        factories.caregiving(world.members[name], weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    assert _give_away(world).state == State.OPEN
    assert [c.member.name for c in swap_candidates(assignment=world.holder("tue", "王秀英")).candidates] == [last]


def test_a_give_away_nobody_could_take_is_refused_with_the_reasons(world):
    for name in ("李建国", "张桂兰", "刘德明"):
        factories.caregiving(world.members[name], weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    with pytest.raises(SwapError, match="None of the 3 colleagues can take it: 3 are not available then."):
        _give_away(world)
    assert not SwapRequest.objects.exists()
