"""Feeds when Redis, their cache, is down or slow: rendered without the cache, never a 500 or a long hang
(issue 16). The cache settings are the real ones (scheduler_site/settings.py with REDIS_URL set)."""

import logging
import runpy
import socket
import threading
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

import shifts.feeds.feed_cache as feed_cache
from tests.feeds.conftest import events, fetch


def _redis_caches(monkeypatch, url: str) -> dict:
    """CACHES as settings.py builds them for this REDIS_URL."""
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("DEBUG", "1")
    return runpy.run_path("scheduler_site/settings.py")["CACHES"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def silent_redis():
    """A server that accepts connections and never answers (a Redis stuck on a slow command), hanging up
    after 3 s so that a client without a timeout fails instead of waiting for ever."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    stop = threading.Event()
    held = []

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            held.append((conn, time.monotonic()))
            for item in [h for h in held if time.monotonic() - h[1] > 3]:
                item[0].close()
                held.remove(item)
        for conn, _t in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


@pytest.fixture(autouse=True)
def _cache_not_resting(monkeypatch):
    monkeypatch.setattr(feed_cache, "_cache_rest_until", 0.0, raising=False)


def _fetch_with_caches(client, world, cache_settings):
    with override_settings(CACHES=cache_settings):
        try:
            return fetch(client, world.token("王秀英"))
        finally:
            caches["default"].close()


def test_feed_is_served_when_redis_is_down(world, client, monkeypatch, caplog):
    cache_settings = _redis_caches(monkeypatch, f"redis://127.0.0.1:{_closed_port()}/5")
    with caplog.at_level(logging.WARNING, logger="shifts.feeds.feed_cache"):
        response = _fetch_with_caches(client, world, cache_settings)
    assert response.status_code == 200 and events(response.content)
    assert "rendering without the cache" in caplog.text


def test_feed_is_served_when_redis_is_slow(world, client, monkeypatch, caplog, silent_redis):
    cache_settings = _redis_caches(monkeypatch, f"redis://127.0.0.1:{silent_redis}/5")
    assert cache_settings["default"]["OPTIONS"]["socket_timeout"] < 1
    with caplog.at_level(logging.WARNING, logger="shifts.feeds.feed_cache"):
        response = _fetch_with_caches(client, world, cache_settings)
        again = _fetch_with_caches(client, world, cache_settings)  # the cache is left alone for a while now
    assert response.status_code == again.status_code == 200
    assert response.content == again.content
    assert "feed cache read failed (TimeoutError)" in caplog.text
    assert caplog.text.count("rendering without the cache") == 1
