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
    # PBKDF2 at production strength costs about a second a hash on the shared two-core machine (4 s at load 10),
    # paid by every user a test makes and every password login. The deployed tests' processes keep the
    # production hasher and log in through the form with it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # The cover call-down asks members by itself for any published shift short within COVER_CALL_HOURS: with the
    # default 48 hours, a test whose week starts on Monday would start call-downs (and send asks) only when run
    # on a weekend. Off unless a test turns it on (tests/rostering/test_cover*.py: the `cover_on` fixture).
    settings.COVER_CALL_HOURS = 48 if "cover_on" in request.fixturenames else 0


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


@pytest.fixture
def fast_passwords(settings):
    """Hashing real passwords dominates set-up where logins are made per test; the login flow itself is tested by
    the trust suite with the fast hasher too, and the production hasher is Django's own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a callable and then the on_commit callbacks it registered (and those they register)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def town(week_start):
    """A small community: a daily patrol (2 people, one first-aider as lead) and a mediation shift."""
    from tests import factories as f

    community = f.community(name="幸福里")
    patrol = f.duty("patrol", lead_skill="first_aid")
    mediation = f.duty("mediation", required_skills=("mediation",))
    templates = [f.template(community, patrol, day, start=dt.time(9, 0), end=dt.time(11, 0), min_staff=2,
                            max_staff=2) for day in range(5)]
    templates.append(f.template(community, mediation, 2, start=dt.time(14, 0), end=dt.time(16, 0), min_staff=1,
                                max_staff=1))
    members = [f.member(community, name=f"队员{i}", email=f"m{i}@example.org",
                        skills=("first_aid",) if i < 3 else (("mediation",) if i == 3 else ()),
                        max_shifts_per_week=3) for i in range(8)]
    secretary = f.secretary(community)
    secretary.email = "sec@example.org"
    secretary.save()
    return {"community": community, "members": members, "templates": templates, "secretary": secretary,
            "week_start": week_start, "patrol": patrol, "mediation": mediation}


@pytest.fixture
def site(db, week_start, fast_passwords):
    """The web pages' community-week (tests.site_week.build_site)."""
    from tests.site_week import build_site

    return build_site(week_start)


@pytest.fixture
def staff(client, site):
    """A client logged in as the site's secretary."""
    client.force_login(site.secretary)
    return client


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


@pytest.fixture
def cover_on():
    """The cover call-down at its default window (48 hours); see _test_transport."""
