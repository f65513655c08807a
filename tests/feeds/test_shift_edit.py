"""A secretary's change to one published shift reaches members' calendars through the real sender of
shift_changed (shifts.rostering.setup.shift_edit), with a higher SEQUENCE."""

import datetime as dt

from shifts.rostering.setup import shift_edit
from tests.feeds.conftest import clock, events, fetch, later


def test_shift_edit_moves_the_event_and_raises_its_sequence(world, client, django_capture_on_commit_callbacks):
    token = world.token("王秀英")
    shift = world.shifts["patrol"]
    uid = f"yure-shift-{shift.pk}@yure"
    before = events(fetch(client, token).content)[uid]
    with clock(later(2)):
        with django_capture_on_commit_callbacks(execute=True):
            shift_edit(shift=shift, by=None, start=shift.start + dt.timedelta(minutes=30),
                       end=shift.end + dt.timedelta(minutes=30), location="社区西门", min_staff=shift.min_staff,
                       max_staff=shift.max_staff)
        after = events(fetch(client, token).content)[uid]
    assert str(after["LOCATION"]) == "社区西门"
    assert after["DTSTART"].dt == shift.start
    assert after["SEQUENCE"] > before["SEQUENCE"]
