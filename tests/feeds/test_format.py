"""The bytes of a feed, checked with three Python parsers: checks 2-7, 15, 16, 19 and 21 of the feed spec."""

import datetime as dt
import io

import pytest
import vobject
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream

from shifts.feeds import content
from shifts.feeds.events import Feed, FeedEvent
from shifts.feeds.ics import render_ics
from shifts.models import Roster
from tests import factories
from tests.feeds.conftest import events, fetch, parse

TRICKY = "集合点：东门, 带上手电; 备注 C:\\路径\n第二行\r\n第三行"


def _all_feeds(world, client) -> list[bytes]:
    tokens = [world.token(name) for name in world.members] + [world.community_token()]
    tokens += [world.duty_token(code) for code in world.duties]
    bodies = [fetch(client, token).content for token in tokens]
    assert all(bodies)
    return bodies


def test_utf8_without_bom_and_crlf_lines(world, client):  # check 2
    for body in _all_feeds(world, client):
        assert not body.startswith(b"\xef\xbb\xbf")
        body.decode("utf-8")
        assert body.endswith(b"\r\n")
        assert b"\n" not in body.replace(b"\r\n", b"")
        assert b"\r" not in body.replace(b"\r\n", b"")


def test_lines_fold_at_75_octets_without_splitting_characters(world, client):  # check 3
    long_text = ("请各位队员提前十分钟到达集合点，检查对讲机电量，佩戴红袖章，注意老人和孩子的安全。" * 2)[:80]
    shift = world.shifts["patrol"]
    shift.name = long_text
    shift.save()
    body = fetch(client, world.community_token()).content
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a split multi-byte character would not decode on its own
    event = events(body)[f"yure-shift-{shift.pk}.c@yure"]
    assert str(event["SUMMARY"]) == f"巡逻 · {long_text}"


def test_one_vcalendar_with_required_properties(world, client):  # check 4
    for body in _all_feeds(world, client):
        assert body.count(b"BEGIN:VCALENDAR") == 1
        calendar = parse(body)
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["PRODID"])
        assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) != ""
        assert str(calendar.get("METHOD", "PUBLISH")) == "PUBLISH"


def test_refresh_hints(world, client):  # check 5
    for body in _all_feeds(world, client):
        lines = body.decode().split("\r\n")
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
        assert "X-PUBLISHED-TTL:PT1H" in lines


def test_every_tzid_has_a_vtimezone_and_nothing_floats(world, client):  # check 6
    for body in _all_feeds(world, client):
        calendar = parse(body)
        defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
        assert defined == {"Asia/Shanghai"}
        assert str(calendar["X-WR-TIMEZONE"]) in defined
        for event in calendar.walk("VEVENT"):
            for name in ("DTSTART", "DTEND"):
                value = event[name]
                assert value.params["TZID"] in defined
                assert value.dt.tzinfo is not None
        for line in body.decode().split("\r\n"):
            if line.startswith(("DTSTAMP", "LAST-MODIFIED")):
                assert line.endswith("Z")


def test_nine_oclock_shanghai_is_one_oclock_utc_in_python_parsers(world, client):  # check 7
    body = fetch(client, world.token("王秀英")).content
    patrol = world.shifts["patrol"]
    expected = dt.datetime.combine(patrol.start.date(), dt.time(1, 0), tzinfo=dt.UTC)
    assert timezone.localtime(patrol.start).hour == 9
    uid = f"yure-shift-{patrol.pk}@yure"
    assert events(body)[uid]["DTSTART"].dt.astimezone(dt.UTC) == expected
    strict = IcsCalendarStream.calendar_from_ics(body.decode())
    (found,) = [e for e in strict.events if e.uid == uid]
    assert found.dtstart.astimezone(dt.UTC) == expected
    loose = vobject.readOne(io.StringIO(body.decode()), validate=True)
    (found,) = [e for e in loose.vevent_list if e.uid.value == uid]
    assert found.dtstart.value.astimezone(dt.UTC) == expected


def test_commas_semicolons_backslashes_and_newlines_round_trip(world, client):  # check 15
    feed = Feed(name="测试, ;\\", last_modified=timezone.now(), events=[FeedEvent(
        uid="yure-shift-1@yure", title=TRICKY, start=world.at(1, 9), end=world.at(1, 11), sequence=1,
        last_modified=timezone.now(), location=TRICKY, description=TRICKY)])
    body = render_ics(feed, now=timezone.now())
    for line in body.split(b"\r\n"):
        assert b"\n" not in line and b"\r" not in line
    (event,) = parse(body).walk("VEVENT")
    normalised = TRICKY.replace("\r\n", "\n")
    for name in ("SUMMARY", "LOCATION", "DESCRIPTION"):
        assert str(event[name]).replace("\r\n", "\n") == normalised
    strict = IcsCalendarStream.calendar_from_ics(body.decode())
    assert strict.events[0].summary.replace("\r\n", "\n") == normalised
    loose = vobject.readOne(io.StringIO(body.decode()), validate=True)
    assert loose.vevent.description.value.replace("\r\n", "\n") == normalised


def test_strict_parsers_accept_every_feed(world, client, django_capture_on_commit_callbacks):  # check 16
    world.members["王秀英"].reminders = True
    world.members["王秀英"].save()
    for body in _all_feeds(world, client):
        text = body.decode()
        strict = IcsCalendarStream.calendar_from_ics(text)
        assert len(strict.events) == len(parse(body).walk("VEVENT"))
        vobject.readOne(io.StringIO(text), validate=True)
        for component in parse(body).walk():
            assert component.errors == [], component.name


def test_end_after_start_and_stamps_in_utc(world, client):  # check 19
    for body in _all_feeds(world, client):
        for event in parse(body).walk("VEVENT"):
            assert event["DTEND"].dt > event["DTSTART"].dt
            for name in ("DTSTAMP", "LAST-MODIFIED"):
                assert event[name].dt.utcoffset() == dt.timedelta(0)


@pytest.mark.slow
def test_feed_stays_under_google_limits_and_leaves_out_events_outside_the_window(world, client):  # check 21
    from shifts.models import Shift
    community, patrol = world.community, world.duties["patrol"]
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [monday + dt.timedelta(weeks=n) for n in range(-10, 15)]
    Roster.objects.bulk_create([Roster(community=community, week_start=w, status=Roster.Status.PUBLISHED,
                                       published_at=timezone.now()) for w in weeks if w != world.week_start])
    rows = []
    for week in weeks:
        for day in range(7):
            for hour in range(6, 14):
                start = timezone.make_aware(dt.datetime.combine(week + dt.timedelta(days=day), dt.time(hour, 30)))
                rows.append(Shift(community=community, duty=patrol, start=start, end=start + dt.timedelta(hours=1),
                                  name="长长的班次名称用于测试大小" * 2, location="社区东门集合"))
    Shift.objects.bulk_create(rows)
    lo, hi = content.window(timezone.now())
    inside = Shift.objects.filter(community=community, start__gte=lo, start__lt=hi).count()
    assert inside > content.MAX_EVENTS
    body = fetch(client, world.community_token()).content
    calendar = parse(body)
    starts = [e["DTSTART"].dt for e in calendar.walk("VEVENT")]
    assert len(body) < 1_000_000
    assert len(starts) == content.MAX_EVENTS
    assert all(lo <= start < hi for start in starts)
    # The events kept are those nearest to today, so next week's shifts are all there.
    assert f"yure-shift-{world.shifts['patrol'].pk}.c@yure" in {str(e["UID"]) for e in calendar.walk("VEVENT")}


def test_personal_feed_leaves_out_shifts_outside_the_window(world, client, django_capture_on_commit_callbacks):
    far = factories.shift(world.community, world.duties["patrol"],
                          world.at(0, 9, week_start=world.week_start + dt.timedelta(weeks=13)), min_staff=1)
    # "old" lies beyond the feed's 8 weeks back from today, however far ahead the fixture's week falls
    past = (timezone.localdate() - world.week_start).days // 7 - 10
    old = factories.shift(world.community, world.duties["patrol"],
                          world.at(0, 9, week_start=world.week_start + dt.timedelta(weeks=past)), min_staff=1)
    world.shifts.update(far=far, old=old)
    for name, weeks in (("far", 13), ("old", past)):
        world.publish({name: ["王秀英"]},
                      week_start=world.week_start + dt.timedelta(weeks=weeks))
    uids = set(events(fetch(client, world.token("王秀英")).content))
    assert f"yure-shift-{world.shifts['patrol'].pk}@yure" in uids
    assert f"yure-shift-{far.pk}@yure" not in uids
    assert f"yure-shift-{old.pk}@yure" not in uids


def test_a_line_break_in_a_members_name_does_not_break_their_feed(world, client):
    member = world.members["王秀英"]
    member.name = "王秀英\nBEGIN:VEVENT;X-EVIL:1,2"
    member.save(update_fields=["name"])
    response = fetch(client, world.token("王秀英"))
    assert response.status_code == 200
    calendar = parse(response.content)
    escaped = "王秀英\\nBEGIN:VEVENT\\;X-EVIL:1\\,2".encode()  # RFC 5545 TEXT escapes
    assert response.content.count(escaped) == 2  # NAME and X-WR-CALNAME
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
    assert response.content.count(b"\r\nBEGIN:VEVENT\r\n") == len(events(response.content))
    assert b"\r\nBEGIN:VEVENT;X-EVIL" not in response.content
