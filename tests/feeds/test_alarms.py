"""Opt-in reminders: check 18 of the feed spec."""

import datetime as dt

from django.utils import timezone

from tests import factories
from tests.feeds.conftest import clock, events, fetch, parse


def _alarms(body):
    return {str(e["UID"]): e.walk("VALARM") for e in parse(body).walk("VEVENT")}


def test_no_alarms_unless_the_member_opted_in(world, client):
    body = fetch(client, world.token("王秀英")).content
    assert b"BEGIN:VALARM" not in body
    assert events(body)


def test_alarms_evening_before_and_two_hours_before_future_shifts_only(
        world, client, django_capture_on_commit_callbacks):
    member = world.members["王秀英"]
    member.reminders = True
    member.save()
    today = timezone.localdate()
    past_day = today - dt.timedelta(days=2)
    past_week = past_day - dt.timedelta(days=past_day.weekday())
    past = factories.shift(world.community, world.duties["patrol"],
                           timezone.make_aware(dt.datetime.combine(past_day, dt.time(9))), min_staff=1)
    world.shifts["past"] = past
    world.publish({"past": ["王秀英"]}, week_start=past_week)
    body = fetch(client, world.token("王秀英")).content
    alarms = _alarms(body)
    assert alarms[f"yure-shift-{past.pk}@yure"] == []
    patrol = world.shifts["patrol"]  # next week, 09:00
    found = alarms[f"yure-shift-{patrol.pk}@yure"]
    assert len(found) == 2
    triggers = sorted(a["TRIGGER"].dt for a in found)
    # 18:00 the evening before a 09:00 shift is 15 hours before it; then 2 hours before.
    assert triggers == [-dt.timedelta(hours=15), -dt.timedelta(hours=2)]
    for alarm in found:
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert str(alarm["DESCRIPTION"]).strip()
        assert alarm["TRIGGER"].dt < dt.timedelta(0)
    # Once the evening before has passed, only the 2-hours alarm is left; once the shift started, none.
    evening = timezone.localtime(patrol.start).replace(hour=20, minute=0) - dt.timedelta(days=1)
    with clock(evening):
        assert [a["TRIGGER"].dt for a in _alarms(fetch(client, world.token("王秀英")).content)[
            f"yure-shift-{patrol.pk}@yure"]] == [-dt.timedelta(hours=2)]
    with clock(patrol.start + dt.timedelta(minutes=5)):
        assert _alarms(fetch(client, world.token("王秀英")).content)[f"yure-shift-{patrol.pk}@yure"] == []


def test_cancelled_events_carry_no_alarm(world, client, django_capture_on_commit_callbacks):
    member = world.members["李建国"]
    member.reminders = True
    member.save()
    world.publish({"patrol": ["王秀英"], "mediation": ["张桂兰"], "visit": ["王秀英"]})
    event = events(fetch(client, world.token("李建国")).content)[f"yure-shift-{world.shifts['patrol'].pk}@yure"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []
