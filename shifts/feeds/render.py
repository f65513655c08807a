"""Reading a feed's events from the database and writing them as iCalendar bytes, with a render cache.

Every byte depends only on the data and on `now` rounded down to the hour (the window, alarms on future shifts
and the cancel grace period move with it), so two renders with no change are byte-identical: DTSTAMP is the
event's last change, never the time of the render.
"""

import datetime as dt
import functools
import hashlib
import logging
import time
from dataclasses import dataclass, field

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db.models import Max
from django.utils import timezone, translation
from icalendar import Alarm, Calendar, Event, Timezone, vText
from redis.exceptions import RedisError

from shifts.models import Assignment, FeedCounter, FeedShiftState, FeedTombstone, Roster, Shift

from . import content
from .services import community_scope, event_sequence, member_scope
from .tokens import FeedScope

logger = logging.getLogger(__name__)

PRODID = "-//Yure//Volunteer rosters 1.0//ZH"
CACHE_SECONDS = 2 * 3600
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass
class FeedEvent:
    uid: str
    title: str
    start: dt.datetime
    end: dt.datetime
    sequence: int
    last_modified: dt.datetime
    location: str = ""
    description: str = ""
    cancelled: bool = False
    alarms: list[tuple[dt.timedelta, str]] = field(default_factory=list)


@dataclass
class Feed:
    name: str
    events: list[FeedEvent]
    last_modified: dt.datetime


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: dt.datetime
    events: int


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _ceil_hour(moment: dt.datetime) -> dt.datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(hours=1)


def _uid(shift_id: int, kind: str) -> str:
    # One UID per shift and kind of feed: a secretary subscribed to both her own and the community feed must
    # not see two calendars fight over the same event.
    suffix = {"member": "", "community": ".c", "duty": ".d"}[kind]
    return f"yure-shift-{shift_id}{suffix}@yure"


def _states(shift_ids) -> dict[int, FeedShiftState]:
    return {s.shift_id: s for s in FeedShiftState.objects.filter(shift_id__in=list(shift_ids))}


def _alarms(shift: Shift, title: str, cutoff: dt.datetime, reminder_hour: int):
    """(trigger, description) pairs that still lie ahead; and the moments at which passed ones were dropped."""
    start_local = timezone.localtime(shift.start, content.local_tz())
    evening = dt.datetime.combine(start_local.date() - dt.timedelta(days=1), dt.time(reminder_hour),
                                  tzinfo=content.local_tz())
    texts = content.alarm_texts(shift, title)
    alarms, dropped = [], []
    for fires, text in ((evening, texts[0]), (shift.start - dt.timedelta(hours=2), texts[1])):
        if fires > cutoff:
            alarms.append((fires - shift.start, text))
        else:
            dropped.append(_ceil_hour(fires) - dt.timedelta(hours=1))
    return alarms, dropped


def _tombstone_events(tombstones, *, live_shift_ids, lo, hi, now, kind) -> tuple[list[FeedEvent], list]:
    events, moments = [], []
    for tomb in tombstones:
        expires = tomb.removed_at + content.GRACE
        if expires <= now:
            moments.append(expires)  # the moment it vanished from the feed
            continue
        moments.append(tomb.removed_at)
        if tomb.shift_id in live_shift_ids or not (lo <= tomb.start < hi):
            continue
        events.append(FeedEvent(uid=_uid(tomb.shift_id, kind), title=content.cancelled_title(tomb.summary),
                                start=tomb.start, end=tomb.end, sequence=tomb.sequence,
                                last_modified=tomb.removed_at, cancelled=True))
    return events, moments


def member_feed(member, *, now: dt.datetime) -> Feed:
    """A member's published shifts in the window, each once, with teammates; removed ones cancelled for a while."""
    lo, hi = content.window(now)
    mine = (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                      shift__start__gte=lo, shift__start__lt=hi)
            .select_related("shift__duty", "shift__visit_target", "roster").order_by("shift__start", "shift_id"))
    shifts, assigned_at = {}, {}
    for assignment in mine:
        shifts[assignment.shift_id] = assignment.shift
        when = max(assignment.created_at, assignment.roster.published_at or assignment.created_at)
        assigned_at[assignment.shift_id] = max(when, assigned_at.get(assignment.shift_id, when))
    teammates: dict[int, list[tuple[str, str]]] = {}
    seen = set()
    for shift_id, member_id, name, phone in (
            Assignment.objects.filter(shift_id__in=list(shifts), roster__status=Roster.Status.PUBLISHED)
            .exclude(member=member).order_by("member__name", "member_id")
            .values_list("shift_id", "member_id", "member__name", "member__phone")):
        if (shift_id, member_id) not in seen:
            seen.add((shift_id, member_id))
            teammates.setdefault(shift_id, []).append((name, phone))
    states = _states(shifts)
    cutoff = now + dt.timedelta(hours=1)
    reminder_hour = member.community.reminder_hour if member.community_id else content.EVENING_BEFORE_HOUR
    events, moments = [], [member.updated_at]
    for shift_id, shift in shifts.items():
        state = states.get(shift_id)
        changed = max(shift.updated_at, state.changed_at if state is not None else assigned_at[shift_id])
        title = content.event_title(shift, own_visit=True)
        alarms = []
        if member.reminders:
            alarms, dropped = _alarms(shift, title, cutoff, reminder_hour)
            moments.extend(dropped)
        events.append(FeedEvent(
            uid=_uid(shift_id, "member"), title=title, start=shift.start, end=shift.end,
            sequence=event_sequence(shift, state), last_modified=changed,
            location=content.event_location(shift, own_visit=True),
            description=content.member_description(shift, teammates.get(shift_id, [])), alarms=alarms))
        moments.extend([changed, content.entered_window_at(shift.start)])
    tombstones = FeedTombstone.objects.filter(member=member)
    cancelled, tomb_moments = _tombstone_events(tombstones, live_shift_ids=set(shifts), lo=lo, hi=hi, now=now,
                                                kind="member")
    gone = (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED, shift__start__lt=lo)
            .aggregate(latest=Max("shift__start"))["latest"])
    if gone is not None:
        moments.append(content.left_window_at(gone))
    return Feed(name=content.feed_name_member(member), events=events + cancelled,
                last_modified=_latest(moments + tomb_moments, now))


def community_feed(community, *, now: dt.datetime, duty=None) -> Feed:
    """Every shift of the community's published weeks in the window (one duty's, for a duty feed), with staffing."""
    lo, hi = content.window(now)
    kind = "community" if duty is None else "duty"
    weeks = dict(Roster.objects.filter(community=community, status=Roster.Status.PUBLISHED,
                                       week_start__gte=lo.date() - dt.timedelta(days=7), week_start__lt=hi.date())
                 .values_list("week_start", "published_at"))
    candidates = Shift.objects.filter(community=community, start__gte=lo, start__lt=hi).select_related(
        "duty", "visit_target").order_by("start", "pk")
    if duty is not None:
        candidates = candidates.filter(duty=duty)
    shifts = {}
    for shift in candidates:
        day = timezone.localtime(shift.start, content.local_tz()).date()
        monday = day - dt.timedelta(days=day.weekday())
        if monday in weeks:
            shifts[shift.pk] = (shift, weeks[monday])
    names: dict[int, list[str]] = {}
    for shift_id, name in (Assignment.objects.filter(shift_id__in=list(shifts), roster__status=Roster.Status.PUBLISHED)
                           .order_by("member__name", "member_id").values_list("shift_id", "member__name")):
        names.setdefault(shift_id, []).append(name)
    states = _states(shifts)
    events, moments = [], []
    for shift_id, (shift, published_at) in shifts.items():
        state = states.get(shift_id)
        changed = max(shift.updated_at, state.changed_at if state is not None else (published_at or shift.updated_at))
        events.append(FeedEvent(
            uid=_uid(shift_id, kind), title=content.event_title(shift, own_visit=False), start=shift.start,
            end=shift.end, sequence=event_sequence(shift, state), last_modified=changed,
            location=content.event_location(shift, own_visit=False),
            description=content.staffing_description(shift, names.get(shift_id, []))))
        moments.extend([changed, content.entered_window_at(shift.start)])
    tombstones = FeedTombstone.objects.filter(community=community, member__isnull=True)
    if duty is not None:
        tombstones = tombstones.filter(duty=duty)
    cancelled, tomb_moments = _tombstone_events(tombstones, live_shift_ids=set(shifts), lo=lo, hi=hi, now=now,
                                                kind=kind)
    older = Shift.objects.filter(community=community, start__lt=lo)
    if duty is not None:
        older = older.filter(duty=duty)
    gone = older.aggregate(latest=Max("start"))["latest"]
    if gone is not None:
        moments.append(content.left_window_at(gone))
    return Feed(name=content.feed_name_community(community, duty), events=events + cancelled,
                last_modified=_latest(moments + tomb_moments, now))


def _latest(moments, now: dt.datetime) -> dt.datetime:
    found = [m for m in moments if m is not None]
    return min(max(found), now) if found else _EPOCH


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
        event.add("dtstamp", _utc(item.last_modified))
        event.add("last-modified", _utc(item.last_modified))
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
    return RenderedFeed(body=body, etag=etag, last_modified=_utc(feed.last_modified), events=len(feed.events))


def _cache_key(scope: FeedScope, bucket: dt.datetime) -> tuple[str, str]:
    """(counter scope, cache key): the key changes with the feed's generation, link version and the hour."""
    if scope.kind == "member":
        pk, feed_version, reminders, language, updated_at = scope.member_key
        counter = member_scope(pk)
        identity = f"{counter}:{feed_version}:{int(reminders)}:{language}:{updated_at.timestamp()}"
    else:
        counter = community_scope(scope.community.pk)
        identity = f"{counter}:{scope.duty.pk if scope.duty else '-'}:{scope.community.feed_version}"
    return counter, f"feeds:v2:{identity}:{bucket:%Y%m%d%H}"


def _cache_get(key: str):
    """cache.get(key), minus a cost of Django's Redis backend: it builds a new redis.Redis per call, and with it a
    dict of ~170 response callbacks (a third of a cached poll's CPU). Here one client per thread is kept on the
    (thread-local) cache object; any other backend is asked the ordinary way."""
    if _cache_resting():
        return None
    backend = caches[DEFAULT_CACHE_ALIAS]
    try:
        if not isinstance(backend, RedisCache):
            return backend.get(key)
        client = backend.__dict__.get("_feeds_reader")
        if client is None:
            client = backend._feeds_reader = backend._cache.get_client(key)
        raw = client.get(backend.make_and_validate_key(key))
        return None if raw is None else backend._cache._serializer.loads(raw)
    except CACHE_ERRORS as exc:
        _cache_failed("read", exc)
        return None


def _cache_set(key: str, value) -> None:
    if _cache_resting():
        return
    try:
        cache.set(key, value, CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        _cache_failed("write", exc)


# When the cache (Redis) is down or slow, feeds are rendered without it: a calendar app polling gets its feed
# a little slower, never a 500. Each failure costs at most settings.CACHE_SOCKET_TIMEOUT; after one, this
# process leaves the cache alone for FEED_CACHE_REST_SECONDS instead of paying that on every poll.
CACHE_ERRORS = (RedisError, OSError)
FEED_CACHE_REST_SECONDS = 10
_cache_rest_until = 0.0


def _cache_resting() -> bool:
    return _cache_rest_until > time.monotonic()


def _cache_failed(what: str, exc: Exception) -> None:
    global _cache_rest_until
    _cache_rest_until = time.monotonic() + FEED_CACHE_REST_SECONDS
    logger.warning("feed cache %s failed (%s); rendering without the cache for %d s", what,
                   type(exc).__name__, FEED_CACHE_REST_SECONDS)


class CachedFeed:
    """A feed's validators, read from a small cache entry of their own; the body is fetched only when asked for.

    A poll that ends in 304 (most of them) thus never moves the 100+ kB body out of the cache. The body entry
    carries its ETag, so a body that does not belong to the validators is treated as missing and rendered again.
    """

    __slots__ = ("_body", "_key", "_now", "_generation", "_scope", "etag", "events", "last_modified_ts", "length")

    def __init__(self, *, scope: FeedScope, key: str, now: dt.datetime, generation, meta: tuple,
                 body: bytes | None = None):
        self._scope, self._key, self._now, self._generation, self._body = scope, key, now, generation, body
        self.etag, self.last_modified_ts, self.length, self.events = meta

    @property
    def last_modified(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.last_modified_ts, dt.UTC)

    @property
    def body(self) -> bytes:
        if self._body is None:
            stored = _cache_get(self._key + ":body")
            if stored is not None and stored[0] == self.etag:
                self._body = stored[1]
            else:  # evicted, or written by a render that saw other data: render again and take its validators
                fresh = _render_and_store(self._scope, self._key, self._now, self._generation)
                self.etag, self.last_modified_ts, self.length, self.events = fresh.meta
                self._body = fresh.body
        return self._body

    @property
    def meta(self) -> tuple:
        return self.etag, self.last_modified_ts, self.length, self.events


def _render_and_store(scope: FeedScope, key: str, now: dt.datetime, generation) -> CachedFeed:
    rendered = feed_render(scope, now=now)
    last_modified = rendered.last_modified
    if generation is not None and generation[1] > last_modified:
        last_modified = min(_utc(generation[1]), _utc(now))
    meta = (rendered.etag, int(last_modified.timestamp()), len(rendered.body), rendered.events)
    # The body first: a reader that finds the meta entry then finds its body too (unless it was evicted).
    _cache_set(key + ":body", (rendered.etag, rendered.body))
    _cache_set(key + ":meta", meta)
    return CachedFeed(scope=scope, key=key, now=now, generation=generation, meta=meta, body=rendered.body)


def feed_cached(scope: FeedScope, *, now: dt.datetime | None = None) -> CachedFeed:
    """The feed's validators from the cache, rendering it on a miss; with resolve_token a hit costs one query.

    The body (`.body`) is read from the cache only when it is used."""
    now = now or timezone.now()
    bucket = now.replace(minute=0, second=0, microsecond=0)
    counter_scope, key = _cache_key(scope, bucket)
    generation = scope.generation
    if not scope.generation_known:  # a scope not made by resolve_token
        generation = FeedCounter.objects.filter(scope=counter_scope).values_list("value", "changed_at").first()
    key = f"{key}:{generation[0] if generation else 0}"
    meta = _cache_get(key + ":meta")
    if meta is None:
        return _render_and_store(scope, key, now, generation)
    return CachedFeed(scope=scope, key=key, now=now, generation=generation, meta=meta)
