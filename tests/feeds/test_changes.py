"""How feeds follow changes through the real services: checks 8, 9, 10, 11 and 14 of the feed spec."""

import datetime as dt

from shifts.models import Assignment, Shift
from shifts.rostering.setup import shift_edit
from shifts.swaps.requests import swap_request_accept, swap_request_create
from tests import factories
from tests.feeds.conftest import clear_feed_cache, clock, events, fetch, later


def _uid(world, name, suffix=""):
    return f"yure-shift-{world.shifts[name].pk}{suffix}@yure"


def test_uids_unique_and_stable_when_other_shifts_come_and_go(world, client, django_capture_on_commit_callbacks):
    # check 8
    token = world.community_token()
    before = events(fetch(client, token).content)
    assert len(before) == len(set(before)) == 3
    extra = factories.shift(world.community, world.duties["patrol"], world.at(4, 9), min_staff=1)
    world.shifts["extra"] = extra
    world.publish({"patrol": ["王秀英", "李建国"], "mediation": ["张桂兰"], "visit": ["王秀英"], "extra": ["刘德明"]})
    grown = events(fetch(client, token).content)
    assert set(before) < set(grown)
    with django_capture_on_commit_callbacks(execute=True):
        world.shifts["mediation"].delete()
    after = events(fetch(client, token).content)
    assert _uid(world, "patrol", ".c") in after and _uid(world, "visit", ".c") in after
    personal = events(fetch(client, world.token("王秀英")).content)
    assert set(personal) == {_uid(world, "patrol"), _uid(world, "visit")}


def test_two_renders_without_change_are_byte_identical(world, client):  # check 9
    token = world.token("王秀英")
    first = fetch(client, token)
    clear_feed_cache()  # a real second render, not the cached bytes
    second = fetch(client, token)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["Last-Modified"] == second["Last-Modified"]


def test_editing_a_shift_raises_sequence_and_last_modified(world, client, django_capture_on_commit_callbacks):
    # check 10
    token = world.token("王秀英")
    first = fetch(client, token)
    before = events(first.content)[_uid(world, "patrol")]
    shift = world.shifts["patrol"]
    with clock(later(2)):
        with django_capture_on_commit_callbacks(execute=True):  # the secretary's edit, through its service
            shift_edit(shift=shift, by=world.secretary, start=shift.start, end=shift.end, location="社区西门",
                       min_staff=shift.min_staff, max_staff=shift.max_staff)
        second = fetch(client, token, If_None_Match=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    after = events(second.content)[_uid(world, "patrol")]
    assert str(after["LOCATION"]) == "社区西门"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt
    assert second["Last-Modified"] != first["Last-Modified"]


def test_an_edit_that_forgets_the_sequence_still_raises_it(world, client, django_capture_on_commit_callbacks):
    # The secretary's form holds the shift as it was loaded before the publish raised its SEQUENCE in the
    # database; shift_edit raises the stored number, not the stale one it was given, and the feed shows a higher
    # SEQUENCE than its subscribers hold.
    token = world.token("王秀英")
    before = events(fetch(client, token).content)[_uid(world, "patrol")]
    shift = world.shifts["patrol"]
    stored = Shift.objects.get(pk=shift.pk).sequence
    assert shift.sequence < stored
    with clock(later(2)):
        with django_capture_on_commit_callbacks(execute=True):
            shift_edit(shift=shift, by=world.secretary, start=shift.start + dt.timedelta(minutes=30),
                       end=shift.end + dt.timedelta(minutes=30), location=shift.location, min_staff=shift.min_staff,
                       max_staff=shift.max_staff)
        assert Shift.objects.get(pk=shift.pk).sequence == stored + 1  # raised from the stored number
        after = events(fetch(client, token).content)[_uid(world, "patrol")]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["DTSTART"].dt == shift.start


def test_reassigned_shift_is_cancelled_for_the_old_member_and_appears_for_the_new(
        world, client, django_capture_on_commit_callbacks):  # check 11
    old_token, new_token = world.token("李建国"), world.token("刘德明")
    before = events(fetch(client, old_token).content)[_uid(world, "patrol")]
    assert _uid(world, "patrol") not in events(fetch(client, new_token).content)
    with clock(later(2)):
        world.publish({"patrol": ["王秀英", "刘德明"], "mediation": ["张桂兰"], "visit": ["王秀英"]})
        gone = events(fetch(client, old_token).content)[_uid(world, "patrol")]
        arrived = events(fetch(client, new_token).content)[_uid(world, "patrol")]
        teammate = events(fetch(client, world.token("王秀英")).content)[_uid(world, "patrol")]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert gone["SEQUENCE"] > before["SEQUENCE"]
    assert str(arrived["STATUS"]) == "CONFIRMED"
    assert arrived["SEQUENCE"] > before["SEQUENCE"]
    assert "刘德明" in str(teammate["DESCRIPTION"]) and "李建国" not in str(teammate["DESCRIPTION"])
    # After the grace period the cancelled event is gone altogether.
    with clock(later(60 * 24 * 8)):
        assert _uid(world, "patrol") not in events(fetch(client, old_token).content)


def test_a_swap_moves_the_shift_between_feeds(world, client, django_capture_on_commit_callbacks):
    giver, taker = world.members["李建国"], world.members["刘德明"]
    assignment = Assignment.objects.get(roster=world.roster, shift=world.shifts["patrol"], member=giver)
    giver_token, taker_token = world.token("李建国"), world.token("刘德明")
    before = fetch(client, giver_token)
    with django_capture_on_commit_callbacks(execute=True):
        swap = swap_request_create(requester=giver, kind="give_away", assignment=assignment)
    with django_capture_on_commit_callbacks(execute=True):
        swap_request_accept(swap=swap, member=taker)
    after = fetch(client, giver_token, If_None_Match=before["ETag"])
    assert after.status_code == 200
    assert str(events(after.content)[_uid(world, "patrol")]["STATUS"]) == "CANCELLED"
    assert str(events(fetch(client, taker_token).content)[_uid(world, "patrol")]["STATUS"]) == "CONFIRMED"


def test_deleting_a_shift_changes_etag_and_last_modified(world, client, django_capture_on_commit_callbacks):
    # check 14, deletion
    tokens = [world.token("张桂兰"), world.community_token(), world.duty_token("mediation")]
    first = [fetch(client, token) for token in tokens]
    uids = [_uid(world, "mediation", suffix) for suffix in ("", ".c", ".d")]
    sequences = [events(response.content)[uid]["SEQUENCE"] for response, uid in zip(first, uids, strict=True)]
    with clock(later(2)):
        with django_capture_on_commit_callbacks(execute=True):
            world.shifts["mediation"].delete()
        second = [fetch(client, token) for token in tokens]
    for a, b, uid, sequence in zip(first, second, uids, sequences, strict=True):
        assert b["ETag"] != a["ETag"]
        assert b["Last-Modified"] != a["Last-Modified"]
        cancelled = events(b.content)[uid]
        assert str(cancelled["STATUS"]) == "CANCELLED"
        assert cancelled["SEQUENCE"] > sequence


def test_a_shift_falling_out_of_the_window_changes_etag_and_last_modified(world, client):
    # check 14, window
    token = world.token("王秀英")
    first = fetch(client, token)
    assert _uid(world, "patrol") in events(first.content)
    patrol_day = world.shifts["patrol"].start
    with clock(patrol_day + dt.timedelta(days=57, hours=1)):
        second = fetch(client, token)
    assert _uid(world, "patrol") not in events(second.content)
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] != first["Last-Modified"]
