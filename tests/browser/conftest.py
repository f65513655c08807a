"""Playwright on Debian Chromium against pytest-django's live server.

Needs `apt-get install -y chromium fonts-noto-cjk`; tests skip with that reason when /usr/bin/chromium is absent.
Screenshots go to test-artifacts/ (gitignored) for a person to look at.
"""

import os
import pathlib
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}

requires_chromium = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
    reason="Debian Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)")


@pytest.fixture
def server(live_server, settings):
    """The live server over plain HTTP: rebuild its middleware after the test's settings apply."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SOLVER_TIME_LIMIT = 2
    settings.SOLVER_WORKERS = 1
    # Every layer (static files, media files, Django) may hold a middleware chain built at server start.
    handler = live_server.thread.httpd.get_app()
    while handler is not None:
        handler.load_middleware()
        handler = getattr(handler, "application", None)
    return live_server


@pytest.fixture(scope="package")
def _chromium():
    """One Playwright driver and one Chromium for the whole folder: starting them took about 4 s a test on the
    shared two-core machine (a minute or more a run). Each test still gets its own contexts (cookies, storage),
    and `browser` closes whatever contexts a test left open."""
    api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls between page steps are plain sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM,
                                                  args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser(_chromium):
    yield _chromium
    for context in list(_chromium.contexts):  # what this test opened goes with it: no cookie reaches the next
        context.close()


def shot(page, name: str) -> pathlib.Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_horizontal_scroll(page):
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"page scrolls sideways at {inner}px: content is {width}px wide"


@pytest.fixture(autouse=True)
def held_queue(monkeypatch):
    """Tasks are recorded instead of sent to a broker, so no worker elsewhere on this machine (another suite's
    qcluster on the shared Redis) can pick them up; a test plays the worker by calling the task itself."""
    import itertools

    import django_q.tasks

    held, ids = [], itertools.count(1)

    def async_task(func, *args, **kwargs):
        held.append((func, args, kwargs))
        return f"held-{next(ids)}"

    monkeypatch.setattr(django_q.tasks, "async_task", async_task)
    return held


PASSWORD = "correct horse battery"  # tests.factories.user's default


def secretary_log_in(page, server, username: str = "sec") -> None:
    """Log the secretary in through the real login form and wait for the dashboard."""
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard/")
