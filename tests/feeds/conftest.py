"""A published week with patrol, mediation and a home visit, and helpers to fetch and parse feeds."""

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from icalendar import Calendar

from shifts.feeds.tokens import community_token, duty_token, member_token
from shifts.models import Roster
from tests import factories

SECRET_ADDRESS = "幸福里7号楼3单元602"
HEALTH_TEXT = "frail"
CAREGIVING_LABEL = "接送孙辈放学"


@contextlib.contextmanager
def clock(moment: dt.datetime):
    """Pretend it is `moment` everywhere Django asks for the time (auto_now fields, services, the feed view)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def later(minutes: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


@dataclass
class World:
    community: object
    week_start: dt.date
    duties: dict
    secretary: object
    members: dict = field(default_factory=dict)
    shifts: dict = field(default_factory=dict)
    target: object = None
    roster: object = None

    def at(self, day: int, hour: int, minute: int = 0, week_start: dt.date | None = None) -> dt.datetime:
        naive = dt.datetime.combine((week_start or self.week_start) + dt.timedelta(days=day), dt.time(hour, minute))
        return timezone.make_aware(naive)

    def publish(self, pairs: dict, *, week_start: dt.date | None = None) -> Roster:
        """Publish a new version of the week with exactly these {shift name: [member names]}, the secretary's way
        (tests.factories.published_roster: review, publish, and the publish's after-commit work)."""
        week = week_start or self.week_start
        roster = factories.published_roster(
            self.community, week, {self.shifts[shift_name]: [self.members[name] for name in names]
                                   for shift_name, names in pairs.items()},
            by=self.secretary, keep_published=False)
        if week == self.week_start:
            self.roster = roster
        return roster

    def token(self, name: str) -> str:
        member = self.members[name]
        member.refresh_from_db()
        return member_token(member)

    def community_token(self) -> str:
        self.community.refresh_from_db()
        return community_token(self.community)

    def duty_token(self, code: str) -> str:
        self.community.refresh_from_db()
        return duty_token(self.community, self.duties[code])


def clear_feed_cache() -> None:
    """Forget rendered feeds only: on Redis, flushing the whole database would hit other users of it, so the feed
    keys are deleted through redis-py's own client."""
    from django.conf import settings

    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            for key in client.scan_iter(match="*:feeds:v2:*"):
                client.delete(key)
        finally:
            client.close()
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_feed_cache()
    yield
    clear_feed_cache()


@pytest.fixture
def world(db, week_start, django_capture_on_commit_callbacks) -> World:
    community = factories.community(name="幸福里社区", swap_requires_approval=False)
    duties = {
        "patrol": factories.duty("patrol", name="巡逻", name_en="Patrol"),
        "mediation": factories.duty("mediation", name="调解", name_en="Mediation"),
        "visiting": factories.duty("visiting", name="探访", name_en="Home visit"),
    }
    w = World(community=community, week_start=week_start, duties=duties,
              secretary=factories.secretary(community, username="secretary"))
    for name, phone in (("王秀英", "13800000001"), ("李建国", "13800000002"), ("张桂兰", "13800000003"),
                        ("刘德明", "13800000004")):
        w.members[name] = factories.member(community, name=name, age=66, phone=phone)
    frail = w.members["刘德明"]
    frail.health = "frail"
    frail.save()
    factories.caregiving(w.members["张桂兰"], label=CAREGIVING_LABEL, start=dt.time(16, 0), end=dt.time(17, 30))
    w.target = factories.visit_target(community, household="孙奶奶家", address=SECRET_ADDRESS)
    w.shifts["patrol"] = factories.shift(community, duties["patrol"], w.at(1, 9), 120, location="社区东门",
                                         name="早班", min_staff=2, max_staff=3)
    w.shifts["mediation"] = factories.shift(community, duties["mediation"], w.at(2, 14), 90, location="调解室",
                                            name="赵某与钱某邻里纠纷", min_staff=1, max_staff=2)
    w.shifts["visit"] = factories.shift(community, duties["visiting"], w.at(3, 10), 60, visit_target=w.target,
                                        location=SECRET_ADDRESS, min_staff=1, max_staff=1)
    w.publish({"patrol": ["王秀英", "李建国"], "mediation": ["张桂兰"], "visit": ["王秀英"]})
    return w


def fetch(client, token: str, method: str = "get", **headers):
    return getattr(client, method)(f"/feeds/{token}.ics", headers=headers)


def parse(body: bytes) -> Calendar:
    calendar = Calendar.from_ical(body)
    return calendar


def events(body: bytes) -> dict:
    """VEVENTs by UID."""
    return {str(e["UID"]): e for e in parse(body).walk("VEVENT")}
