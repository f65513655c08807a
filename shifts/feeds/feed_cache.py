"""The render cache of feeds, through Django's public cache API only (get, set).

A feed's key holds everything its bytes depend on: the feed's generation (FeedCounter, bumped when its data
changes), the link version, and the hour. So nothing is ever invalidated by hand: a change makes a new key, and
old entries expire after CACHE_SECONDS. Each feed has two entries, its validators (ETag, Last-Modified, length)
and its body, so a poll that ends in 304 never moves the body out of the cache."""

import datetime as dt
import logging
import time

from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

from shifts.feeds.ics import feed_render, utc_second
from shifts.feeds.services import community_scope, member_scope
from shifts.feeds.tokens import FeedScope
from shifts.models import FeedCounter

logger = logging.getLogger(__name__)

CACHE_SECONDS = 2 * 3600


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
    """cache.get(key), or None while the cache is resting after a failure (see _cache_failed)."""
    if _cache_resting():
        return None
    try:
        return cache.get(key)
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
        last_modified = min(utc_second(generation[1]), utc_second(now))
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
