"""Writing a feed's events as iCalendar bytes (RFC 5545), and a feed rendered as of the hour.

Every byte depends only on the data and on `now` rounded down to the hour (the window, alarms on future shifts
and the cancel grace period move with it), so two renders with no change are byte-identical: DTSTAMP is the
event's last change, never the time of the render.
"""

import datetime as dt
import functools
import hashlib
import logging
from dataclasses import dataclass

from django.utils import translation
from icalendar import Alarm, Calendar, Event, Timezone, vText

from shifts.feeds import content
from shifts.feeds.events import Feed, FeedEvent, community_feed, member_feed
from shifts.feeds.tokens import FeedScope

logger = logging.getLogger(__name__)

PRODID = "-//Yure//Volunteer rosters 1.0//ZH"


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: dt.datetime
    events: int


def utc_second(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _limit(events: list[FeedEvent], now: dt.datetime) -> list[FeedEvent]:
    """At most MAX_EVENTS, keeping those nearest to now, in start order."""
    if len(events) > content.MAX_EVENTS:
        logger.warning("feed trimmed from %d to %d events", len(events), content.MAX_EVENTS)
        events = sorted(events, key=lambda e: abs((e.start - now).total_seconds()))[:content.MAX_EVENTS]
    return sorted(events, key=lambda e: (e.start, e.uid))


@functools.lru_cache(maxsize=4)
def _vtimezone(tzid: str) -> Timezone:
    # A fixed first date keeps the block byte-stable; Asia/Shanghai has had no DST since 1991.
    return Timezone.from_tzid(tzid, first_date=dt.date(2000, 1, 1), last_date=dt.date(2038, 1, 1))


def render_ics(feed: Feed, *, now: dt.datetime) -> bytes:
    tz = content.local_tz()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # vText escapes what a name may hold (a line break, ; or ,): both are calendar-level text properties.
    cal.add("name", vText(feed.name))
    cal.add("x-wr-calname", vText(feed.name))
    cal.add("x-wr-timezone", tz.key)
    # icalendar omits VALUE=DURATION, which RFC 7986 requires for REFRESH-INTERVAL.
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(_vtimezone(tz.key))
    for item in _limit(feed.events, now):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", utc_second(item.last_modified))
        event.add("last-modified", utc_second(item.last_modified))
        event.add("sequence", item.sequence)
        event.add("dtstart", item.start.astimezone(tz))
        event.add("dtend", item.end.astimezone(tz))
        event.add("summary", item.title)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
        for trigger, text in item.alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", text)
            alarm.add("trigger", trigger)
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def _build(scope: FeedScope, now: dt.datetime) -> Feed:
    if scope.kind == "member":
        with translation.override(scope.member.language):
            return member_feed(scope.member, now=now)
    return community_feed(scope.community, now=now, duty=scope.duty)


def feed_render(scope: FeedScope, *, now: dt.datetime) -> RenderedFeed:
    """Render a feed as of `now` rounded down to the hour."""
    bucket = now.replace(minute=0, second=0, microsecond=0)
    feed = _build(scope, bucket)
    language = scope.member.language if scope.kind == "member" else None
    with translation.override(language or translation.get_language()):
        body = render_ics(feed, now=bucket)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return RenderedFeed(body=body, etag=etag, last_modified=utc_second(feed.last_modified), events=len(feed.events))
