"""Shared fixtures. Tests run with production settings except for what a test client cannot do."""

import datetime as dt
import os

import pytest


def _django_settings(request):
    """pytest-django's settings fixture, or None when the run has no Django (solver tests with -p no:django)."""
    if not request.config.pluginmanager.hasplugin("django"):
        return None
    return request.getfixturevalue("settings")


@pytest.fixture(scope="session")
def _import_folder(tmp_path_factory):
    """This run's own folder for stored uploads. The default (/tmp/yure-imports) is shared by every
    run on the machine, and each upload clears files older than a day by the clock: a second run
    under libfaketime, weeks ahead, cleared this run's uploads between preview and confirm."""
    path = tmp_path_factory.mktemp("yure-imports")
    os.environ["IMPORT_TMP_DIR"] = str(path)      # queue workers started by the tests read it too
    return path


@pytest.fixture(autouse=True)
def _test_transport(request):
    # The test client speaks plain HTTP and there is no collectstatic step before tests.
    settings = _django_settings(request)
    if settings is None:
        return
    settings.IMPORT_TMP_DIR = str(request.getfixturevalue("_import_folder"))
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def q_sync(request, monkeypatch):
    """Queue tasks run at once inside async_task, django-q2's real code path, with short solver limits.

    Autouse so that no test leaves work on a broker another run shares; tests that drive a real qcluster
    opt out with @pytest.mark.real_queue. django-q2 reads Q_CLUSTER into Conf once at import, and
    async_task consults Conf.SYNC on every call, so patching Conf is what takes effect.
    """
    settings = _django_settings(request)
    if settings is None or request.node.get_closest_marker("real_queue"):
        return None
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    # A broker outage in one test must not leave this process resting from the broker in the next.
    monkeypatch.setattr("shifts.messaging.jobs._broker_rest_until", 0.0)
    settings.SOLVER_TIME_LIMIT = 3
    settings.REPAIR_TIME_LIMIT = 2
    settings.SOLVER_WORKERS = 1
    return Conf


@pytest.fixture
def week_start() -> dt.date:
    """A coming Monday, so nothing in its week counts as past, and the first whose week has no 25th and no
    public holiday or make-up workday: the monthly study session would otherwise take that day's morning, school
    runs would stop for the holiday, and tests would depend on the date."""
    from django.utils import timezone

    from volunteers.calendars import package_year

    special = {info.date for year in range(timezone.localdate().year, timezone.localdate().year + 3)
               for info in package_year(year)[0]}
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    while any((monday + dt.timedelta(days=n)).day == 25 or monday + dt.timedelta(days=n) in special
              for n in range(7)):
        monday += dt.timedelta(days=7)
    return monday


@pytest.fixture(scope="session", autouse=True)
def _live_server_sessions_closed(request):
    """End database sessions that live-server request threads leave open, so the test database can be dropped.

    The live server answers each browser connection in a daemon thread with its own database connection; a
    browser holding a keep-alive socket keeps that thread, and its PostgreSQL session, alive past the last test.
    """
    if not any("live_server" in item.fixturenames for item in request.session.items):
        yield
        return
    request.getfixturevalue("django_db_setup")  # set up first, so this teardown runs before the database is dropped
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with request.getfixturevalue("django_db_blocker").unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
