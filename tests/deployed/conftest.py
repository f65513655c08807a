"""One running deployment per test run, shared by every test in this folder and stopped when the folder is done
(package scope), so its workers never share a queue with the clusters other folders start (see README.md here).

SQLite with django-q2's ORM broker by default; PostgreSQL with the Redis broker when DATABASE_URL points at
PostgreSQL and REDIS_URL is set (CI runs the suite once each way). The deployment gets its own database, never
pytest-django's test database.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .harness import ADMIN, Deployment, local_now, postgres_database, sqlite_database

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
REDIS = os.environ.get("REDIS_URL", "")

_started: list[Deployment] = []


@pytest.fixture(scope="package")
def voice_standin():
    """Alibaba Cloud's voice API as a stand-in on 127.0.0.1 (tests/messaging/voice_standin.py), which the
    deployment's real SDK calls, and the provider relay that posts each call's signed report to the web server.
    A call to a number no test set up "fails to connect", so a voice-only member's text goes as before."""
    from tests.messaging.voice_standin import VoiceStandIn

    standin = VoiceStandIn(secret=VOICE_SECRET, default="failed").start()
    yield standin
    standin.stop()


@pytest.fixture(scope="package")
def deployment(request, voice_standin):
    # Its own folder, not pytest's temp folder, which other runs on the machine prune while this one runs.
    folder = Path(tempfile.mkdtemp(prefix="yure-deployed-"))
    database = postgres_database(os.environ["DATABASE_URL"]) if POSTGRES and REDIS else sqlite_database(folder)
    deployed = Deployment(folder, database, redis_url=REDIS if POSTGRES else "",
                          extra_env=voice_env(voice_standin.endpoint))
    voice_standin.callback_url = f"{deployed.url}/voice/callback/"
    _started.append(deployed)
    try:
        deployed.prepare()
        deployed.start()
        yield deployed
    finally:
        deployed.stop()
        if not request.session.testsfailed:
            shutil.rmtree(folder, ignore_errors=True)


VOICE_SECRET = "deployed-voice-secret"


def voice_env(endpoint: str) -> dict:
    """Voice calls through the real Alibaba SDK to the stand-in; no quiet hours (the tests run at any hour)."""
    return {"VOICE_PROVIDER": "aliyun", "VOICE_ENDPOINT": endpoint, "VOICE_ENDPOINT_SCHEME": "http",
            "VOICE_SECRET_ID": "AKIDdeployed", "VOICE_SECRET_KEY": "deployed-key", "VOICE_SHOW_NUMBER": "057100000000",
            "VOICE_CALLBACK_SECRET": VOICE_SECRET, "VOICE_QUIET_HOURS": "0,0", "VOICE_TIMEOUT": "5",
            **{f"VOICE_TEMPLATE_{kind}": f"TTS_{kind}" for kind in ("REMINDER", "CONFIRM_REQUEST", "COVER_ASK",
                                                                      "WELFARE_CALL")}}


@pytest.fixture(scope="package")
def secretary(deployment):
    """secretary1, who runs the first community (幸福里社区), logged in through the login form."""
    return deployment.browser().login("secretary1")


@pytest.fixture(scope="package")
def outbox_readers(deployment):
    """The secretaries of the three communities: a text's words show on 短信发件箱 only to the staff of the
    community it went to, and the roster of one community holds neighbours' members too."""
    return [deployment.browser().login(f"secretary{n}") for n in (1, 2, 3)]


@pytest.fixture(scope="package")
def admin(deployment):
    """The operator's superuser, for the admin's task and schedule pages."""
    return deployment.browser().login(*ADMIN)


def pytest_terminal_summary(terminalreporter, exitstatus):
    """After a failure, show what the deployed processes logged (their files stay in pytest's temp folder)."""
    if exitstatus == 0 or not _started:
        return
    for deployed in _started:
        terminalreporter.section(f"deployed service logs: {deployed.database.label}")
        terminalreporter.write_line(deployed.logs(chars=12000))


def coming_mondays(count: int) -> list:
    """The next `count` Mondays whose weeks hold no 25th (the study morning) and no public holiday or make-up
    workday, as the suite's week_start fixture chooses them: what a test books does not depend on the date."""
    import datetime as dt

    from volunteers.calendars import package_year

    today = local_now().date()
    special = {info.date for year in range(today.year, today.year + 3) for info in package_year(year)[0]}
    monday, found = today + dt.timedelta(days=7 - today.weekday()), []
    while len(found) < count:
        days = [monday + dt.timedelta(days=n) for n in range(7)]
        if not any(day.day == 25 or day in special for day in days):
            found.append(monday)
        monday += dt.timedelta(days=7)
    return found


@pytest.fixture(scope="package")
def weeks():
    """(the week the roster tests publish, the week the district generate drafts)"""
    return tuple(monday.isoformat() for monday in coming_mondays(2))
