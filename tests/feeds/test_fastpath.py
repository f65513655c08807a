"""The poll fast path (FeedFastPathMiddleware) and the split render cache: behaviour the benchmark relies on."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db.models import F
from django.middleware.locale import LocaleMiddleware

from shifts.feeds import feed_cache
from shifts.feeds.services import feed_link_reset_member, member_scope
from shifts.feeds.tokens import resolve_token
from shifts.models import FeedCounter, Shift
from tests.feeds.conftest import clear_feed_cache, events, fetch


@pytest.fixture
def body_reads(monkeypatch):
    """Every render-cache key the feed code reads, in order."""
    keys = []
    real = feed_cache._cache_get

    def spy(key):
        keys.append(key)
        return real(key)

    monkeypatch.setattr(feed_cache, "_cache_get", spy)
    return keys


def test_feed_polls_skip_the_rest_of_the_middleware_but_keep_the_security_headers(world, client):
    token = world.token("王秀英")
    with mock.patch.object(LocaleMiddleware, "process_request", side_effect=AssertionError("stack ran")):
        response = fetch(client, token)
        head = fetch(client, token, "head")
    for answer in (response, head):
        assert answer.status_code == 200
        assert answer["Content-Type"] == "text/calendar; charset=utf-8"
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in answer["Content-Security-Policy"]
        assert answer["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in answer and not answer.cookies
        assert "Vary" not in answer


def test_fast_path_bad_tokens_are_the_same_bare_404_and_other_requests_go_down_the_stack(world, client):
    good = world.token("王秀英")
    with mock.patch.object(LocaleMiddleware, "process_request", side_effect=AssertionError("stack ran")):
        bodies = {fetch(client, token).content for token in (good[:-2] + "AA", "A" * 40, "x" * 20)}
        for token in (good[:-2] + "AA", "A" * 40):
            response = fetch(client, token)
            assert response.status_code == 404 and token.encode() not in response.content
            assert response["Cache-Control"].startswith("private")
    assert bodies == {b"Not found"}
    # Not a well-formed token URL, or not GET/HEAD: the URL resolver answers, as before.
    assert fetch(client, "short").status_code == 404
    assert client.post(f"/feeds/{good}.ics").status_code == 405


def test_a_304_and_a_head_never_read_the_body(world, client, body_reads):
    token = world.token("王秀英")
    first = fetch(client, token)
    assert first.status_code == 200
    body_reads.clear()
    again = fetch(client, token, If_None_Match=first["ETag"])
    assert again.status_code == 304
    assert fetch(client, token, If_Modified_Since=first["Last-Modified"]).status_code == 304
    head = fetch(client, token, "head")
    assert head.status_code == 200 and head["Content-Length"] == str(len(first.content))
    assert body_reads and all(key.endswith(":meta") for key in body_reads), body_reads
    body_reads.clear()
    assert fetch(client, token).content == first.content  # a plain GET does read it
    assert any(key.endswith(":body") for key in body_reads)


def test_an_evicted_body_is_rendered_again_with_matching_validators(world, client):
    token = world.token("王秀英")
    first = fetch(client, token)
    cached = feed_cache.feed_cached(resolve_token(token))
    cache.delete(cached._key + ":body")
    again = fetch(client, token)
    assert again.status_code == 200
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Content-Length"] == str(len(first.content))


def test_a_reset_kills_the_link_at_once_even_with_a_warm_cache(world, client):
    member = world.members["王秀英"]
    old = world.token("王秀英")
    first = fetch(client, old)
    assert fetch(client, old, If_None_Match=first["ETag"]).status_code == 304
    new = feed_link_reset_member(member=member)
    for headers in ({}, {"If_None_Match": first["ETag"]}):
        gone = fetch(client, old, **headers)
        assert gone.status_code == 404 and gone.content == b"Not found"
    assert fetch(client, new).status_code == 200


def test_a_change_made_by_another_process_reaches_this_one(world, client):
    """The qcluster (another process, with its own local-memory cache) writes only to the database: a poll here
    must see the raised generation there and not answer from this process's cached validators."""
    token = world.token("李建国")
    first = fetch(client, token)
    shift = world.shifts["patrol"]
    # What the other process does: change the data and raise the generation, touching no cache of ours.
    Shift.objects.filter(pk=shift.pk).update(location="社区西门", sequence=F("sequence") + 1)
    FeedCounter.objects.filter(scope=member_scope(world.members["李建国"].pk)).update(value=F("value") + 1)
    again = fetch(client, token, If_None_Match=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "社区西门" in str(events(again.content)[f"yure-shift-{shift.pk}@yure"]["LOCATION"])


def test_community_feed_language_does_not_follow_the_pollers_accept_language(world, client):
    token = world.community_token()
    chinese = fetch(client, token)
    clear_feed_cache()
    english_asker = fetch(client, token, Accept_Language="en")
    assert english_asker.content == chinese.content
