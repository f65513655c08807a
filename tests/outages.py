"""Redis outages for tests: a closed port, a real TCP listener that accepts and never answers, and the cache and
broker settings that scheduler_site/settings.py builds for a REDIS_URL (the real ones, timeouts included)."""

import contextlib
import runpy
import socket
import threading
import time
from pathlib import Path

SETTINGS = Path(__file__).resolve().parents[1] / "scheduler_site" / "settings.py"
HANG_UP_AFTER = 10  # seconds: only so that a client without a timeout fails instead of waiting for ever


def closed_port() -> int:
    """A port nothing listens on (bound, then closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SilentListener:
    """Accepts connections on 127.0.0.1 and never sends a byte (a Redis stuck on a slow command or a
    half-dead network path). `accepted` counts the connections clients opened."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self._held: list[tuple[socket.socket, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self.server.accept()
                self.accepted += 1
                self._held.append((conn, time.monotonic()))
            except OSError:
                pass
            for item in [h for h in self._held if time.monotonic() - h[1] > HANG_UP_AFTER]:
                item[0].close()
                self._held.remove(item)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(2)
        for conn, _t in self._held:
            conn.close()
        self.server.close()


def redis_settings(monkeypatch, url: str) -> dict:
    """settings.py evaluated with REDIS_URL=url: {"CACHES": …, "BROKER": the django-q2 redis setting}."""
    with monkeypatch.context() as env:
        env.setenv("REDIS_URL", url)
        env.setenv("DEBUG", "1")
        built = runpy.run_path(str(SETTINGS))
    return {"CACHES": built["CACHES"], "BROKER": built["Q_CLUSTER"]["redis"]}


@contextlib.contextmanager
def broker_at(monkeypatch, broker):
    """django-q2 enqueues to this Redis (as a deployment with REDIS_URL does) instead of running tasks at once."""
    from django_q.conf import Conf

    with monkeypatch.context() as patch:
        patch.setattr(Conf, "SYNC", False)
        patch.setattr(Conf, "ORM", None)
        patch.setattr(Conf, "REDIS", broker)
        patch.setattr(Conf, "DJANGO_REDIS", None)
        yield


@contextlib.contextmanager
def dead_redis(monkeypatch, settings, kind: str):
    """REDIS_URL at a closed port ("closed") or at a listener that never answers ("silent"): the cache and the
    broker both point there. Yields the listener (None for a closed port)."""
    from django.core.cache import caches

    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(SilentListener()) if kind == "silent" else None
        port = listener.port if listener else closed_port()
        built = redis_settings(monkeypatch, f"redis://127.0.0.1:{port}/2")
        old_caches = settings.CACHES
        settings.CACHES = built["CACHES"]
        stack.enter_context(broker_at(monkeypatch, built["BROKER"]))
        try:
            yield listener
        finally:
            caches["default"].close()
            settings.CACHES = old_caches
